"""Who may do what in the satisfaction area. Visibility itself comes from opsqm.accounts.access."""

from __future__ import annotations

from typing import Any

from opsqm.accounts.access import is_org_wide, visible_customers, visible_projects
from opsqm.accounts.roles import Role

QUALITY_STAFF = frozenset({Role.QUALITY_MANAGER, Role.QUALITY_SPECIALIST})


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def sees_project(user: Any, project: Any) -> bool:
    return _active(user) and (is_org_wide(user) or visible_projects(user).filter(pk=project.pk).exists())


def sees_customer(user: Any, customer: Any) -> bool:
    return _active(user) and visible_customers(user).filter(pk=customer.pk).exists()


def can_manage_rules(user: Any) -> bool:
    return _active(user) and (user.role in (Role.QUALITY_MANAGER, Role.ADMIN) or user.is_superuser)


def can_manage_templates(user: Any) -> bool:
    return _active(user) and (user.role in QUALITY_STAFF or user.is_superuser)


def can_run_campaign(user: Any, level: str, project: Any, customer: Any) -> bool:
    """Project level: quality staff of the project or its O&M manager; customer level: quality staff
    who see the customer. Incident invitations: the same as the project level."""
    if not _active(user):
        return False
    if project is not None:
        if project.ops_manager_id == user.pk:
            return True
        return user.role in QUALITY_STAFF and sees_project(user, project)
    return user.role in QUALITY_STAFF and customer is not None and sees_customer(user, customer)


def can_start_campaigns(user: Any) -> bool:
    return _active(user) and (user.role in QUALITY_STAFF or user.role == Role.OPS_MANAGER)


def can_register_complaint(user: Any, project: Any, customer: Any) -> bool:
    if not _active(user):
        return False
    if project is not None:
        return project.ops_manager_id == user.pk or (user.role in QUALITY_STAFF and sees_project(user, project))
    return user.role in QUALITY_STAFF and customer is not None and sees_customer(user, customer)


def can_handle_complaint(user: Any, complaint: Any) -> bool:
    if not _active(user):
        return False
    if complaint.handler_id == user.pk:
        return True
    return can_register_complaint(user, complaint.project, complaint.customer)


def can_visit_complaint(user: Any, complaint: Any) -> bool:
    """The return visit is done by someone other than the handler when possible; the quality staff or the O&M manager."""
    return can_register_complaint(user, complaint.project, complaint.customer)
