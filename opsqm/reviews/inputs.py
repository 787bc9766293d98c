"""The management review's inputs (ISO/IEC 20000-1 §9.3), assembled from the records of a period.

The period of a review of `year` runs from 1 January of that year to the chosen as-of date
(inclusive, local days). Every section is plain JSON so it is frozen as the meeting saw it:

    {"summary": str, "tables": [{"title", "headers", "rows"}], "chart": {"title", "labels", "series": [{"name", "values"}]} | None,
     "text": str, "unavailable": bool}

Satisfaction: when `opsqm.surveys` is installed this module calls
`opsqm.surveys.review_input.review_input(start: date, end: date) -> dict` (same section shape), whose tables
include the complaint register; when the app is not installed the section says so and lists complaint findings.

KPIs: against the year's quality objectives of the annual plan (`opsqm.plans`) when a plan of the year exists,
plus the catalogue's ticket KPIs against the organisation's targets.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsqm.reviews.models import ActionStatus, InputKey, ManagementReview, ReviewAction

ORDER = [
    InputKey.PREVIOUS_ACTIONS,
    InputKey.AUDITS,
    InputKey.KPIS,
    InputKey.SATISFACTION,
    InputKey.FINDINGS,
    InputKey.IMPROVEMENTS,
    InputKey.CHANGES,
    InputKey.RESOURCES,
    InputKey.RISKS,
]
AGE_BUCKETS = ((30, gettext_lazy("≤30 天")), (90, gettext_lazy("31–90 天")), (None, gettext_lazy(">90 天")))


@dataclass(frozen=True)
class ReviewPeriod:
    year: int
    start: dt.date
    end: dt.date  # inclusive

    @property
    def start_dt(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_dt(self) -> dt.datetime:
        """Exclusive upper bound: the first instant after the as-of day."""
        return timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min))

    def label(self) -> str:
        return _("%(a)s 至 %(b)s") % {"a": self.start.isoformat(), "b": self.end.isoformat()}


def period_for(year: int, as_of: dt.date) -> ReviewPeriod:
    return ReviewPeriod(year, dt.date(year, 1, 1), as_of)


def _section(
    summary: str = "", tables: list[dict] | None = None, chart: dict | None = None, text: str = "", unavailable: bool = False
) -> dict[str, Any]:
    return {"summary": summary, "tables": tables or [], "chart": chart, "text": text, "unavailable": unavailable}


def _d(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date().isoformat()
    return value.isoformat()


# ---------------------------------------------------------------- sections


def previous_actions(period: ReviewPeriod) -> dict[str, Any]:
    actions = (
        ReviewAction.objects.filter(review__year__lt=period.year, created_at__lt=period.end_dt)
        .select_related("review", "owner")
        .order_by("review__year", "code")
    )
    rows, done, open_, overdue = [], 0, 0, 0
    for a in actions:
        if a.status == ActionStatus.DONE and a.done_at and a.done_at < period.end_dt:
            state, done = _("已完成"), done + 1
        elif a.status == ActionStatus.CANCELLED:
            state = _("已取消")
        else:
            late = a.due_date < period.end
            state, open_, overdue = (_("逾期未完成") if late else _("进行中")), open_ + 1, overdue + int(late)
        rows.append(
            [
                a.code,
                str(a.review.year),
                a.get_kind_display(),
                a.decision,
                a.owner.display_name,
                _d(a.due_date),
                state,
                a.result_note if state == _("已完成") else "",
            ]
        )
    summary = _("以往管理评审输出措施 %(n)d 项：已完成 %(d)d 项，未完成 %(o)d 项（其中逾期 %(l)d 项）。") % {
        "n": len(rows),
        "d": done,
        "o": open_,
        "l": overdue,
    }
    table = {
        "title": _("以往评审措施"),
        "headers": [_("编号"), _("评审年度"), _("类别"), _("决定/措施"), _("责任人"), _("期限"), _("状态"), _("完成情况")],
        "rows": rows,
    }
    return _section(summary, [table])


def audits(period: ReviewPeriod) -> dict[str, Any]:
    from opsqm.audits.models import Audit
    from opsqm.audits.selectors import conformance_by_audit, findings_of_audit

    qs = (
        Audit.objects.filter(planned_start__gte=period.start, planned_start__lte=period.end)
        .prefetch_related("projects")
        .order_by("planned_start", "code")
    )
    rows, labels, rates = [], [], []
    for audit, conf in conformance_by_audit(qs):
        findings = findings_of_audit(audit).values("severity").annotate(n=Count("id"))
        by_sev = {f["severity"]: f["n"] for f in findings}
        scope = "、".join(p.code for p in audit.projects.all()) or _("组织级")
        rows.append(
            [
                audit.code,
                audit.title,
                audit.get_kind_display(),
                f"{_d(audit.planned_start)}～{_d(audit.planned_end)}",
                scope,
                audit.get_stage_display(),
                str(conf.counted),
                conf.rate_percent,
                str(by_sev.get("major", 0)),
                str(by_sev.get("minor", 0)),
                str(by_sev.get("observation", 0)),
            ]
        )
        labels.append(audit.code)
        rates.append(round(conf.rate * 100, 1) if conf.rate is not None else None)
    summary = _("期间内审核/检查 %(n)d 次。") % {"n": len(rows)}
    table = {
        "title": _("审核结果与符合率"),
        "headers": [
            _("编号"),
            _("名称"),
            _("类别"),
            _("日期"),
            _("范围"),
            _("阶段"),
            _("评价项"),
            _("符合率"),
            _("严重不符合"),
            _("一般不符合"),
            _("观察项"),
        ],
        "rows": rows,
    }
    chart = {"title": _("各次审核符合率（%）"), "labels": labels, "series": [{"name": _("符合率"), "values": rates}]} if rows else None
    return _section(summary, [table], chart)


def _year_plan(year: int) -> Any | None:
    """The annual quality plan of `year` (opsqm.plans), approved or not; None when there is none."""
    if not apps.is_installed("opsqm.plans"):
        return None
    from opsqm.plans.models import QualityPlan

    return QualityPlan.objects.filter(year=year).first()


def _fmt_unit(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{float(value) * 100:.1f}%"
    if unit == "h":
        return f"{float(value):.1f} h"
    return _("%(n)s 次") % {"n": f"{float(value):g}"}


def kpis(period: ReviewPeriod) -> dict[str, Any]:
    """KPI results of the year up to the as-of date against the year's quality objectives (the annual plan's,
    when a plan of the year exists), and the catalogue's other ticket KPIs against the organisation's targets."""
    import numpy as np

    from opsqm.core.kpi import TICKET_KPIS, KpiCode, Period, attainment
    from opsqm.kpis import selectors as k

    data = k.year_data(period.year, cutoff=period.end_dt)
    quarters = [q for q in range(1, 5) if dt.date(period.year, 3 * q - 2, 1) <= period.end]
    counters = sum(
        (k.counters_for(data, None, Period(period.year, quarter=q)) for q in quarters), start=np.zeros(len(k.COUNTERS), dtype=np.int64)
    )
    plan = _year_plan(period.year)
    tables: list[dict[str, Any]] = []
    covered: set[Any] = set()
    objective_missed = objective_count = 0
    if plan is not None:
        rows = []
        for o in plan.objectives.all():
            code = next((c for c in TICKET_KPIS if c.value == o.kpi), None) if o.kpi else None
            if code is not None:
                covered.add(code)
                value = k.kpi_value(KpiCode(code), counters)
                actual, source = (
                    value.value,
                    _("指标库，年初至 %(d)s，全公司（%(n)s/%(m)s）")
                    % {"d": period.end.isoformat(), "n": value.numerator, "m": value.denominator},
                )
            else:
                actual, source = o.manual_actual, _("手工填写（年度质量计划）")
            ok = attainment(o.higher_is_better, actual, o.target)
            objective_count += 1
            objective_missed += int(ok is False)
            rows.append(
                [
                    o.indicator,
                    o.formula or "—",
                    ("≥ " if o.higher_is_better else "≤ ") + _fmt_unit(o.target, o.unit),
                    _fmt_unit(actual, o.unit),
                    "—" if ok is None else (_("达成") if ok else _("未达成")),
                    source,
                ]
            )
        tables.append(
            {
                "title": _("年度质量目标达成情况（%(p)s）") % {"p": plan.title},
                "headers": [_("质量目标"), _("计算公式"), _("目标值"), _("实际值"), _("达成"), _("数据来源")],
                "rows": rows,
            }
        )
    targets = k.targets_for([])[k.ORG]
    rows, missed = [], 0
    for code in TICKET_KPIS:
        if code in covered:
            continue
        cell = k.make_cell(code, k.kpi_value(code, counters), targets.get(code))
        verdict = "—" if cell.attained is None else (_("达标") if cell.attained else _("未达标"))
        missed += int(cell.attained is False)
        rows.append(
            [
                cell.definition.name_zh,
                cell.display,
                cell.target_display,
                verdict,
                f"{cell.value.numerator}/{cell.value.denominator}" if cell.value.denominator and cell.definition.unit == "%" else "—",
            ]
        )
    catalogue_title = _("其他服务质量指标（指标库目标值）") if plan is not None else _("指标结果与年度目标")
    tables.append({"title": catalogue_title, "headers": [_("指标"), _("实际值"), _("目标值"), _("达成"), _("分子/分母")], "rows": rows})
    if plan is not None:
        summary = _(
            "按《%(p)s》（%(s)s）的质量目标 %(n)d 项评价，未达成 %(m)d 项；指标库其他指标 %(k)d 项，未达标 %(j)d 项（统计至 %(d)s）。"
        ) % {
            "p": plan.title,
            "s": plan.get_status_display(),
            "n": objective_count,
            "m": objective_missed,
            "k": len(rows),
            "j": missed,
            "d": period.end.isoformat(),
        }
    else:
        summary = _("本年度尚无年度质量管理计划，按指标库目标值评价：全公司服务质量指标 %(n)d 项，未达标 %(m)d 项（统计至 %(d)s）。") % {
            "n": len(rows),
            "m": missed,
            "d": period.end.isoformat(),
        }
    return _section(summary, tables)


def satisfaction(period: ReviewPeriod) -> dict[str, Any]:
    """The surveys area's section (scores, response rates, the complaint register with handling and return
    visits) when installed. Complaints are listed once: by the surveys register then, else by the findings
    raised from complaints (source 客户投诉) as the only record opsqm holds of them."""
    if apps.is_installed("opsqm.surveys"):
        hook = importlib.import_module("opsqm.surveys.review_input")
        survey = hook.review_input(period.start, period.end)
        return _section(survey.get("summary", ""), list(survey.get("tables", [])), survey.get("chart"))
    from opsqm.findings.models import Finding

    complaints = (
        Finding.objects.filter(source=Finding.Source.COMPLAINT, raised_at__gte=period.start_dt, raised_at__lt=period.end_dt)
        .select_related("project")
        .order_by("raised_at")
    )
    rows = [
        [
            f.code,
            _d(f.raised_at),
            f.project.code if f.project_id else _("公司级"),
            f.title,
            f.get_severity_display(),
            f.get_status_display(),
        ]
        for f in complaints
    ]
    complaints_table = {
        "title": _("客户投诉"),
        "headers": [_("编号"), _("日期"), _("项目"), _("投诉内容"), _("等级"), _("处理状态")],
        "rows": rows,
    }
    return _section(
        _("满意度调查模块尚未启用，本节只列出期间登记的客户投诉（%(n)d 起）；满意度调查报告请另行附上。") % {"n": len(rows)},
        [complaints_table],
        unavailable=True,
    )


def findings(period: ReviewPeriod) -> dict[str, Any]:
    from opsqm.findings.models import CorrectiveAction, Finding

    raised = Finding.objects.filter(raised_at__gte=period.start_dt, raised_at__lt=period.end_dt)
    counts = {(r["severity"], r["status"]): r["n"] for r in raised.values("severity", "status").annotate(n=Count("id"))}
    statuses = list(Finding.Status)
    by_severity = [
        [
            str(sev.label),
            *[str(counts.get((sev.value, st.value), 0)) for st in statuses],
            str(sum(counts.get((sev.value, st.value), 0) for st in statuses)),
        ]
        for sev in Finding.Severity
    ]
    open_ages = [0, 0, 0]
    for raised_at in raised.exclude(status=Finding.Status.CLOSED).values_list("raised_at", flat=True):
        age = (period.end - timezone.localtime(raised_at).date()).days
        open_ages[0 if age <= 30 else 1 if age <= 90 else 2] += 1
    actions = CorrectiveAction.objects.filter(finding__in=raised)
    action_counts = {r["status"]: r["n"] for r in actions.values("status").annotate(n=Count("id"))}
    overdue = actions.filter(status=CorrectiveAction.Status.PLANNED, due_date__lt=period.end).count()
    total = sum(counts.values())
    closed = sum(n for (sev, st), n in counts.items() if st == Finding.Status.CLOSED)
    summary = _("期间登记问题 %(n)d 个，已关闭 %(c)d 个；纠正措施 %(a)d 项，逾期未实施 %(o)d 项。") % {
        "n": total,
        "c": closed,
        "a": sum(action_counts.values()),
        "o": overdue,
    }
    tables = [
        {"title": _("问题按等级与状态"), "headers": [_("等级"), *[str(s.label) for s in statuses], _("合计")], "rows": by_severity},
        {
            "title": _("未关闭问题的账龄（至输入截止日）"),
            "headers": [str(label) for _days, label in AGE_BUCKETS],
            "rows": [[str(n) for n in open_ages]],
        },
        {
            "title": _("纠正措施按状态"),
            "headers": [str(s.label) for s in CorrectiveAction.Status] + [_("其中逾期")],
            "rows": [[str(action_counts.get(s.value, 0)) for s in CorrectiveAction.Status] + [str(overdue)]],
        },
    ]
    chart = {
        "title": _("问题数量（按等级）"),
        "labels": [str(s.label) for s in Finding.Severity],
        "series": [
            {"name": _("已关闭"), "values": [counts.get((s.value, Finding.Status.CLOSED.value), 0) for s in Finding.Severity]},
            {
                "name": _("未关闭"),
                "values": [
                    sum(counts.get((s.value, st.value), 0) for st in statuses if st != Finding.Status.CLOSED) for s in Finding.Severity
                ],
            },
        ],
    }
    return _section(summary, tables, chart)


def improvements(period: ReviewPeriod) -> dict[str, Any]:
    from opsqm.documents.models import ProcedureFeedback
    from opsqm.findings.models import ImprovementItem

    items = (
        ImprovementItem.objects.filter(created_at__gte=period.start_dt, created_at__lt=period.end_dt)
        .select_related("owner", "project")
        .order_by("code")
    )
    rows = [
        [
            i.code,
            i.title,
            i.project.code if i.project_id else _("公司级"),
            i.owner.display_name,
            _d(i.due_date),
            f"{i.progress}%",
            i.get_status_display(),
        ]
        for i in items
    ]
    feedback = ProcedureFeedback.objects.filter(created_at__gte=period.start_dt, created_at__lt=period.end_dt)
    fb = {r["status"]: r["n"] for r in feedback.values("status").annotate(n=Count("id"))}
    done = sum(1 for i in items if i.status == ImprovementItem.Status.DONE)
    summary = _("期间登记服务改进项 %(n)d 项，已完成 %(d)d 项；体系运行反馈 %(f)d 条（采纳 %(a)d 条）。") % {
        "n": len(rows),
        "d": done,
        "f": sum(fb.values()),
        "a": fb.get("accepted", 0),
    }
    tables = [
        {
            "title": _("服务改进计划"),
            "headers": [_("编号"), _("改进事项"), _("项目"), _("责任人"), _("计划完成"), _("进度"), _("状态")],
            "rows": rows,
        },
        {
            "title": _("体系运行反馈（体系运行监督）"),
            "headers": [_("待评审"), _("已采纳"), _("未采纳")],
            "rows": [[str(fb.get("submitted", 0)), str(fb.get("accepted", 0)), str(fb.get("rejected", 0))]],
        },
    ]
    return _section(summary, tables)


def free_text(review: ManagementReview, key: str) -> dict[str, Any]:
    text = {InputKey.CHANGES: review.changes_text, InputKey.RESOURCES: review.resources_text, InputKey.RISKS: review.risks_text}[key]
    return _section(text=text or "", summary="" if text else _("（尚未填写）"))


def assemble(review: ManagementReview, as_of: dt.date) -> dict[str, dict[str, Any]]:
    """All sections of `review` as of `as_of`, in the order of ORDER."""
    period = period_for(review.year, as_of)
    builders = {
        InputKey.PREVIOUS_ACTIONS: previous_actions,
        InputKey.AUDITS: audits,
        InputKey.KPIS: kpis,
        InputKey.SATISFACTION: satisfaction,
        InputKey.FINDINGS: findings,
        InputKey.IMPROVEMENTS: improvements,
    }
    out: dict[str, dict[str, Any]] = {}
    for key in ORDER:
        out[key] = builders[key](period) if key in builders else free_text(review, key)
        out[key]["period"] = period.label()
    return out
