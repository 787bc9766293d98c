"""Reads of management reviews and their tracked actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from opsqm.reviews import policy
from opsqm.reviews.models import ActionStatus, ManagementReview, ReviewAction


def reviews_visible_to(user: Any) -> QuerySet[ManagementReview]:
    """A company-level record: management, the quality department, and the people invited or given an action."""
    if not (user and user.is_authenticated and user.is_active):
        return ManagementReview.objects.none()
    qs = ManagementReview.objects.select_related("chair", "organizer", "approved_by", "report")
    if policy.can_read_all(user):
        return qs
    return qs.filter(Q(attendees=user) | Q(chair=user) | Q(organizer=user) | Q(actions__owner=user)).distinct()


def actions_visible_to(user: Any) -> QuerySet[ReviewAction]:
    return ReviewAction.objects.filter(review__in=reviews_visible_to(user)).select_related("review", "owner")


def open_actions(*, owner: Any = None) -> QuerySet[ReviewAction]:
    qs = ReviewAction.objects.filter(status=ActionStatus.OPEN).select_related("review", "owner")
    return qs.filter(owner=owner) if owner is not None else qs


def overdue_actions(today: dt.date) -> QuerySet[ReviewAction]:
    return open_actions().filter(due_date__lt=today)
