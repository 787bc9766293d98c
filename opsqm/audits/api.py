"""/api/v1/audits/: read-only, through the same access rule as the pages."""

from __future__ import annotations

from django.db.models import Count, Q
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from opsqm.audits import selectors
from opsqm.audits.models import Audit, AuditItemResult, AuditTeamMember, ItemResult


class TeamMemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = AuditTeamMember
        fields = ["username", "name", "role"]
        read_only_fields = fields


class ItemResultSerializer(serializers.ModelSerializer):
    checklist = serializers.CharField(source="audit_checklist.checklist_version.template.ref_id", read_only=True)
    project = serializers.CharField(source="project.code", default=None, read_only=True)

    class Meta:
        model = AuditItemResult
        fields = [
            "id",
            "checklist",
            "project",
            "ref_id",
            "urn",
            "parent_urn",
            "depth",
            "text",
            "assessable",
            "element",
            "result",
            "notes",
            "assessed_at",
            "version",
        ]
        read_only_fields = fields  # results are entered through the audit pages (services), not here


class AuditSerializer(serializers.ModelSerializer):
    projects = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    team = TeamMemberSerializer(many=True, read_only=True)
    conformance_rate = serializers.SerializerMethodField()

    class Meta:
        model = Audit
        fields = [
            "id",
            "code",
            "title",
            "kind",
            "mode",
            "program",
            "criteria",
            "scope_org",
            "projects",
            "planned_start",
            "planned_end",
            "stage",
            "conclusion",
            "conclusion_rating",
            "team",
            "conformance_rate",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_conformance_rate(self, audit: Audit) -> float | None:
        """Same rule as selectors.CONFORMANCE_RULE, from counts annotated on the queryset."""
        return audit.conform_like / audit.counted if audit.counted else None


class AuditDetailSerializer(AuditSerializer):
    results = serializers.SerializerMethodField()

    class Meta(AuditSerializer.Meta):
        fields = AuditSerializer.Meta.fields + ["results"]

    @extend_schema_field(ItemResultSerializer(many=True))
    def get_results(self, audit: Audit) -> list[dict]:
        qs = audit.results.select_related("audit_checklist__checklist_version__template", "project").order_by(
            "audit_checklist_id", "position"
        )
        return ItemResultSerializer(qs, many=True).data


class AuditViewSet(viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        ok = [ItemResult.CONFORM, ItemResult.OBSERVATION]
        counted = ok + [ItemResult.MAJOR_NC, ItemResult.MINOR_NC]
        return (
            selectors.visible_audits(self.request.user)
            .prefetch_related("projects", "team__user")
            .annotate(
                conform_like=Count("results", filter=Q(results__result__in=ok)),
                counted=Count("results", filter=Q(results__result__in=counted)),
            )
            .order_by("-planned_start", "-id")
        )

    def get_serializer_class(self):
        return AuditDetailSerializer if self.action == "retrieve" else AuditSerializer
