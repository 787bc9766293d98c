"""Cockpit panels of the annual plan: plan-vs-actual completion of the year with overdue activities,
and the activities due in the next 30 days. Activities are read through `visible_activities`
(org-wide roles: all; others: their own, org-level ones and those of their projects)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsqm.dashboards.panels import Panel, Scope

UPCOMING_DAYS = 30
# 内审员 and 外部评审 have their own cockpit (audits / the granted scope).
_ROLES = frozenset({"quality_manager", "gm_office", "mgmt_rep", "admin", "quality_specialist", "ops_manager"})


def _plan_and_activities(scope: Scope):
    from opsqm.plans.selectors import activities_owed_by, plans_for, visible_activities

    plan = plans_for(scope.user).filter(year=scope.today.year).first()
    if plan is None:
        return None, []
    qs = visible_activities(scope.user, plan)
    if scope.project is not None:
        qs = qs.filter(projects=scope.project)
    elif not scope.leadership:
        qs = activities_owed_by(qs, scope.user)
    return plan, list(qs.order_by("due_date", "pk"))


def _url(plan: Any, scope: Scope, **params: Any) -> str:
    if scope.project is not None:
        params["project"] = scope.project.pk
    elif not scope.leadership:
        params["mine"] = 1
    query = urlencode({k: v for k, v in params.items() if v not in ("", None)})
    return reverse("plans:detail", args=[plan.pk]) + (f"?{query}" if query else "")


def build_progress(scope: Scope) -> dict[str, Any] | None:
    from opsqm.plans.models import ActivityStatus
    from opsqm.plans.selectors import completion_rates

    plan, activities = _plan_and_activities(scope)
    if plan is None or (scope.project is not None and not activities):
        return None
    rates = completion_rates(activities, scope.today)
    total = rates["total"][0]
    overdue = [a for a in activities if a.shown_status(scope.today) == ActivityStatus.OVERDUE]
    if not scope.leadership and scope.project is None:
        # 运维经理 / 质量专员: what they own first.
        overdue.sort(key=lambda a: (a.owner_id != scope.user.pk, a.due_date))
    for a in overdue:
        a.days_overdue = (scope.today - a.due_date).days
        a.url = reverse("plans:activity", args=[a.pk])
    chart = {
        "labels": [str(r.label) for r in rates["months"]],
        "due": [r.due for r in rates["months"]],
        "done": [r.done for r in rates["months"]],
        "planned": [r.planned for r in rates["months"]],
    }
    return {
        "plan": plan,
        "total": total,
        "percent": None if total.rate is None else round(total.rate * 100, 1),
        "overdue": len(overdue),
        "overdue_rows": overdue[:6],
        "chart": chart,
        "chart_id": "plan",
        "data_id": "data-plan",
        "list_url": _url(plan, scope),
        "overdue_url": _url(plan, scope, status=ActivityStatus.OVERDUE),
        "stats_url": reverse("plans:stats", args=[plan.pk]),
    }


def build_upcoming(scope: Scope) -> dict[str, Any] | None:
    from opsqm.plans.models import ActivityStatus

    plan, activities = _plan_and_activities(scope)
    if plan is None:
        return None
    until = scope.today + dt.timedelta(days=UPCOMING_DAYS)
    rows = [a for a in activities if a.status != ActivityStatus.DONE and scope.today <= a.due_date <= until]
    if scope.project is not None and not rows:
        return None
    for a in rows:
        a.url = reverse("plans:activity", args=[a.pk])
        a.days_left = (a.due_date - scope.today).days
    return {
        "count": len(rows),
        "rows": rows[:8],
        "days": UPCOMING_DAYS,
        "calendar_url": reverse("plans:calendar", args=[plan.pk]),
        "list_url": _url(plan, scope, due="30"),
    }


PANELS = [
    Panel("plan_progress", _("年度质量计划进度"), build_progress, template="plans/panels/plan_progress.html", order=31, roles=_ROLES),
    Panel("plan_upcoming", _("近 30 天的计划活动"), build_upcoming, template="plans/panels/plan_upcoming.html", order=34, roles=_ROLES),
]
