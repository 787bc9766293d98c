"""Creating jobs and reporting their progress.

Progress updates are plain UPDATEs outside the job's own data transaction, so the page
sees them while an all-or-nothing import is still uncommitted.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)


def job_create(*, kind: str, title: str, user: Any = None, project: Any = None) -> Job:
    return Job.objects.create(kind=kind, title=title, created_by=user if getattr(user, "pk", None) else None, project=project)


def job_progress(job_id: Any, done: int, total: int | None = None, message: str = "") -> None:
    fields: dict[str, Any] = {"progress_done": max(0, int(done))}
    if total is not None:
        fields["progress_total"] = max(0, int(total))
    if message:
        fields["message"] = message[:300]
    Job.objects.filter(pk=job_id).update(**fields)


class JobFailed(Exception):
    """A failure whose message is meant for the user (Chinese), with an optional result payload."""

    def __init__(self, message: str, result: dict[str, Any] | None = None):
        super().__init__(message)
        self.result = result or {}


def run_job(job_id: Any, work: Callable[[Job], dict[str, Any]]) -> None:
    """Run `work(job)` and record its outcome; used inside Huey `db_task`s (which manage connections)."""
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, started_at=timezone.now())
    job = Job.objects.get(pk=job_id)
    try:
        result = work(job) or {}
    except JobFailed as exc:
        Job.objects.filter(pk=job_id).update(status=JobStatus.FAILED, error=str(exc), result=exc.result, finished_at=timezone.now())
    except Exception:  # the worker must survive any job; the trace goes to the job for admins
        log.exception("job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            error=_("任务执行出错，请联系系统管理员。") + "\n" + traceback.format_exc()[-2000:],
            finished_at=timezone.now(),
        )
    else:
        Job.objects.filter(pk=job_id).update(status=JobStatus.SUCCEEDED, result=result, finished_at=timezone.now())


ABANDONED_MESSAGE = _("任务执行中后台进程被中止（例如服务器重启），任务未完成，未保存任何数据；请重新提交。")


def jobs_fail_abandoned(
    *, worker_started_at: dt.datetime, same_queue_only: bool, max_running: dt.timedelta | None = None, now: dt.datetime | None = None
) -> list[Job]:
    """Mark jobs left "running" by a dead worker as failed; called when a worker starts.

    A job is abandoned when it started before this worker did and
    - `same_queue_only` (one consumer per queue, e.g. the default SQLite queue of `opsqm serve`):
      nobody else can be running it, so any such job is;
    - otherwise (several workers share a Redis queue): only when it has been running longer than
      `max_running`, because a job of another live worker may still be running.
    Every job's work is all-or-nothing, so marking it failed is truthful. Sends `job_abandoned`.
    """
    from opsqm.jobs.signals import job_abandoned

    qs = Job.objects.filter(status=JobStatus.RUNNING, started_at__lt=worker_started_at)
    if not same_queue_only:
        if max_running is None:
            return []
        qs = qs.filter(started_at__lt=(now or timezone.now()) - max_running)
    failed = []
    for job in qs:
        updated = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED, error=str(ABANDONED_MESSAGE), finished_at=now or timezone.now()
        )
        if updated:
            job.refresh_from_db()
            log.warning("job %s (%s) was abandoned by a dead worker; marked failed", job.pk, job.kind)
            job_abandoned.send(sender=Job, job=job)
            failed.append(job)
    return failed
