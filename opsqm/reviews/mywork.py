"""What waits for a user in management reviews: decisions to carry out, reports to approve, overdue supervision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from opsqm.accounts.roles import Role
from opsqm.dashboards.mywork import WorkItem
from opsqm.reviews import policy, selectors
from opsqm.reviews.models import ManagementReview, ReviewStatus

_SUPERVISE_LEVEL = {Role.QUALITY_MANAGER: 1, Role.MGMT_REP: 2, Role.GM_OFFICE: 3}


def items_for(user: Any, today: dt.date) -> list[WorkItem]:
    if not (user and user.is_authenticated and user.is_active):
        return []
    items = [
        WorkItem(
            _("管理评审措施"), f"{a.code} {a.decision[:60]}", reverse("reviews:detail", args=[a.review_id]), a.due_date, "", a.review.title
        )
        for a in selectors.open_actions(owner=user)
    ]
    level = _SUPERVISE_LEVEL.get(user.role)
    if level is not None:
        for a in selectors.overdue_actions(today).filter(escalation_level__gte=level).exclude(owner=user):
            items.append(
                WorkItem(
                    _("逾期评审措施督办"),
                    f"{a.code} {a.decision[:60]}",
                    reverse("reviews:detail", args=[a.review_id]),
                    a.due_date,
                    "",
                    _("逾期 %(d)d 天") % {"d": (today - a.due_date).days},
                )
            )
    if policy.can_approve(user):
        for r in ManagementReview.objects.filter(status=ReviewStatus.REPORT_ISSUED):
            items.append(WorkItem(_("待批准管理评审报告"), r.title, reverse("reviews:detail", args=[r.pk]), None))
    return items
