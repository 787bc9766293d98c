"""What waits for a user in documents: read confirmations, approvals, periodic reviews, supervision feedback."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from opsqm.dashboards.mywork import WorkItem
from opsqm.documents import policy, selectors
from opsqm.documents.models import DocumentVersion, VersionStatus


def items_for(user: Any, today: dt.date) -> list[WorkItem]:
    if not policy.is_staff_reader(user):
        return []
    items: list[WorkItem] = []
    for v in selectors.unread_effective_versions(user):
        items.append(
            WorkItem(
                _("确认阅读"),
                f"{v.document.code} {v.document.title}（{v.label}）",
                reverse("documents:detail", args=[v.document_id]),
                v.effective_date,
                "",
                v.change_note[:60],
            )
        )
    if policy.can_approve(user):
        for v in DocumentVersion.objects.filter(status=VersionStatus.IN_REVIEW).exclude(created_by=user).select_related("document"):
            items.append(
                WorkItem(
                    _("待批准文件"),
                    f"{v.document.code} {v.document.title}（{v.label}）",
                    reverse("documents:detail", args=[v.document_id]),
                    None,
                    "",
                    v.change_note[:60],
                )
            )
    for d in selectors.documents_due_for_review(today=today).filter(owner=user):
        items.append(WorkItem(_("文件到期评审"), f"{d.code} {d.title}", reverse("documents:detail", args=[d.pk]), d.next_review_date))
    for r in selectors.rounds_awaiting(user):
        items.append(WorkItem(_("体系运行反馈征集"), r.title, reverse("documents:feedback_new"), r.due_date))
    if policy.can_review_feedback(user):
        for f in selectors.pending_feedback():
            items.append(
                WorkItem(
                    _("待评审体系运行反馈"),
                    f"{f.document.code} {f.document.title}",
                    reverse("documents:feedback_detail", args=[f.pk]),
                    None,
                )
            )
    return items
