"""/api/v1/documents/: read-only, the same visibility as the document pages; files only through the
access-checked download URL (records:evidence_download), never their content."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from opsqm.documents import selectors
from opsqm.documents.models import ControlledDocument, DocumentVersion, VersionStatus


class DocumentVersionSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = ["id", "label", "change_note", "status", "status_label", "approved_at", "effective_date", "obsoleted_at", "download_url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, obj: DocumentVersion) -> str | None:
        if obj.file_id is None:
            return None
        url = reverse("records:evidence_download", args=[obj.file_id])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class DocumentSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="doc_type", read_only=True)
    type_label = serializers.CharField(source="get_doc_type_display", read_only=True)
    status = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()
    owner = serializers.CharField(source="owner.username", read_only=True)
    effective_version = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta:
        model = ControlledDocument
        fields = [
            "id",
            "code",
            "title",
            "type",
            "type_label",
            "status",
            "status_label",
            "owner",
            "next_review_date",
            "effective_version",
            "versions",
        ]
        read_only_fields = fields

    @staticmethod
    def _effective(obj: ControlledDocument) -> DocumentVersion | None:
        return next((v for v in obj.api_versions if v.status == VersionStatus.EFFECTIVE), None)

    @extend_schema_field(OpenApiTypes.STR)
    def get_status(self, obj: ControlledDocument) -> str:
        """The document's state as the list page filters it: `effective` when a version is in force, else `none`."""
        return "effective" if self._effective(obj) else "none"

    @extend_schema_field(OpenApiTypes.STR)
    def get_status_label(self, obj: ControlledDocument) -> str:
        return gettext("有现行版本") if self._effective(obj) else gettext("尚无现行版本")

    @extend_schema_field(DocumentVersionSerializer(allow_null=True))
    def get_effective_version(self, obj: ControlledDocument) -> dict[str, Any] | None:
        effective = self._effective(obj)
        return DocumentVersionSerializer(effective, context=self.context).data if effective else None

    @extend_schema_field(DocumentVersionSerializer(many=True))
    def get_versions(self, obj: ControlledDocument) -> list[dict[str, Any]]:
        return DocumentVersionSerializer(obj.api_versions, many=True, context=self.context).data


class DocumentViewSet(viewsets.ReadOnlyModelViewSet):
    """Controlled documents (every internal user; an external reviewer none), each with its versions."""

    serializer_class = DocumentSerializer

    def get_queryset(self):
        user = self.request.user
        versions = selectors.versions_visible_to(user).order_by("-created_at", "-id")
        return (
            selectors.documents_visible_to(user)
            .prefetch_related(Prefetch("versions", queryset=versions, to_attr="api_versions"))
            .order_by("code", "id")
        )
