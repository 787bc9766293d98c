"""Reads of controlled documents, their versions, read confirmations and supervision feedback."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from opsqm.documents import policy
from opsqm.documents.models import (
    ControlledDocument,
    DocumentVersion,
    FeedbackRound,
    FeedbackStatus,
    ProcedureFeedback,
    ReadConfirmation,
    VersionStatus,
)

REVIEW_REMINDER_DAYS = 30


def documents_visible_to(user: Any) -> QuerySet[ControlledDocument]:
    if not policy.is_staff_reader(user):
        return ControlledDocument.objects.none()
    return ControlledDocument.objects.select_related("department", "owner")


def versions_visible_to(user: Any) -> QuerySet[DocumentVersion]:
    if not policy.is_staff_reader(user):
        return DocumentVersion.objects.none()
    return DocumentVersion.objects.select_related("document", "file", "created_by", "approver")


def document_list(user: Any, *, q: str = "", doc_type: str = "", status: str = "") -> QuerySet[ControlledDocument]:
    qs = documents_visible_to(user)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(title__icontains=q))
    if doc_type:
        qs = qs.filter(doc_type=doc_type)
    effective = DocumentVersion.objects.filter(document=OuterRef("pk"), status=VersionStatus.EFFECTIVE)
    qs = qs.annotate(has_effective=Exists(effective))
    if status == "effective":
        qs = qs.filter(has_effective=True)
    elif status == "none":
        qs = qs.filter(has_effective=False)
    return qs.prefetch_related("versions")


def documents_due_for_review(*, today: dt.date, days: int = REVIEW_REMINDER_DAYS) -> QuerySet[ControlledDocument]:
    return ControlledDocument.objects.filter(next_review_date__isnull=False, next_review_date__lte=today + dt.timedelta(days=days))


def unread_effective_versions(user: Any) -> QuerySet[DocumentVersion]:
    """Effective versions of documents whose distribution list holds `user`, not yet confirmed by them."""
    confirmed = ReadConfirmation.objects.filter(version=OuterRef("pk"), user=user)
    return (
        DocumentVersion.objects.filter(status=VersionStatus.EFFECTIVE, document__distribution=user)
        .exclude(Exists(confirmed))
        .select_related("document")
    )


def read_status(version: DocumentVersion) -> list[dict[str, Any]]:
    """Each distribution member with their confirmation time (None = not yet read)."""
    confirmations = {c.user_id: c.confirmed_at for c in version.read_confirmations.all()}
    return [{"user": u, "confirmed_at": confirmations.get(u.pk)} for u in version.document.distribution.order_by("username")]


def effective_versions() -> QuerySet[DocumentVersion]:
    return DocumentVersion.objects.filter(status=VersionStatus.EFFECTIVE).select_related("document", "file").order_by("document__code")


def feedback_visible_to(user: Any) -> QuerySet[ProcedureFeedback]:
    """Reviewers see all feedback; everyone else sees only what they gave."""
    qs = ProcedureFeedback.objects.select_related("document", "given_by", "reviewed_by", "improvement", "revision", "round")
    if policy.can_review_feedback(user):
        return qs
    if policy.can_give_feedback(user):
        return qs.filter(given_by=user)
    return qs.none()


def open_rounds_for(user: Any) -> QuerySet[FeedbackRound]:
    return FeedbackRound.objects.filter(participants=user, closed_at__isnull=True)


def rounds_awaiting(user: Any) -> list[FeedbackRound]:
    """Open rounds that name `user` and hold no feedback of theirs yet."""
    given = ProcedureFeedback.objects.filter(round=OuterRef("pk"), given_by=user)
    return list(open_rounds_for(user).exclude(Exists(given)))


def pending_feedback() -> QuerySet[ProcedureFeedback]:
    return ProcedureFeedback.objects.filter(status=FeedbackStatus.SUBMITTED).select_related("document")
