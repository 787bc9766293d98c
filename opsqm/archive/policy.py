"""Who may do what with record retention and assessor packages."""

from __future__ import annotations

from typing import Any

from opsqm.accounts.roles import Role

BUILDER_ROLES = frozenset({Role.QUALITY_MANAGER, Role.MGMT_REP, Role.ADMIN})
RETENTION_ROLES = frozenset({Role.QUALITY_MANAGER, Role.ADMIN})


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_build_packages(user: Any) -> bool:
    return _active(user) and user.role in BUILDER_ROLES


def can_manage_retention(user: Any) -> bool:
    return _active(user) and user.role in RETENTION_ROLES
