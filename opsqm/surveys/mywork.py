"""我的待办 from complaints: overdue (and due) complaints for their handler and the project's O&M manager."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from opsqm.accounts.access import visible_projects
from opsqm.dashboards.mywork import WorkItem
from opsqm.surveys.models import Campaign, Complaint, Level
from opsqm.surveys.selectors import complaints_visible_to

# itss_domain §4: a project-level survey at least every six months.
PROJECT_SURVEY_DAYS = 183


def items_for(user: Any, today: dt.date) -> list[WorkItem]:
    if not (user and user.is_authenticated and user.is_active):
        return []
    items = []
    qs = complaints_visible_to(user).exclude(status=Complaint.Status.CLOSED)
    for c in qs.filter(Q(handler=user) | Q(project__ops_manager=user, due_date__lt=today)).distinct():
        overdue = c.due_date < today
        kind = _("客户投诉逾期") if overdue else _("待处理客户投诉")
        note = _("逾期 %(d)d 天") % {"d": (today - c.due_date).days} if overdue else c.get_status_display()
        items.append(
            WorkItem(
                kind,
                f"{c.code} {c.customer.name}",
                reverse("surveys:complaint_detail", args=[c.pk]),
                c.due_date,
                c.project.code if c.project_id else "",
                note,
            )
        )
    from django.db.models import Max

    mine = visible_projects(user).filter(Q(ops_manager=user) | Q(quality_specialist=user), status="active")
    last = dict(Campaign.objects.filter(level=Level.PROJECT, project__in=mine).values_list("project_id").annotate(m=Max("created_at")))
    for project in mine:
        latest = last.get(project.pk)
        if latest is None or (today - latest.date()).days >= PROJECT_SURVEY_DAYS:
            due = latest.date() + dt.timedelta(days=PROJECT_SURVEY_DAYS) if latest else today
            items.append(
                WorkItem(
                    _("项目满意度调查待发起"),
                    f"{project.code} {project.name}",
                    reverse("surveys:campaign_create"),
                    due,
                    project.code,
                    _("每半年至少一次"),
                )
            )
    return items
