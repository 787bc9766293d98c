"""Reads of the plans area: who sees what, plan-vs-actual rates, the month grid, attainment."""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from opsqm.accounts.access import is_external_reviewer, is_org_wide, visible_project_ids, visible_projects  # noqa: F401
from opsqm.accounts.roles import Role
from opsqm.plans.models import ActivityStatus, ActivityType, PlanActivity, ProjectQAPlan, QualityObjective, QualityPlan

# Internal staff see the plan (org-level activities and those of their projects); external reviewers do not.
_PLAN_READERS = {Role.QUALITY_MANAGER, Role.QUALITY_SPECIALIST, Role.OPS_MANAGER, Role.AUDITOR, Role.MGMT_REP, Role.GM_OFFICE, Role.ADMIN}


def can_see_plans(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in _PLAN_READERS and not is_external_reviewer(user))


def plans_for(user: Any) -> QuerySet[QualityPlan]:
    return QualityPlan.objects.all() if can_see_plans(user) else QualityPlan.objects.none()


def get_plan_or_404(user: Any, pk: int) -> QualityPlan:
    plan = plans_for(user).filter(pk=pk).select_related("drafted_by", "approved_by").first()
    if plan is None:
        raise Http404
    return plan


def visible_activities(user: Any, plan: QualityPlan | None = None) -> QuerySet[PlanActivity]:
    """Org-wide roles: all. Others: activities they own, org-level ones, and those of projects they see."""
    qs = PlanActivity.objects.all() if can_see_plans(user) else PlanActivity.objects.none()
    if plan is not None:
        qs = qs.filter(plan=plan)
    if not is_org_wide(user):
        from opsqm.org.models import Project

        foreign = Project.objects.filter(plan_activities=OuterRef("pk")).exclude(pk__in=visible_project_ids(user))
        qs = qs.filter(Q(owner=user) | ~Exists(foreign))
    return qs.select_related("owner", "plan").prefetch_related("projects")


def get_activity_or_404(user: Any, pk: int) -> PlanActivity:
    activity = visible_activities(user).filter(pk=pk).first()
    if activity is None:
        raise Http404
    return activity


# ---------------------------------------------------------------- plan vs actual


@dataclass
class Rate:
    label: str
    planned: int  # activities due in the bucket
    due: int  # of them, due by today
    done: int  # of them, done (at any time)
    on_time: int  # of them, done on or before their due date

    @property
    def rate(self) -> float | None:
        """Completion rate = done ÷ due-by-today; None when nothing is due yet."""
        return self.done / self.due if self.due else None

    @property
    def rate_display(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


def _done_date(a: PlanActivity) -> dt.date | None:
    from django.utils import timezone

    return timezone.localtime(a.done_at).date() if a.done_at else None


def completion_rates(activities: list[PlanActivity], today: dt.date) -> dict[str, list[Rate]]:
    """Plan vs actual by month of the due date and by activity type, plus the year total."""
    months = {m: Rate(f"{m} 月", 0, 0, 0, 0) for m in range(1, 13)}
    types = {t.value: Rate(str(t.label), 0, 0, 0, 0) for t in ActivityType}
    total = Rate("全年", 0, 0, 0, 0)
    for a in activities:
        is_due = a.due_date <= today
        is_done = a.status == ActivityStatus.DONE
        on_time = is_done and _done_date(a) is not None and _done_date(a) <= a.due_date
        for bucket in (months[a.due_date.month], types[a.type], total):
            bucket.planned += 1
            bucket.due += is_due
            bucket.done += is_done and is_due
            bucket.on_time += on_time and is_due
    return {"months": list(months.values()), "types": [r for r in types.values() if r.planned], "total": [total]}


# ---------------------------------------------------------------- month grid


def month_grid(year: int, month: int, activities: list[PlanActivity], cal: Any) -> list[list[dict[str, Any]]]:
    """Weeks (Monday first) of day cells: date, in-month, working day, the day's activities."""
    by_day: dict[dt.date, list[PlanActivity]] = {}
    for a in activities:
        by_day.setdefault(a.due_date, []).append(a)
    weeks = []
    for week in _cal.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [{"date": d, "in_month": d.month == month, "workday": cal.is_workday(d), "activities": by_day.get(d, [])} for d in week]
        )
    return weeks


# ---------------------------------------------------------------- objectives: attainment


@dataclass
class Attainment:
    objective: QualityObjective
    actual: float | Decimal | None
    actual_display: str
    target_display: str
    attained: bool | None
    source: str


def _fmt(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{float(value) * 100:.1f}%"
    if unit == "h":
        return f"{float(value):.1f} h"
    if unit == "分":
        return f"{float(value):.1f} 分"
    return f"{float(value):g} 次"


def objective_attainment(plan: QualityPlan, today: dt.date) -> list[Attainment]:
    """KPI-linked objectives take the year-to-date org value from the one KPI source; others the hand-entered value."""
    from opsqm.core.kpi import attainment as attained_fn
    from opsqm.quarterly.kpi_source import kpi_org_value

    rows = []
    for o in plan.objectives.all():
        if o.kpi:
            actual, source = kpi_org_value(o.kpi, plan.year, today), "指标库（年初至今，全公司）"
            if o.kpi == "customer_satisfaction" and actual is not None and o.unit == "%":
                actual = actual / 100  # a score of 0–100 against a target written as a fraction (0.9 = 90 分)
        else:
            actual, source = o.manual_actual, "手工填写"
        rows.append(
            Attainment(
                o,
                actual,
                _fmt(actual, o.unit),
                ("≥ " if o.higher_is_better else "≤ ") + _fmt(o.target, o.unit),
                attained_fn(o.higher_is_better, actual, o.target),
                source,
            )
        )
    return rows


def qa_plans_for(user: Any) -> QuerySet[ProjectQAPlan]:
    return ProjectQAPlan.objects.filter(project__in=visible_projects(user)).select_related("project", "drafted_by", "agreed_by")


def activities_owed_by(qs: QuerySet[PlanActivity], user: Any) -> QuerySet[PlanActivity]:
    """Of `qs`, the activities `user` owns or that belong to a project they run or look after
    (the cockpit of an O&M manager / quality specialist, and the plan page's "mine" filter)."""
    return qs.filter(Q(owner=user) | Q(projects__ops_manager=user) | Q(projects__quality_specialist=user)).distinct()
