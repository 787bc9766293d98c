"""/api/v1/quarterly-reviews/: read-only, the same visibility as the quarterly review pages."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from opsqm.quarterly import selectors
from opsqm.quarterly.models import QuarterlyReview


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.CharField(source="project.code")
    owner = serializers.CharField(source="owner.username")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    submitted_at = serializers.DateTimeField(allow_null=True)


class QuarterlyReviewSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="key", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    submissions = SubmissionSerializer(many=True, read_only=True)
    analysis = serializers.SerializerMethodField()
    requirements = serializers.SerializerMethodField()

    class Meta:
        model = QuarterlyReview
        fields = [
            "id",
            "year",
            "quarter",
            "period",
            "status",
            "status_label",
            "due_date",
            "opened_at",
            "reported_at",
            "closed_at",
            "submissions",
            "analysis",
            "requirements",
        ]
        read_only_fields = fields

    def _allowed(self) -> bool:
        request = self.context.get("request")
        return bool(request and selectors.can_see_reviews(request.user))

    @extend_schema_field(OpenApiTypes.STR)
    def get_analysis(self, obj: QuarterlyReview) -> str | None:
        """The company-wide analysis: only for those who may read the review page (else null)."""
        return obj.analysis if self._allowed() else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_requirements(self, obj: QuarterlyReview) -> str | None:
        return obj.requirements if self._allowed() else None


class QuarterlyReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """Quarterly KPI reviews with each project's submission status: org-wide roles see every review with its
    analysis; an O&M manager sees, as on the list page, the reviews holding their own submissions — only
    those submissions, and no company-wide analysis (null)."""

    serializer_class = QuarterlyReviewSerializer

    def get_queryset(self):
        user = self.request.user
        subs = selectors.submissions_for(user) if selectors.can_see_reviews(user) else selectors.own_submissions(user)
        subs = subs.order_by("project__code", "id")
        return (
            selectors.reviews_listed_for(user).prefetch_related(Prefetch("submissions", queryset=subs)).order_by("-year", "-quarter", "id")
        )
