"""Reads of findings, actions and the improvement register, always through the access policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from opsqm.accounts.access import is_org_wide, visible_project_ids
from opsqm.findings.models import CorrectiveAction, Finding, ImprovementItem
from opsqm.findings.policy import ORG_LEVEL_READERS


def _scope(qs: QuerySet, user: Any, field: str) -> QuerySet:
    """Project-scoped rows: org-wide roles and project members. Org-level rows: org-wide roles, quality staff, auditors."""
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if is_org_wide(user):
        return qs
    allowed = Q(**{f"{field}__in": visible_project_ids(user)})
    if user.role in ORG_LEVEL_READERS:
        allowed |= Q(**{f"{field}__isnull": True})
    return qs.filter(allowed)


def findings_visible_to(user: Any) -> QuerySet[Finding]:
    return _scope(Finding.objects.all(), user, "project")


def actions_visible_to(user: Any) -> QuerySet[CorrectiveAction]:
    return _scope(CorrectiveAction.objects.all(), user, "finding__project")


def improvements_visible_to(user: Any) -> QuerySet[ImprovementItem]:
    return _scope(ImprovementItem.objects.all(), user, "project")


def findings_for_source(source_type: str, source_id: Any) -> QuerySet[Finding]:
    """Findings raised from one source object (an audit item, a KPI result...). Callers scope by user themselves."""
    return Finding.objects.filter(source_type=source_type, source_id=str(source_id)).order_by("raised_at", "id")


def _overdue_action(today: dt.date) -> Exists:
    return Exists(CorrectiveAction.objects.filter(finding=OuterRef("pk"), status=CorrectiveAction.Status.PLANNED, due_date__lt=today))


def finding_list(
    user: Any,
    *,
    today: dt.date,
    q: str = "",
    severity: str = "",
    status: str = "",
    source: str = "",
    project_id: Any = None,
    overdue: bool = False,
) -> QuerySet[Finding]:
    qs = findings_visible_to(user).select_related("project", "owner").annotate(has_overdue_action=_overdue_action(today))
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(title__icontains=q) | Q(description__icontains=q))
    if severity:
        qs = qs.filter(severity=severity)
    if status == "unclosed":
        qs = qs.exclude(status=Finding.Status.CLOSED)
    elif status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if project_id == "none":
        qs = qs.filter(project__isnull=True)
    elif project_id:
        qs = qs.filter(project_id=project_id)
    if overdue:
        # Overdue: an action past due, or a finding still waiting for its answer past the answer deadline.
        qs = qs.filter(Q(has_overdue_action=True) | Q(status__in=[Finding.Status.OPEN, Finding.Status.REOPENED], due_date__lt=today))
    return qs.order_by("-raised_at", "-id")


def open_major_findings(user: Any) -> QuerySet[Finding]:
    return (
        findings_visible_to(user)
        .filter(severity=Finding.Severity.MAJOR)
        .exclude(status=Finding.Status.CLOSED)
        .select_related("project", "owner")
        .order_by("-raised_at")
    )


def improvement_list(
    user: Any, *, q: str = "", status: str = "", project_id: Any = None, owner_id: Any = None
) -> QuerySet[ImprovementItem]:
    qs = improvements_visible_to(user).select_related("project", "owner", "finding")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(title__icontains=q) | Q(target__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if project_id == "none":
        qs = qs.filter(project__isnull=True)
    elif project_id:
        qs = qs.filter(project_id=project_id)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    return qs.order_by("due_date", "id")
