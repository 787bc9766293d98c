"""Cockpit panel of the quarterly KPI review: the summaries an O&M manager owes (overdue first), and
for the quality department the current review's status and who has not submitted yet."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsqm.dashboards.panels import Panel, Scope

_ROLES = frozenset({"quality_manager", "gm_office", "mgmt_rep", "admin", "quality_specialist", "ops_manager"})


def _rows(submissions: list[Any], scope: Scope) -> list[dict[str, Any]]:
    rows = []
    for s in submissions:
        overdue = s.status == s.Status.PENDING and s.review.due_date < scope.today
        rows.append(
            {
                "s": s,
                "overdue": overdue,
                "days_overdue": (scope.today - s.review.due_date).days if overdue else 0,
                "url": reverse("quarterly:submission", args=[s.pk]),
            }
        )
    return sorted(rows, key=lambda r: (not r["overdue"], r["s"].review.due_date, r["s"].project.code))


def build(scope: Scope) -> dict[str, Any] | None:
    from opsqm.quarterly.models import QuarterlyReview, QuarterlySubmission
    from opsqm.quarterly.selectors import reviews_for, submissions_for

    R, S = QuarterlyReview.Status, QuarterlySubmission.Status
    open_states = (R.COLLECTING, R.RETURNED)
    if scope.project is not None:
        s = submissions_for(scope.user).filter(project=scope.project).order_by("-review__year", "-review__quarter").first()
        if s is None:
            return None
        return {"mode": "project", "rows": _rows([s], scope), "review": s.review}
    if scope.leadership:
        review = reviews_for(scope.user).order_by("-year", "-quarter").first()
        if review is None:
            return {"mode": "lead", "review": None, "open_url": reverse("quarterly:list")}
        subs = list(review.submissions.select_related("review", "project", "owner"))
        missing = _rows([s for s in subs if s.status == S.PENDING], scope)
        return {
            "mode": "lead",
            "review": review,
            "total": len(subs),
            "submitted": len(subs) - len(missing),
            "missing": missing[:8],
            "missing_count": len(missing),
            "collecting": review.status in open_states,
            "url": reverse("quarterly:detail", args=[review.pk]),
            "open_url": reverse("quarterly:list"),
        }
    qs = submissions_for(scope.user).filter(status=S.PENDING, review__status__in=open_states)
    if scope.role == "ops_manager":
        qs = qs.filter(owner=scope.user)
    else:
        qs = qs.filter(project__quality_specialist=scope.user)
    rows = _rows(list(qs), scope)
    if not rows and scope.role != "ops_manager":
        return None
    return {
        "mode": "owe",
        "rows": rows[:8],
        "count": len(rows),
        "overdue": sum(1 for r in rows if r["overdue"]),
        "url": reverse("dashboards:my_work") if scope.role == "ops_manager" else "",
    }


PANELS = [Panel("quarterly_due", _("季度工作总结"), build, template="quarterly/panels/quarterly_due.html", order=41, roles=_ROLES)]
