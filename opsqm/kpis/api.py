"""GET /api/v1/kpis/?project=CODE&granularity=month|quarter&year=YYYY&cutoff=ISO-8601

KPI values with their counts and targets, under the same access policy as the KPI pages.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from opsqm.accounts.access import visible_projects
from opsqm.core.kpi import KPI_DEFINITIONS, Granularity
from opsqm.kpis.results import kpi_results
from opsqm.kpis.selectors import parse_cutoff


class KpiResultSerializer(serializers.Serializer):
    project = serializers.CharField(allow_null=True, help_text="项目编号；全公司汇总行为 null")
    period = serializers.CharField(help_text='"2026-01"（按月）或 "2026-Q1"（按季度）')
    kpi = serializers.ChoiceField(choices=[c.value for c in KPI_DEFINITIONS])
    value = serializers.FloatField(
        allow_null=True,
        help_text=(
            "比率为 0–1 小数；mttr 为小时；customer_satisfaction 为 0–100 分（保留一位小数，与 /api/v1/satisfaction/ 相同）；"
            "分母为 0 或样本不足时为 null"
        ),
    )
    numerator = serializers.FloatField(
        allow_null=True, help_text=("mttr 为工作时间秒数之和；customer_satisfaction 恒为 null（满意度是加权平均分，不是计数之比）")
    )
    denominator = serializers.IntegerField(
        help_text=("customer_satisfaction 为得分所依据的答卷数（客户级答卷计入该客户的每个项目；全公司行为计入得分的各项目答卷数之和）")
    )
    target = serializers.FloatField(allow_null=True)
    met = serializers.BooleanField(allow_null=True, help_text="是否达标；无数值或无目标时为 null")


KpiResponse = inline_serializer(
    "KpiResponse",
    {
        "cutoff": serializers.DateTimeField(),
        "granularity": serializers.ChoiceField(choices=[g.value for g in Granularity]),
        "results": KpiResultSerializer(many=True),
    },
)


def _parse_cutoff(raw: str) -> datetime | None:
    """A date (the end of that local day, as on the pages) or a date-time (naive = local time)."""
    raw = raw.strip()
    if not raw:
        return None
    if len(raw) == 10:
        try:
            date.fromisoformat(raw)
        except ValueError:
            raise ValidationError({"cutoff": _("截止时点应为 ISO 8601 日期或时间，例如 2026-03-31 或 2026-03-31T18:00:00+08:00。")})
        return parse_cutoff(raw, settings.TIME_ZONE)
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError({"cutoff": _("截止时点应为 ISO 8601 日期或时间，例如 2026-03-31 或 2026-03-31T18:00:00+08:00。")})
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    return value.astimezone(UTC)


class KpiView(APIView):
    @extend_schema(
        summary="服务质量指标（按项目与期间）",
        parameters=[
            OpenApiParameter("project", OpenApiTypes.STR, description="项目编号；省略时为全部可见项目（及组织级角色的全公司行）"),
            OpenApiParameter("granularity", OpenApiTypes.STR, enum=["month", "quarter"], description="默认 month"),
            OpenApiParameter("year", OpenApiTypes.INT, description="默认今年"),
            OpenApiParameter("cutoff", OpenApiTypes.STR, description="ISO 8601 日期或时间；省略为现在"),
        ],
        responses={200: KpiResponse},
    )
    def get(self, request):
        params = request.query_params
        granularity = params.get("granularity", "month").strip() or "month"
        if granularity not in (Granularity.MONTH, Granularity.QUARTER):
            raise ValidationError({"granularity": _("granularity 只能是 month 或 quarter。")})
        raw_year = params.get("year", "").strip()
        this_year = timezone.localdate().year
        try:
            year = int(raw_year) if raw_year else this_year
        except ValueError:
            raise ValidationError({"year": _("year 应为四位年份，例如 2026。")})
        if not 2000 <= year <= this_year + 1:
            raise ValidationError({"year": _("year 应在 2000 至 %(max)s 之间。") % {"max": this_year + 1}})
        cutoff = _parse_cutoff(params.get("cutoff", ""))
        project = None
        code = params.get("project", "").strip()
        if code:
            project = visible_projects(request.user).filter(code=code).first()
            if project is None:
                raise Http404  # unknown and foreign projects answer alike
        results = kpi_results(user=request.user, project=project, granularity=granularity, year=year, cutoff=cutoff)
        at = cutoff if cutoff is not None and cutoff < timezone.now() else timezone.now()
        return Response(
            {
                "cutoff": at.isoformat(),
                "granularity": granularity,
                "results": [
                    {
                        "project": None if r.project is None else r.project.code,
                        "period": r.period.key,
                        "kpi": r.kpi.value,
                        "value": r.value,
                        "numerator": r.numerator,
                        "denominator": r.denominator,
                        "target": None if r.target is None else float(r.target),
                        "met": r.met,
                    }
                    for r in results
                ],
            }
        )
