"""Who may do what with the management review (seed 2.1.3: organised by the management representative,
the quality department assists; the report is approved by the management representative)."""

from __future__ import annotations

from typing import Any

from opsqm.accounts.roles import Role

PLANNER_ROLES = frozenset({Role.MGMT_REP, Role.QUALITY_MANAGER})
READER_ROLES = frozenset({Role.MGMT_REP, Role.QUALITY_MANAGER, Role.QUALITY_SPECIALIST, Role.GM_OFFICE, Role.ADMIN})


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_plan(user: Any) -> bool:
    return _active(user) and user.role in PLANNER_ROLES


def can_approve(user: Any) -> bool:
    return _active(user) and user.role == Role.MGMT_REP


def can_read_all(user: Any) -> bool:
    return _active(user) and user.role in READER_ROLES
