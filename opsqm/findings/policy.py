"""Who may do what with findings. Visibility itself comes from opsqm.accounts.access."""

from __future__ import annotations

from typing import Any

from opsqm.accounts.access import is_org_wide, visible_projects
from opsqm.accounts.roles import Role

# May verify corrective actions (seed 2.4.2: quality staff; itss_domain §5.1: the auditor verifies closure).
VERIFIER_ROLES = frozenset({Role.QUALITY_MANAGER, Role.QUALITY_SPECIALIST, Role.AUDITOR})
# Internal quality roles that may raise findings anywhere they can see.
RAISER_ROLES = frozenset({Role.QUALITY_MANAGER, Role.QUALITY_SPECIALIST, Role.AUDITOR, Role.MGMT_REP, Role.ADMIN})
QUALITY_STAFF = frozenset({Role.QUALITY_MANAGER, Role.QUALITY_SPECIALIST})
# Besides org-wide roles, these also see org-level findings (project empty).
ORG_LEVEL_READERS = frozenset({Role.QUALITY_SPECIALIST, Role.AUDITOR})


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_see_project(user: Any, project: Any) -> bool:
    if not _active(user):
        return False
    if project is None:
        return is_org_wide(user) or user.role in ORG_LEVEL_READERS
    return is_org_wide(user) or visible_projects(user).filter(pk=project.pk).exists()


def can_raise(user: Any, project: Any) -> bool:
    """Any internal quality role; an O&M manager only for a project they manage."""
    if not _active(user):
        return False
    if user.role in RAISER_ROLES or user.is_superuser:
        return can_see_project(user, project)
    if user.role == Role.OPS_MANAGER:
        return project is not None and project.ops_manager_id == user.pk
    return False


def can_raise_somewhere(user: Any) -> bool:
    if not _active(user):
        return False
    if user.role in RAISER_ROLES or user.is_superuser:
        return True
    return user.role == Role.OPS_MANAGER and visible_projects(user).filter(ops_manager=user).exists()


def is_quality_staff_for(user: Any, project: Any) -> bool:
    return _active(user) and user.role in QUALITY_STAFF and can_see_project(user, project)


def can_handle(user: Any, finding: Any) -> bool:
    """Cause analysis and planning actions: the finding's owner, the project's O&M manager, quality staff."""
    if not _active(user):
        return False
    if finding.owner_id == user.pk:
        return True
    if finding.project_id and finding.project.ops_manager_id == user.pk:
        return True
    return is_quality_staff_for(user, finding.project)


def can_edit(user: Any, finding: Any) -> bool:
    if not _active(user):
        return False
    return finding.raised_by_id == user.pk or is_quality_staff_for(user, finding.project)


def can_verify_role(user: Any, project: Any) -> bool:
    return _active(user) and user.role in VERIFIER_ROLES and can_see_project(user, project)


def can_manage_improvements(user: Any, project: Any) -> bool:
    return can_raise(user, project)
