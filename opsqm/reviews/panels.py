"""Cockpit panel of management-review actions: open and overdue (management and the quality
department: every visible action; others: the ones they own), overdue first."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsqm.dashboards.panels import Panel, Scope


def build(scope: Scope) -> dict[str, Any] | None:
    from opsqm.reviews import policy, selectors
    from opsqm.reviews.models import ActionStatus

    if scope.project is not None or scope.role == "external_reviewer":
        return None
    everyone = scope.leadership and policy.can_read_all(scope.user)
    qs = selectors.actions_visible_to(scope.user).filter(status=ActionStatus.OPEN)
    if not everyone:
        qs = qs.filter(owner=scope.user)
    rows = list(qs.order_by("due_date", "pk"))
    if not rows and not everyone:
        return None
    for a in rows:
        a.days_overdue = (scope.today - a.due_date).days
        a.url = reverse("reviews:detail", args=[a.review_id]) + "#actions"
    mine = "" if everyone else "&mine=1"
    base = reverse("reviews:actions")
    return {
        "open": len(rows),
        "overdue": sum(1 for a in rows if a.days_overdue > 0),
        "rows": rows[:6],
        "open_url": f"{base}?status=open{mine}",
        "overdue_url": f"{base}?status=overdue{mine}",
    }


PANELS = [Panel("review_actions", _("管理评审措施"), build, template="reviews/panels/review_actions.html", order=61, on_project_page=False)]
