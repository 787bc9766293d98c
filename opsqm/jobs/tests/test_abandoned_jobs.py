"""A job whose worker was killed (`kill -9`) does not stay "running" forever: the next worker fails it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opsqm.jobs.models import Job, JobStatus
from opsqm.jobs.services import ABANDONED_MESSAGE, job_create, jobs_fail_abandoned


def _running(started_at: dt.datetime, **kw) -> Job:
    job = job_create(kind="ticket_import", title="导入工单：x.xlsx", **kw)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=started_at)
    return Job.objects.get(pk=job.pk)


@pytest.mark.django_db
def test_a_worker_starting_on_its_own_queue_fails_every_job_left_running_before_it_started():
    now = timezone.now()
    orphan = _running(now - dt.timedelta(minutes=3))
    mine = _running(now + dt.timedelta(seconds=1))  # started by the new worker itself
    done = job_create(kind="t", title="t")
    failed = jobs_fail_abandoned(worker_started_at=now, same_queue_only=True)
    assert [j.pk for j in failed] == [orphan.pk]
    orphan.refresh_from_db(), mine.refresh_from_db(), done.refresh_from_db()
    assert orphan.status == JobStatus.FAILED and orphan.error == str(ABANDONED_MESSAGE) and orphan.finished_at
    assert mine.status == JobStatus.RUNNING and done.status == JobStatus.QUEUED


@pytest.mark.django_db
def test_on_a_shared_queue_only_jobs_running_far_too_long_are_failed():
    now = timezone.now()
    old = _running(now - dt.timedelta(hours=7))
    recent = _running(now - dt.timedelta(minutes=10))  # may belong to another live worker
    jobs_fail_abandoned(worker_started_at=now, same_queue_only=False, max_running=dt.timedelta(hours=6), now=now)
    old.refresh_from_db(), recent.refresh_from_db()
    assert old.status == JobStatus.FAILED and recent.status == JobStatus.RUNNING


@pytest.mark.django_db
def test_an_abandoned_ticket_import_no_longer_shows_importing(world, login):
    from opsqm.tickets.models import ImportStatus, TicketImport

    job = _running(timezone.now() - dt.timedelta(minutes=5), user=world.qm, project=world.project_a)
    record = TicketImport.objects.create(
        project=world.project_a,
        job=job,
        file_name="x.xlsx",
        file_sha256="0" * 64,
        preset="generic",
        status=ImportStatus.RUNNING,
        uploaded_by=world.qm,
    )
    jobs_fail_abandoned(worker_started_at=timezone.now(), same_queue_only=True)
    record.refresh_from_db()
    assert record.status == ImportStatus.FAILED and "重新提交" in record.message
    assert "导入中" not in login(world.qm).get(f"/jobs/{job.pk}/").content.decode()


@pytest.mark.django_db
def test_the_worker_startup_hook_is_registered_with_huey_and_runs():
    from huey.contrib.djhuey import HUEY

    from opsqm.jobs import tasks

    assert "fail_abandoned_jobs" in HUEY._startup
    orphan = _running(tasks.WORKER_STARTED_AT - dt.timedelta(minutes=1))
    tasks.fail_abandoned_jobs()
    orphan.refresh_from_db()
    assert orphan.status == JobStatus.FAILED
