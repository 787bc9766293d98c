from __future__ import annotations

from typing import Any

from django.http import Http404

from opsqm.accounts.access import is_org_wide, visible_project_ids
from opsqm.jobs.models import Job


def get_job_for_user(user: Any, job_id: Any) -> Job:
    """A job is visible to its creator, to org-wide roles, and (for project jobs) to project members."""
    try:
        job = Job.objects.select_related("project").get(pk=job_id)
    except (Job.DoesNotExist, ValueError, Exception) as exc:  # malformed UUIDs too
        raise Http404 from exc
    if is_org_wide(user) or job.created_by_id == user.pk:
        return job
    if job.project_id and visible_project_ids(user).filter(pk=job.project_id).exists():
        return job
    raise Http404
