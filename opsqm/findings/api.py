"""/api/v1/findings/: list, retrieve and register by hand, through the same access policy and services as the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from opsqm.accounts.access import visible_projects
from opsqm.findings import selectors, services
from opsqm.findings.forms import internal_people
from opsqm.findings.models import CorrectiveAction, Finding


class ActionSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)

    class Meta:
        model = CorrectiveAction
        fields = ["id", "description", "owner", "due_date", "status", "implemented_at", "verified_at", "escalation_level", "version"]
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(queryset=visible_projects(None), required=False, allow_null=True)
    owner = serializers.SlugRelatedField(slug_field="username", queryset=internal_people(), required=False, allow_null=True)
    raised_by = serializers.CharField(source="raised_by.username", read_only=True)
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "code",
            "title",
            "description",
            "severity",
            "source",
            "status",
            "project",
            "department",
            "owner",
            "raised_by",
            "raised_at",
            "cause",
            "due_date",
            "closed_at",
            "escalated_to_gm_at",
            "source_type",
            "source_id",
            "source_url",
            "version",
            "actions",
        ]
        # Server-set: the code, the workflow state, the dates the services stamp, the version, and
        # where the finding came from (`source_type`/`source_id`/`source_url` are written only by the
        # service that creates a finding from that source: an audit item, a KPI miss, a complaint).
        read_only_fields = [
            "code",
            "status",
            "raised_at",
            "cause",
            "closed_at",
            "escalated_to_gm_at",
            "version",
            "source_type",
            "source_id",
            "source_url",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # A client may only name projects it can see; anything else reads as "does not exist".
        self.fields["project"].queryset = visible_projects(request.user if request else None)


class FindingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = FindingSerializer

    def get_queryset(self):
        p = self.request.query_params
        qs = selectors.finding_list(
            self.request.user,
            today=timezone.localdate(),
            q=p.get("q", ""),
            severity=p.get("severity", ""),
            status=p.get("status", ""),
            source=p.get("source", ""),
            project_id=p.get("project", ""),
            overdue=p.get("overdue") in ("1", "true"),
        )
        return qs.select_related("raised_by").prefetch_related("actions__owner")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        try:
            finding = services.finding_create(
                actor=request.user,
                title=d["title"],
                description=d["description"],
                severity=d["severity"],
                source=d.get("source", Finding.Source.MANUAL),
                project=d.get("project"),
                department=d.get("department"),
                owner=d.get("owner"),
                due_date=d.get("due_date"),
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc) or None) from exc
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc
        return Response(self.get_serializer(finding).data, status=status.HTTP_201_CREATED)
