"""Reads of assessor packages (who may download which) and of records past retention."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from opsqm.accounts.access import is_external_reviewer, is_org_wide, visible_project_ids
from opsqm.archive.models import AssessorPackage


def packages_visible_to(user: Any) -> QuerySet[AssessorPackage]:
    """Org-wide roles see every package. An external reviewer sees a package only when all of its projects
    lie inside their currently valid grants (a whole-company package is never theirs). Nobody else sees any."""
    from opsqm.org.models import Project

    qs = AssessorPackage.objects.select_related("created_by", "job").prefetch_related("projects")
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    if is_org_wide(user):
        return qs
    if is_external_reviewer(user):
        outside = Project.objects.exclude(pk__in=visible_project_ids(user))
        return qs.filter(projects__isnull=False).exclude(projects__in=outside).distinct()
    return qs.none()
