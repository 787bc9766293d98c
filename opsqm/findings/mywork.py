"""What waits for a user in findings: cause analysis, actions to implement or verify, improvements, overdue supervision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.accounts.access import is_org_wide, visible_project_ids
from opsqm.accounts.roles import Role
from opsqm.dashboards.mywork import WorkItem
from opsqm.findings.models import CorrectiveAction, Finding, ImprovementItem
from opsqm.findings.policy import VERIFIER_ROLES
from opsqm.findings.selectors import actions_visible_to, findings_visible_to, improvements_visible_to

# Which ladder level makes an overdue action this role's business to chase.
_SUPERVISE_LEVEL = {Role.MGMT_REP: 2, Role.GM_OFFICE: 3}


def _project(obj: Any) -> str:
    return obj.code if obj is not None else ""


def _finding_url(finding_id: int) -> str:
    return reverse("findings:detail", args=[finding_id])


def items_for(user: Any, today: dt.date) -> list[WorkItem]:
    if not (user and user.is_authenticated and user.is_active):
        return []
    items: list[WorkItem] = []
    findings = findings_visible_to(user).select_related("project")
    for f in findings.filter(owner=user, status__in=[Finding.Status.OPEN, Finding.Status.REOPENED]):
        kind = _("待分析原因") if f.status == Finding.Status.OPEN else _("问题重开待重新制定措施")
        items.append(WorkItem(kind, f"{f.code} {f.title}", _finding_url(f.pk), f.due_date, _project(f.project), f.get_severity_display()))
    for f in findings.filter(owner=user, status=Finding.Status.ANALYZED).exclude(severity=Finding.Severity.OBSERVATION):
        items.append(
            WorkItem(
                _("待制定纠正措施"), f"{f.code} {f.title}", _finding_url(f.pk), f.due_date, _project(f.project), f.get_severity_display()
            )
        )

    actions = actions_visible_to(user).select_related("finding__project")
    for a in actions.filter(owner=user, status=CorrectiveAction.Status.PLANNED):
        items.append(
            WorkItem(
                _("待实施纠正措施"),
                f"{a.finding.code} {a.description[:60]}",
                _finding_url(a.finding_id),
                a.due_date,
                _project(a.finding.project),
                a.finding.title,
            )
        )

    if user.role in VERIFIER_ROLES:
        to_verify = actions.filter(status=CorrectiveAction.Status.IMPLEMENTED).exclude(Q(implemented_by=user) | Q(owner=user))
        if user.role == Role.AUDITOR and not is_org_wide(user):
            # An auditor verifies what they raised or what belongs to projects they take part in.
            to_verify = to_verify.filter(Q(finding__raised_by=user) | Q(finding__project__in=visible_project_ids(user)))
        for a in to_verify:
            items.append(
                WorkItem(
                    _("待验证纠正措施"),
                    f"{a.finding.code} {a.description[:60]}",
                    _finding_url(a.finding_id),
                    a.due_date,
                    _project(a.finding.project),
                    _("实施于 %(d)s") % {"d": timezone.localdate(a.implemented_at).isoformat()},
                )
            )

    level = _SUPERVISE_LEVEL.get(user.role)
    supervise = Q(finding__project__ops_manager=user, escalation_level__gte=1)
    if level is not None:
        supervise |= Q(escalation_level__gte=level)
    for a in (
        actions.filter(supervise, status=CorrectiveAction.Status.PLANNED, due_date__lt=today, escalations__isnull=False)
        .exclude(owner=user)
        .distinct()
    ):
        items.append(
            WorkItem(
                _("逾期措施督办"),
                f"{a.finding.code} {a.description[:60]}",
                _finding_url(a.finding_id),
                a.due_date,
                _project(a.finding.project),
                _("逾期 %(d)d 天") % {"d": (today - a.due_date).days},
            )
        )

    for i in (
        improvements_visible_to(user)
        .select_related("project")
        .filter(owner=user, status__in=[ImprovementItem.Status.PLANNED, ImprovementItem.Status.IN_PROGRESS])
    ):
        items.append(
            WorkItem(
                _("服务改进项"),
                f"{i.code} {i.title}",
                reverse("improvements:detail", args=[i.pk]),
                i.due_date,
                _project(i.project),
                _("进度 %(p)d%%") % {"p": i.progress},
            )
        )
    return items
