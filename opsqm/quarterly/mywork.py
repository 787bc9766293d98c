"""What waits for a user in the quarterly review: summaries to submit, reports to read, reports to send."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from opsqm.accounts.roles import Role
from opsqm.dashboards.mywork import WorkItem
from opsqm.quarterly.models import QuarterlyReview, QuarterlySubmission

R = QuarterlyReview.Status


def items_for(user: Any, today: dt.date) -> list[WorkItem]:
    if not (user and user.is_authenticated and user.is_active):
        return []
    items: list[WorkItem] = []
    for s in QuarterlySubmission.objects.filter(
        owner=user, status=QuarterlySubmission.Status.PENDING, review__status__in=[R.COLLECTING, R.RETURNED]
    ).select_related("review", "project"):
        overdue = s.review.due_date < today
        items.append(
            WorkItem(
                _("逾期季度工作总结") if overdue else _("待提交季度工作总结"),
                _("%(y)d 年第 %(q)d 季度工作总结和下季度计划") % {"y": s.review.year, "q": s.review.quarter},
                reverse("quarterly:submission", args=[s.pk]),
                s.review.due_date,
                s.project.code,
            )
        )
    if user.role == Role.GM_OFFICE:
        for r in QuarterlyReview.objects.filter(status=R.REPORTED):
            items.append(WorkItem(_("待阅季度质量报告"), str(r), reverse("quarterly:detail", args=[r.pk]), None))
    if user.role == Role.QUALITY_MANAGER:
        for r in QuarterlyReview.objects.filter(status__in=[R.COLLECTING, R.RETURNED]):
            pending = r.submissions.filter(status=QuarterlySubmission.Status.PENDING).count()
            kind = _("季度报告被总经办退回") if r.status == R.RETURNED else _("季度质量分析进行中")
            items.append(
                WorkItem(
                    kind,
                    str(r),
                    reverse("quarterly:detail", args=[r.pk]),
                    r.due_date,
                    note=_("%(n)d 个项目未提交总结") % {"n": pending} if pending else _("总结已齐，待撰写分析并报送"),
                )
            )
    return items
