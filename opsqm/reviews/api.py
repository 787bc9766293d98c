"""/api/v1/management-reviews/: read-only, the same visibility as the management review pages."""

from __future__ import annotations

from django.db.models import Prefetch
from rest_framework import serializers, viewsets

from opsqm.reviews import selectors
from opsqm.reviews.models import AgendaItem, ManagementReview, ReviewAction


class ReviewActionSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ReviewAction
        fields = ["id", "code", "kind", "kind_label", "decision", "owner", "due_date", "status", "status_label", "done_at", "result_note"]
        read_only_fields = fields


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["position", "title", "minutes"]
        read_only_fields = fields


class ManagementReviewSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    chair = serializers.CharField(source="chair.username", read_only=True)
    organizer = serializers.CharField(source="organizer.username", read_only=True)
    attendees = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    attended = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    agenda = AgendaItemSerializer(many=True, read_only=True)
    actions = ReviewActionSerializer(many=True, read_only=True)

    class Meta:
        model = ManagementReview
        fields = [
            "id",
            "year",
            "title",
            "status",
            "status_label",
            "planned_date",
            "place",
            "chair",
            "organizer",
            "attendees",
            "attended",
            "held_at",
            "conclusion",
            "agenda",
            "report_issued_at",
            "approved_at",
            "actions",
        ]
        read_only_fields = fields


class ManagementReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """Management reviews the user may see (management and the quality department; otherwise those they
    were invited to, chair, organise or own an action of), with the meeting and the tracked actions."""

    serializer_class = ManagementReviewSerializer

    def get_queryset(self):
        return (
            selectors.reviews_visible_to(self.request.user)
            .prefetch_related(
                "attendees",
                "attended",
                Prefetch("agenda", queryset=AgendaItem.objects.order_by("position")),
                Prefetch("actions", queryset=ReviewAction.objects.select_related("owner").order_by("code")),
            )
            .order_by("-year", "id")
        )
