"""The management review as a linkable record for the annual plan (plans area, built in parallel).

    from opsqm.reviews.links import linkable_reviews, review_link
    linkable_reviews(year)  -> list[ReviewLink]   # candidates for the plan's "管理评审" activity
    review_link(review_id)  -> ReviewLink | None

`ReviewLink.completed` is True once the report is approved (kept as a record). To complete the plan's
activity at that moment, connect to `opsqm.reviews.services.review_approved` (kwargs: `review`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from opsqm.reviews.models import ManagementReview, ReviewStatus


@dataclass(frozen=True)
class ReviewLink:
    kind: str
    pk: int
    year: int
    title: str
    url: str
    planned_date: dt.date
    completed: bool
    completed_on: dt.date | None


def _link(review: ManagementReview) -> ReviewLink:
    done = review.status == ReviewStatus.APPROVED
    return ReviewLink(
        "management_review",
        review.pk,
        review.year,
        review.title,
        reverse("reviews:detail", args=[review.pk]),
        review.planned_date,
        done,
        timezone.localtime(review.approved_at).date() if done and review.approved_at else None,
    )


def linkable_reviews(year: int) -> list[ReviewLink]:
    return [_link(r) for r in ManagementReview.objects.filter(year=year)]


def review_link(review_id: int) -> ReviewLink | None:
    review = ManagementReview.objects.filter(pk=review_id).first()
    return _link(review) if review else None


def complete_plan_activity(sender: object = None, *, review: ManagementReview, **_kwargs: object) -> object | None:
    """Receiver of `review_approved` (connected in ReviewsConfig.ready when opsqm.plans is installed): the approved
    review completes that year's 管理评审 activity of the approved annual plan, when one is still open and unlinked.

    Runs after the approval committed, in its own transaction; a refusal by the plan (e.g. the plan is not
    approved) leaves the approval untouched and is logged. Returns the linked activity or None."""
    import logging

    from django.core.exceptions import PermissionDenied, ValidationError

    from opsqm.plans.models import ActivityStatus, PlanActivity, PlanStatus
    from opsqm.plans.services import activity_link, can_work_on

    activity = (
        PlanActivity.objects.filter(
            plan__year=review.year, plan__status=PlanStatus.APPROVED, type="management_review", linked_type__isnull=True
        )
        .exclude(status=ActivityStatus.DONE)
        .order_by("due_date", "pk")
        .first()
    )
    if activity is None:
        return None
    approver = review.approved_by
    actor = approver if approver is not None and can_work_on(approver, activity) else activity.owner
    try:
        return activity_link(actor=actor, activity=activity, record=review)
    except (ValidationError, PermissionDenied) as exc:
        logging.getLogger(__name__).warning("management review %s not linked to plan activity %s: %s", review.pk, activity.pk, exc)
        return None
