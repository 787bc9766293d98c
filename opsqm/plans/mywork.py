"""What waits for a user in the plan: own activities due soon or overdue, escalated ones to chase, approvals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from opsqm.accounts.roles import Role
from opsqm.dashboards.mywork import WorkItem
from opsqm.plans.models import ActivityStatus, PlanActivity, PlanStatus, QualityPlan

_SUPERVISE_LEVEL = {Role.QUALITY_MANAGER: 1, Role.MGMT_REP: 2, Role.GM_OFFICE: 3}
HORIZON_DAYS = 14


def _projects(a: PlanActivity) -> str:
    return "、".join(p.code for p in a.projects.all())


def items_for(user: Any, today: dt.date) -> list[WorkItem]:
    if not (user and user.is_authenticated and user.is_active):
        return []
    items: list[WorkItem] = []
    live = PlanActivity.objects.filter(plan__status=PlanStatus.APPROVED).exclude(status=ActivityStatus.DONE).prefetch_related("projects")
    for a in live.filter(owner=user, due_date__lte=today + dt.timedelta(days=HORIZON_DAYS)):
        overdue = a.due_date < today
        items.append(
            WorkItem(
                _("逾期计划活动") if overdue else _("计划活动"),
                a.title,
                reverse("plans:activity", args=[a.pk]),
                a.due_date,
                _projects(a),
                _("逾期 %(d)d 天") % {"d": (today - a.due_date).days} if overdue else a.output,
            )
        )
    level = _SUPERVISE_LEVEL.get(user.role)
    supervise = Q(projects__ops_manager=user, escalation_level__gte=1)
    if level is not None:
        supervise |= Q(escalation_level__gte=level)
    for a in live.filter(supervise, due_date__lt=today, escalations__isnull=False).exclude(owner=user).distinct():
        items.append(
            WorkItem(
                _("逾期计划活动督办"),
                a.title,
                reverse("plans:activity", args=[a.pk]),
                a.due_date,
                _projects(a),
                _("负责人 %(o)s，逾期 %(d)d 天") % {"o": a.owner.display_name, "d": (today - a.due_date).days},
            )
        )
    if user.role == Role.GM_OFFICE:
        for p in QualityPlan.objects.filter(status=PlanStatus.SUBMITTED):
            items.append(WorkItem(_("待审批年度质量管理计划"), p.title, reverse("plans:detail", args=[p.pk]), None))
    if user.role == Role.QUALITY_MANAGER:
        for p in QualityPlan.objects.filter(status=PlanStatus.RETURNED):
            items.append(
                WorkItem(_("年度质量管理计划被退回"), p.title, reverse("plans:detail", args=[p.pk]), None, note=p.approval_note[:60])
            )
    return items
