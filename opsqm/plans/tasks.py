"""Daily reminders and overdue ladder for plan activities and quarterly summaries (07:30 server time)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="7", minute="30"))
def remind_and_escalate_plan_work() -> int:
    from opsqm.plans.services import activities_escalate_overdue, activities_remind
    from opsqm.quarterly.services import submissions_escalate_overdue, submissions_remind

    today = timezone.localdate()
    return (
        len(activities_remind(today=today))
        + len(activities_escalate_overdue(today=today))
        + len(submissions_remind(today=today))
        + len(submissions_escalate_overdue(today=today))
    )
