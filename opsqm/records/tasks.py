from __future__ import annotations

from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from opsqm.jobs.services import JobFailed, job_progress, run_job
from opsqm.records.models import AuditEvent
from opsqm.records.trail import verify_chain


@db_task()
def verify_audit_trail_task(job_id: str) -> None:
    def work(job):
        total = AuditEvent.objects.count()
        job_progress(job.pk, 0, total, _("正在逐条校验哈希链…"))
        result = verify_chain()
        job_progress(job.pk, result.checked, total)
        if not result.ok:
            raise JobFailed(
                _("审计追踪被篡改：第一条异常记录 #%(id)s（%(reason)s）。") % {"id": result.first_bad_id, "reason": result.reason},
                {"first_bad_id": result.first_bad_id},
            )
        return {"checked": result.checked, "message": _("校验通过，共 %(n)s 条记录，哈希链完整。") % {"n": result.checked}}

    run_job(job_id, work)
