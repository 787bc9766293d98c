"""Who may do what with controlled documents and supervision feedback."""

from __future__ import annotations

from typing import Any

from opsqm.accounts.roles import Role

# The quality department maintains the document system; the management representative approves.
EDITOR_ROLES = frozenset({Role.QUALITY_MANAGER, Role.QUALITY_SPECIALIST, Role.ADMIN})
APPROVER_ROLES = frozenset({Role.QUALITY_MANAGER, Role.MGMT_REP})
FEEDBACK_REVIEWER_ROLES = frozenset({Role.QUALITY_MANAGER, Role.QUALITY_SPECIALIST})


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_staff_reader(user: Any) -> bool:
    """Every internal user reads the company's documents; an external reviewer does not browse them."""
    return _active(user) and user.role != Role.EXTERNAL_REVIEWER


def can_edit_documents(user: Any) -> bool:
    return _active(user) and (user.role in EDITOR_ROLES or user.is_superuser)


def can_edit_document(user: Any, document: Any) -> bool:
    return can_edit_documents(user) or (_active(user) and document.owner_id == user.pk)


def can_approve(user: Any) -> bool:
    return _active(user) and user.role in APPROVER_ROLES


def can_give_feedback(user: Any) -> bool:
    return is_staff_reader(user)


def can_review_feedback(user: Any) -> bool:
    return _active(user) and user.role in FEEDBACK_REVIEWER_ROLES
