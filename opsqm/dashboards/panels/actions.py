"""Corrective actions overdue (leadership: all visible; others: the ones they owe), overdue first."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsqm.dashboards.panels import Panel, Scope


def build(scope: Scope) -> dict[str, Any] | None:
    from opsqm.findings.models import CorrectiveAction
    from opsqm.findings.selectors import actions_visible_to

    if scope.role in ("auditor", "external_reviewer") and scope.project is None:
        return None
    qs = actions_visible_to(scope.user).filter(status=CorrectiveAction.Status.PLANNED).select_related("finding__project", "owner")
    if scope.project is not None:
        qs = qs.filter(finding__project=scope.project)
    elif not scope.leadership:
        qs = qs.filter(
            Q(owner=scope.user) | Q(finding__project__ops_manager=scope.user) | Q(finding__project__quality_specialist=scope.user)
        )
    overdue = qs.filter(due_date__lt=scope.today)
    rows = list(qs.order_by("due_date", "pk")[:8])
    for a in rows:
        a.days_overdue = (scope.today - a.due_date).days
        a.url = reverse("findings:detail", args=[a.finding_id])
    list_url = reverse("findings:list") + "?overdue=1" + (f"&project={scope.project.pk}" if scope.project is not None else "")
    return {"open": qs.count(), "overdue": overdue.count(), "rows": rows, "overdue_url": list_url}


PANELS = [Panel("actions_due", _("纠正措施（逾期优先）"), build, order=30)]
