"""Cockpit panel of controlled documents: documents due for their periodic review (the quality
department: all; others: the ones they own) and the reading confirmations the user owes."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsqm.dashboards.panels import Panel, Scope


def build(scope: Scope) -> dict[str, Any] | None:
    from opsqm.documents import policy, selectors

    if scope.project is not None or not policy.is_staff_reader(scope.user) or scope.role == "auditor":
        return None
    due = selectors.documents_due_for_review(today=scope.today).filter(pk__in=selectors.documents_visible_to(scope.user).values("pk"))
    everyone = scope.leadership or policy.can_edit_documents(scope.user)
    if not everyone:
        due = due.filter(owner=scope.user)
    due_rows = list(due.order_by("next_review_date", "code"))
    for d in due_rows:
        d.days_overdue = (scope.today - d.next_review_date).days
        d.url = reverse("documents:detail", args=[d.pk])
    unread = list(selectors.unread_effective_versions(scope.user).order_by("document__code"))
    for v in unread:
        v.url = reverse("documents:detail", args=[v.document_id])
    if not due_rows and not unread and not everyone:
        return None
    return {
        "due": len(due_rows),
        "overdue": sum(1 for d in due_rows if d.days_overdue > 0),
        "due_rows": due_rows[:5],
        "due_url": reverse("documents:list") + "?review=due" + ("" if everyone else "&mine=1"),
        "unread": len(unread),
        "unread_rows": unread[:5],
        "unread_url": reverse("dashboards:my_work"),
        "days": selectors.REVIEW_REMINDER_DAYS,
    }


PANELS = [Panel("documents_due", _("受控文件"), build, template="documents/panels/documents_due.html", order=60, on_project_page=False)]
