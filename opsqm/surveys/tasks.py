"""Every five minutes: create the due incident-level survey invitations."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/5"))
def survey_sweep_task() -> dict:
    from opsqm.surveys.services import survey_sweep

    return survey_sweep()
