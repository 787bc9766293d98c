from __future__ import annotations

from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task


@db_task()
def build_package_task(package_id: int, job_id: str) -> None:
    from opsqm.archive.models import AssessorPackage
    from opsqm.archive.services import package_build
    from opsqm.jobs.services import run_job

    def work(job):
        package = package_build(AssessorPackage.objects.get(pk=package_id), job_id=job.pk)
        from django.urls import reverse

        return {
            "next_url": reverse("archive:package_detail", args=[package.pk]),
            "next_label": _("查看资料包"),
            "files": len(package.manifest),
            "size": package.size,
        }

    run_job(job_id, work)
