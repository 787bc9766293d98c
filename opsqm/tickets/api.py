"""REST API: push tickets into a project and list them with their SLA results.

POST /api/v1/projects/{project_id}/tickets/   JSON list (≤ 5,000) → upsert, all-or-nothing
GET  /api/v1/projects/{project_id}/tickets/?period=2026-03&priority=P1
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from opsqm.accounts.access import get_project_or_404
from opsqm.tickets import selectors, services
from opsqm.tickets.models import SlaStatus, Ticket


class TicketSerializer(serializers.ModelSerializer):
    ticket_no = serializers.CharField(source="number")
    response_status_display = serializers.CharField(source="get_response_status_display")
    resolution_status_display = serializers.CharField(source="get_resolution_status_display")

    class Meta:
        model = Ticket
        fields = [
            "id",
            "ticket_no",
            "priority",
            "type",
            "status",
            "title",
            "contact",
            "created_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "reopen_count",
            "first_contact_resolution",
            "source",
            "updated_at",
            "response_seconds",
            "resolution_seconds",
            "paused_seconds",
            "response_status",
            "response_status_display",
            "resolution_status",
            "resolution_status_display",
            "response_due",
            "resolution_due",
            "sla_cutoff",
        ]
        read_only_fields = fields


class TicketInSerializer(serializers.Serializer):
    """Documentation of one pushed item (validated by the service, not here)."""

    ticket_no = serializers.CharField(max_length=64)
    priority = serializers.CharField(max_length=16)
    created_at = serializers.DateTimeField(help_text="ISO 8601；不带时区时按项目时区")
    first_response_at = serializers.DateTimeField(required=False, allow_null=True)
    resolved_at = serializers.DateTimeField(required=False, allow_null=True)
    closed_at = serializers.DateTimeField(required=False, allow_null=True)
    type = serializers.CharField(required=False, allow_blank=True)
    status = serializers.CharField(required=False, allow_blank=True)
    title = serializers.CharField(required=False, allow_blank=True)
    contact = serializers.CharField(required=False, allow_blank=True)
    reopen_count = serializers.IntegerField(required=False, min_value=0)
    first_contact_resolution = serializers.BooleanField(required=False, allow_null=True)
    pauses = serializers.ListField(
        child=serializers.DictField(), required=False, help_text='[{"start": "...", "end": "..."}]，end 为 null 表示仍在挂起'
    )


class TicketViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = TicketSerializer

    def _project(self):
        if not hasattr(self, "_project_cache"):
            self._project_cache = get_project_or_404(self.request.user, pk=self.kwargs["project_id"])
        return self._project_cache

    def get_queryset(self):
        params = self.request.query_params
        return selectors.ticket_list(
            self._project(),
            period=params.get("period", ""),
            priority=params.get("priority", ""),
            sla=params.get("sla", ""),
            q=params.get("q", ""),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("project_id", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("period", OpenApiTypes.STR, description="创建月份 YYYY-MM（项目时区）"),
            OpenApiParameter("priority", OpenApiTypes.STR),
            OpenApiParameter("sla", OpenApiTypes.STR, enum=["met", "breached", "pending"]),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        parameters=[OpenApiParameter("project_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=TicketInSerializer(many=True),
        responses={
            200: inline_serializer(
                "TicketPushResult",
                {
                    "total": serializers.IntegerField(),
                    "created": serializers.IntegerField(),
                    "updated": serializers.IntegerField(),
                    "unchanged": serializers.IntegerField(),
                },
            )
        },
    )
    def create(self, request, *args, **kwargs):
        project = self._project()  # 404 for projects the user cannot see
        try:
            outcome = services.tickets_push(actor=request.user, project=project, items=request.data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc) or None) from exc
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from exc
        if not outcome.ok:
            return Response(
                {
                    "detail": outcome.message,
                    "errors": [{"item": e.row, "field": e.column, "value": e.value, "reason": e.reason} for e in outcome.errors or []],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"total": outcome.total, "created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged})


__all__ = ["TicketViewSet", "SlaStatus"]
