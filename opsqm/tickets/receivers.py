"""Reactions of the tickets area to other areas' signals."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils import timezone

from opsqm.jobs.signals import job_abandoned


@receiver(job_abandoned, dispatch_uid="tickets_import_abandoned")
def fail_abandoned_import(sender, job, **kwargs) -> None:
    """An import whose worker died (`kill -9`) stays "导入中" no more: it failed, and saved nothing (all-or-nothing)."""
    from opsqm.jobs.services import ABANDONED_MESSAGE
    from opsqm.tickets.models import ImportStatus, TicketImport
    from opsqm.tickets.staging import purge_abandoned

    purge_abandoned()  # new tickets a killed SQLite import left hidden

    for record in TicketImport.objects.filter(job_id=job.pk, status__in=[ImportStatus.PENDING, ImportStatus.RUNNING]):
        record.status = ImportStatus.FAILED
        record.message = str(ABANDONED_MESSAGE)[:300]
        record.finished_at = timezone.now()
        record.save(update_fields=["status", "message", "finished_at"])
