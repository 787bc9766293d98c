"""Daily climb of the overdue ladder for management-review actions (08:05 server time)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="8", minute="5"))
def escalate_overdue_review_actions() -> int:
    from opsqm.reviews.services import review_actions_escalate_overdue

    return len(review_actions_escalate_overdue(today=timezone.localdate()))
