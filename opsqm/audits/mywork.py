"""What waits for a user in audits: steps of audits they lead or work on, and program approvals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsqm.accounts.roles import Role
from opsqm.audits.models import Audit, AuditProgram, AuditStage, AuditTeamMember, ItemResult
from opsqm.dashboards.mywork import WorkItem

# What the lead has to do next at each stage.
_LEAD_STEP = {
    AuditStage.PLANNED: gettext_lazy("待召开首次会议"),
    AuditStage.OPENING: gettext_lazy("待开始现场审核"),
    AuditStage.CONCLUDED: gettext_lazy("待召开末次会议"),
    AuditStage.CLOSING: gettext_lazy("待出具审核报告"),
    AuditStage.REPORTED: gettext_lazy("待开始跟踪整改"),
}


def _projects(audit: Audit) -> str:
    return "、".join(p.code for p in audit.projects.all())


def items_for(user: Any, today: dt.date) -> list[WorkItem]:
    if not (user and user.is_authenticated and user.is_active):
        return []
    items: list[WorkItem] = []
    roles = dict(AuditTeamMember.objects.filter(user=user).exclude(audit__stage=AuditStage.CLOSED).values_list("audit_id", "role"))
    if roles:
        audits = (
            Audit.objects.filter(pk__in=roles)
            .prefetch_related("projects")
            .annotate(open_items=Count("results", filter=Q(results__result=ItemResult.NOT_ASSESSED)))
        )
        for a in audits:
            url = reverse("audits:audit_detail", args=[a.pk])
            if a.stage == AuditStage.ONSITE and a.open_items:
                items.append(
                    WorkItem(
                        _("待录入检查结果"),
                        f"{a.code} {a.title}",
                        reverse("audits:audit_results", args=[a.pk]),
                        a.planned_end,
                        _projects(a),
                        _("%(n)d 条未评估") % {"n": a.open_items},
                    )
                )
            elif a.stage == AuditStage.ONSITE and roles[a.pk] == AuditTeamMember.Role.LEAD:
                items.append(WorkItem(_("待形成审核结论"), f"{a.code} {a.title}", url, a.planned_end, _projects(a)))
            elif roles[a.pk] == AuditTeamMember.Role.LEAD and a.stage in _LEAD_STEP:
                due = a.planned_start if a.stage == AuditStage.PLANNED else a.planned_end
                items.append(WorkItem(str(_LEAD_STEP[a.stage]), f"{a.code} {a.title}", url, due, _projects(a)))
    if user.role == Role.GM_OFFICE:
        for p in AuditProgram.objects.filter(status=AuditProgram.Status.SUBMITTED):
            items.append(WorkItem(_("待审批年度内审方案"), p.title, reverse("audits:program_detail", args=[p.pk]), None))
    if user.role == Role.QUALITY_MANAGER:
        for p in AuditProgram.objects.filter(status=AuditProgram.Status.RETURNED, drafted_by=user):
            items.append(
                WorkItem(_("年度内审方案被退回"), p.title, reverse("audits:program_detail", args=[p.pk]), None, note=p.approval_note[:60])
            )
    return items
