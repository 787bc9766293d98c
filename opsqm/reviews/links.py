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
    return ReviewLink("management_review", review.pk, review.year, review.title, reverse("reviews:detail", args=[review.pk]),
                      review.planned_date, done, timezone.localtime(review.approved_at).date() if done and review.approved_at else None)


def linkable_reviews(year: int) -> list[ReviewLink]:
    return [_link(r) for r in ManagementReview.objects.filter(year=year)]


def review_link(review_id: int) -> ReviewLink | None:
    review = ManagementReview.objects.filter(pk=review_id).first()
    return _link(review) if review else None
