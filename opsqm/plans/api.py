"""/api/v1/plans/ and /api/v1/plan-activities/: read-only, the same visibility as the plan pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from opsqm.plans import selectors, services
from opsqm.plans.models import ActivityStatus, PlanActivity, QualityPlan


class ActivitySerializer(serializers.ModelSerializer):
    plan_year = serializers.IntegerField(source="plan.year", read_only=True)
    type_label = serializers.CharField(source="get_type_display", read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True)
    owner_name = serializers.SerializerMethodField()
    projects = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()

    class Meta:
        model = PlanActivity
        fields = [
            "id",
            "plan",
            "plan_year",
            "type",
            "type_label",
            "title",
            "scope_org",
            "projects",
            "owner",
            "owner_name",
            "due_date",
            "output",
            "status",
            "status_label",
            "done_at",
            "linked_label",
        ]
        read_only_fields = fields

    def _today(self):
        ctx = self.context
        if "today" not in ctx:
            ctx["today"] = services.today()
        return ctx["today"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_owner_name(self, obj: PlanActivity) -> str:
        return obj.owner.get_full_name() or obj.owner.username

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_projects(self, obj: PlanActivity) -> list[str]:
        return [p.code for p in obj.projects.all()]

    @extend_schema_field(serializers.ChoiceField(choices=ActivityStatus.choices))
    def get_status(self, obj: PlanActivity) -> str:
        """As on the plan page: a not-done activity past its due date reads 已逾期."""
        return str(obj.shown_status(self._today()))

    @extend_schema_field(OpenApiTypes.STR)
    def get_status_label(self, obj: PlanActivity) -> str:
        return obj.shown_status_label(self._today())


class ObjectiveSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="objective.id")
    indicator = serializers.CharField(source="objective.indicator")
    formula = serializers.CharField(source="objective.formula")
    kpi = serializers.CharField(source="objective.kpi")
    unit = serializers.CharField(source="objective.unit")
    period = serializers.CharField(source="objective.period")
    higher_is_better = serializers.BooleanField(source="objective.higher_is_better")
    target = serializers.DecimalField(source="objective.target", max_digits=14, decimal_places=4)
    actual = serializers.FloatField(allow_null=True)
    target_display = serializers.CharField()
    actual_display = serializers.CharField()
    attained = serializers.BooleanField(allow_null=True)
    source = serializers.CharField()


class PlanSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = QualityPlan
        fields = ["id", "year", "title", "status", "status_label", "revision", "submitted_at", "approved_at"]
        read_only_fields = fields


class PlanDetailSerializer(PlanSerializer):
    objectives = serializers.SerializerMethodField()
    activities = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "objectives", "activities"]
        read_only_fields = fields

    @extend_schema_field(ObjectiveSerializer(many=True))
    def get_objectives(self, obj: QualityPlan) -> list[dict[str, Any]]:
        return ObjectiveSerializer(selectors.objective_attainment(obj, services.today()), many=True).data

    @extend_schema_field(ActivitySerializer(many=True))
    def get_activities(self, obj: QualityPlan) -> list[dict[str, Any]]:
        """Only the activities this user may see (the plan page's rule)."""
        user = self.context["request"].user
        return ActivitySerializer(selectors.visible_activities(user, obj), many=True, context=self.context).data


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Annual quality plans; the detail carries objectives with attainment and the activities the user may see."""

    def get_serializer_class(self):
        return PlanDetailSerializer if self.action == "retrieve" else PlanSerializer

    def get_queryset(self):
        qs = selectors.plans_for(self.request.user).order_by("-year", "id")
        if self.action == "retrieve":
            qs = qs.prefetch_related("objectives")
        return qs


YEAR = OpenApiParameter("year", OpenApiTypes.INT, required=False, description="计划年度")
STATUS = OpenApiParameter("status", OpenApiTypes.STR, required=False, enum=ActivityStatus.values, description="状态（已逾期按到期日计算）")
MINE = OpenApiParameter("mine", OpenApiTypes.STR, required=False, description="1：本人负责或本人项目的活动")


class PlanActivityViewSet(viewsets.ReadOnlyModelViewSet):
    """Plan activities the user may see (org-wide roles: all; others: their own, org-level, and their projects')."""

    serializer_class = ActivitySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user to scope by
            return PlanActivity.objects.none()
        user = self.request.user
        qs = selectors.visible_activities(user).prefetch_related(Prefetch("projects"))
        if self.action == "list":
            params = self.request.query_params
            year = params.get("year", "")
            if year:
                if not year.isdigit():
                    raise ValidationError({"year": "年度应为数字，如 2026。"})
                qs = qs.filter(plan__year=int(year))
            status = params.get("status", "")
            if status:
                if status not in ActivityStatus.values:
                    raise ValidationError({"status": "状态应为 planned、in_progress、done 或 overdue。"})
                today = services.today()
                if status == ActivityStatus.OVERDUE:
                    qs = qs.exclude(status=ActivityStatus.DONE).filter(due_date__lt=today)
                elif status == ActivityStatus.DONE:
                    qs = qs.filter(status=ActivityStatus.DONE)
                else:  # shown as planned / in progress only while not yet overdue
                    qs = qs.filter(status=status, due_date__gte=today)
            if params.get("mine"):
                qs = selectors.activities_owed_by(qs, user)
        return qs.order_by("due_date", "id")

    @extend_schema(parameters=[YEAR, STATUS, MINE])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
