"""Cockpit panels of customer satisfaction: this quarter's company and project scores with their
band and the quarter trend, and complaints open / overdue. Everything through the surveys
selectors (`satisfaction_rollup` per quarter — what `trend` does —, `complaints_visible_to`), so the access policy is theirs."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsqm.dashboards.panels import Panel, Scope

# 内审员 has the audit cockpit; 外部评审 sees satisfaction only on the pages of granted projects.
_ROLES = frozenset({"quality_manager", "gm_office", "mgmt_rep", "admin", "quality_specialist", "ops_manager", "external_reviewer"})


def _mine(scope: Scope, project: Any) -> bool:
    if scope.project is not None:
        return project.pk == scope.project.pk
    if scope.leadership:
        return True
    if scope.role == "ops_manager":
        return project.ops_manager_id == scope.user.pk
    if scope.role == "quality_specialist":
        return project.quality_specialist_id == scope.user.pk
    return False


def _r1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def build_satisfaction(scope: Scope) -> dict[str, Any] | None:
    from opsqm.surveys.selectors import satisfaction_rollup

    if scope.role == "external_reviewer" and scope.project is None:
        return None
    q = (scope.today.month - 1) // 3 + 1
    period = f"{scope.today.year}-Q{q}"
    code = scope.project.code if scope.project is not None else None
    # The quarters of the year so far (later ones have no answers yet): the trend, the last one the table.
    rolls = [satisfaction_rollup(user=scope.user, period=f"{scope.today.year}-Q{i}", project_code=code) for i in range(1, q + 1)]
    roll = rolls[-1]
    scores = [ps for ps in roll.projects if _mine(scope, ps.project)]
    if not scores:
        return None
    codes = [ps.project.code for ps in scores]
    results = reverse("surveys:results")
    rows = [
        {
            "project": ps.project,
            "score": _r1(ps.score),
            "band": ps.band,
            "responses": ps.responses,
            "low": ps.score is not None and ps.score < roll.rules.threshold,
            "url": reverse("surveys:explain", args=[ps.project.code]) + "?" + urlencode({"period": period}),
        }
        for ps in scores
    ]
    rows.sort(key=lambda r: (r["score"] is None, r["score"] if r["score"] is not None else 0))  # lowest first
    company = roll.company[roll.rules.company_method] if scope.leadership and scope.project is None else None
    show_company = company is not None
    series = []
    if show_company:
        series.append({"name": str(_("全公司")), "data": [_r1(r.company[r.rules.company_method].score) for r in rolls]})
    if len(codes) <= 6:  # more lines than that is unreadable; the results page has the full table
        for c in codes:
            series.append({"name": c, "data": [_r1(getattr(r.for_project(c), "score", None)) for r in rolls]})
    chart_rows = [(r.period.code,) for r in rolls]
    band = None
    if show_company and company.score is not None:
        from opsqm.core.satisfaction import band_for
        from opsqm.surveys.services import core_rules

        band = band_for(company.score, core_rules(roll.rules).bands)
    return {
        "period": period,
        "rows": rows[:8],
        "count": len(rows),
        "single": scope.project is not None,
        "low": sum(1 for r in rows if r["low"]),
        "company": _r1(company.score) if show_company else None,
        "company_band": band,
        "show_company": show_company,
        "threshold": f"{float(roll.rules.threshold):g}",
        "results_url": f"{results}?{urlencode({'period': period})}",
        "chart": {"labels": [p for (p,) in chart_rows], "series": series, "threshold": float(roll.rules.threshold)},
    }


def _complaints_url(scope: Scope, status: str) -> str:
    params = {"status": status}
    if scope.project is not None:
        params["project"] = scope.project.pk
    return reverse("surveys:complaints") + "?" + urlencode(params)


def build_complaints(scope: Scope) -> dict[str, Any] | None:
    from opsqm.surveys.models import Complaint
    from opsqm.surveys.selectors import complaints_visible_to

    if scope.role == "external_reviewer" and scope.project is None:
        return None
    qs = complaints_visible_to(scope.user).exclude(status=Complaint.Status.CLOSED)
    if scope.project is not None:
        qs = qs.filter(project=scope.project)
    rows = list(qs.order_by("due_date", "pk"))
    if scope.project is not None and not rows:
        return None
    overdue = [c for c in rows if c.due_date < scope.today]
    rows.sort(key=lambda c: (c.due_date >= scope.today, c.handler_id != scope.user.pk, c.due_date))
    for c in rows:
        c.days_overdue = (scope.today - c.due_date).days
        c.url = reverse("surveys:complaint_detail", args=[c.pk])
    return {
        "open": len(rows),
        "overdue": len(overdue),
        "rows": rows[:6],
        "open_url": _complaints_url(scope, "open"),
        "overdue_url": _complaints_url(scope, "overdue"),
    }


PANELS = [
    Panel("satisfaction", _("本季度客户满意度"), build_satisfaction, template="surveys/panels/satisfaction.html", order=32, roles=_ROLES),
    Panel("complaints", _("客户投诉"), build_complaints, template="surveys/panels/complaints.html", order=42, roles=_ROLES),
]
