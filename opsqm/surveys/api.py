"""/api/v1/satisfaction/ and /api/v1/survey-responses/: read-only, same access policy as the pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from opsqm.accounts.access import visible_projects
from opsqm.core import satisfaction as core
from opsqm.surveys import selectors
from opsqm.surveys.models import Question, Response

PERIOD = OpenApiParameter("period", OpenApiTypes.STR, required=True, description="2026、2026-Q3 或 2026-09")
PROJECT = OpenApiParameter("project", OpenApiTypes.STR, required=False, description="项目编号")


def _period(request: Request) -> core.SurveyPeriod:
    try:
        return core.parse_period(request.query_params.get("period", ""))
    except ValueError as exc:
        raise ValidationError({"period": "期间格式应为 2026、2026-Q3 或 2026-09。"}) from exc


_level = inline_serializer("SatisfactionLevel", {"score": serializers.FloatField(), "responses": serializers.IntegerField()})


class SatisfactionProjectSerializer(serializers.Serializer):
    project = serializers.CharField()
    customer = serializers.CharField()
    levels = serializers.DictField(child=_level)
    score = serializers.FloatField(allow_null=True)
    band = serializers.CharField(allow_null=True)


class SatisfactionSerializer(serializers.Serializer):
    period = serializers.CharField()
    projects = SatisfactionProjectSerializer(many=True)
    company = inline_serializer(
        "SatisfactionCompany",
        {
            "equal": serializers.FloatField(allow_null=True),
            "contract_value": serializers.FloatField(allow_null=True),
            "responses": serializers.FloatField(allow_null=True),
        },
    )


class SatisfactionViewSet(viewsets.ViewSet):
    """Project and company satisfaction of a period (a level without enough responses is absent)."""

    @extend_schema(parameters=[PERIOD, PROJECT], responses=SatisfactionSerializer)
    def list(self, request: Request) -> ApiResponse:
        period = _period(request)
        code = request.query_params.get("project") or None
        if code is not None and not visible_projects(request.user).filter(code=code).exists():
            raise NotFound
        return ApiResponse(selectors.satisfaction_results(user=request.user, period=period.code, project_code=code))


class SurveyAnswerSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    scale_min = serializers.IntegerField()
    scale_max = serializers.IntegerField()
    weight = serializers.FloatField()


class SurveyResponseSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code", allow_null=True, default=None, read_only=True)
    customer = serializers.CharField(source="customer.code", read_only=True)
    answers = serializers.SerializerMethodField()

    class Meta:
        model = Response
        fields = ["id", "level", "project", "customer", "submitted_at", "score", "answers"]
        read_only_fields = fields

    @extend_schema(responses=SurveyAnswerSerializer(many=True))
    def get_answers(self, obj: Response) -> list[dict[str, Any]]:
        return [
            {"value": a.value, "scale_min": a.question.scale_min, "scale_max": a.question.scale_max, "weight": a.question.weight}
            for a in obj.answers.all()
            if a.question.kind == Question.Kind.RATING
        ]


class SurveyResponseViewSet(viewsets.ReadOnlyModelViewSet):
    """Responses of a period with every rating answer (text and choice answers left out)."""

    serializer_class = SurveyResponseSerializer

    def get_queryset(self):
        qs = selectors.responses_visible_to(self.request.user).select_related("project", "customer").prefetch_related("answers__question")
        if self.action == "list":
            qs = (
                selectors.responses_in_period(self.request.user, _period(self.request))
                .select_related("project", "customer")
                .prefetch_related("answers__question")
            )
        return qs.order_by("submitted_at", "id")

    @extend_schema(parameters=[PERIOD])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
