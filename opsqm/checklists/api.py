"""/api/v1/checklists/: the library, read-only (org-level master data, readable by every user)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from opsqm.checklists import selectors
from opsqm.checklists.models import ChecklistItem, ChecklistTemplate, ChecklistVersion


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["position", "urn", "ref_id", "parent_urn", "order", "depth", "text", "guidance", "evidence", "assessable", "area"]
        read_only_fields = fields


class VersionSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)

    class Meta:
        model = ChecklistVersion
        fields = ["id", "number", "origin", "created_by", "created_at", "change_note", "item_count", "checksum"]
        read_only_fields = fields


class TemplateSerializer(serializers.ModelSerializer):
    current_version = VersionSerializer(read_only=True)

    class Meta:
        model = ChecklistTemplate
        fields = [
            "id",
            "urn",
            "ref_id",
            "name",
            "name_en",
            "kind",
            "element",
            "phase",
            "source",
            "description",
            "active",
            "current_version",
        ]
        read_only_fields = fields


class TemplateDetailSerializer(TemplateSerializer):
    version = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()

    class Meta(TemplateSerializer.Meta):
        fields = TemplateSerializer.Meta.fields + ["version", "items"]

    @extend_schema_field(OpenApiTypes.INT)
    def get_version(self, template: ChecklistTemplate) -> int:
        return self.context["version"].number

    @extend_schema_field(ItemSerializer(many=True))
    def get_items(self, template: ChecklistTemplate) -> list[dict]:
        return ItemSerializer(selectors.version_items(self.context["version"]), many=True).data


class ChecklistViewSet(viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        params = self.request.query_params
        return selectors.template_list(
            q=params.get("q", "")[:100], kind=params.get("kind", ""), element=params.get("element", ""), phase=params.get("phase", "")
        )

    def get_serializer_class(self):
        return TemplateDetailSerializer if self.action == "retrieve" else TemplateSerializer

    @extend_schema(parameters=[OpenApiParameter("version", int, description="版本号；省略为当前版本")])
    def retrieve(self, request, *args, **kwargs):
        template = self.get_object()
        number = request.query_params.get("version")
        try:
            version = template.versions.get(number=int(number)) if number else template.current_version
        except (ValueError, ChecklistVersion.DoesNotExist) as exc:
            raise Http404 from exc
        if version is None:
            raise Http404
        return Response(TemplateDetailSerializer(template, context={"request": request, "version": version}).data)

    @extend_schema(responses=VersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request, pk=None):
        return Response(VersionSerializer(selectors.template_versions(self.get_object()), many=True).data)
