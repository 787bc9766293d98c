"""Daily climb of the overdue ladder (08:00 server time)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="8", minute="0"))
def escalate_overdue_actions() -> int:
    from opsqm.findings.services import actions_escalate_overdue

    return len(actions_escalate_overdue(today=timezone.localdate()))
