"""Huey hooks of the jobs area: when a worker starts, jobs a dead worker left "running" are failed."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from huey.contrib.djhuey import on_startup

log = logging.getLogger(__name__)

# This module is imported when the consumer starts, before it runs any task.
WORKER_STARTED_AT = timezone.now()


@on_startup()
def fail_abandoned_jobs() -> None:
    from opsqm.jobs.services import jobs_fail_abandoned

    single_queue = settings.HUEY.get("huey_class", "").endswith("SqliteHuey")
    hours = float(getattr(settings, "OPSQM_JOB_MAX_RUNNING_HOURS", 6))
    try:
        jobs_fail_abandoned(worker_started_at=WORKER_STARTED_AT, same_queue_only=single_queue, max_running=dt.timedelta(hours=hours))
    except Exception:  # never keep a worker from starting; logged for the admin
        log.exception("could not check for abandoned jobs")
