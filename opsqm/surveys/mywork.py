"""我的待办 from complaints: overdue (and due) complaints for their handler and the project's O&M manager."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from opsqm.dashboards.mywork import WorkItem
from opsqm.surveys.models import Complaint
from opsqm.surveys.selectors import complaints_visible_to


def items_for(user: Any, today: dt.date) -> list[WorkItem]:
    if not (user and user.is_authenticated and user.is_active):
        return []
    items = []
    qs = complaints_visible_to(user).exclude(status=Complaint.Status.CLOSED)
    for c in qs.filter(Q(handler=user) | Q(project__ops_manager=user, due_date__lt=today)).distinct():
        overdue = c.due_date < today
        kind = _("客户投诉逾期") if overdue else _("待处理客户投诉")
        note = _("逾期 %(d)d 天") % {"d": (today - c.due_date).days} if overdue else c.get_status_display()
        items.append(WorkItem(kind, f"{c.code} {c.customer.name}", reverse("surveys:complaint_detail", args=[c.pk]), c.due_date,
                              c.project.code if c.project_id else "", note))
    return items
