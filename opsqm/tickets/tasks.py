"""Background jobs of the tickets area (Huey)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from opsqm.jobs.services import JobFailed, job_progress, run_job


@db_task()
def ticket_import_task(job_id: str, import_id: int) -> None:
    from opsqm.tickets import services
    from opsqm.tickets.models import ImportStatus

    def work(job):
        from opsqm.records.context import Actor, acting_as
        from opsqm.tickets.models import TicketImport

        user = TicketImport.objects.select_related("uploaded_by").get(pk=import_id).uploaded_by
        actor = Actor(user.pk, user.username) if user else Actor(None, "system")
        with acting_as(actor):  # the audit trail names the uploader, not the worker
            record = services.ticket_import_run(import_id=import_id, job=job)
        result = services.import_job_result(record)
        # The last progress line becomes the summary the progress page shows.
        job_progress(job.pk, max(record.total_rows, 1), max(record.total_rows, 1), record.message)
        if record.status != ImportStatus.SUCCEEDED:
            raise JobFailed(_("导入失败，未保存任何工单。") + record.message, result)
        return result

    run_job(job_id, work)


@db_task()
def sla_recompute_task(job_id: str, project_ids: list[int]) -> None:
    from opsqm.tickets import services

    run_job(job_id, lambda job: services.sla_recompute_job(job, project_ids))
