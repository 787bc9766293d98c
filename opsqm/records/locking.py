"""The one optimistic-locking helper and its conflict error.

A versioned record has an integer `version` field. An editor loads it, keeps the version in
the form (or the API body), and the service calls `lock_for_edit` inside its transaction:
the row is locked (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's IMMEDIATE transactions
serialize writers) and compared with the version the editor saw. `bump_version` then
increments it before the save.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

__all__ = ["StaleEditError", "lock_for_edit", "bump_version"]

M = TypeVar("M", bound=models.Model)


class StaleEditError(ValidationError):
    """Someone else saved the record after this editor loaded it (optimistic locking)."""


def lock_for_edit(instance: M, expected_version: int | None, message: str | None = None) -> M:
    """Reload `instance` locked for update; raise StaleEditError when its version moved on.

    `expected_version=None` only locks (for steps that carry no version, e.g. a scheduled job).
    Must be called inside `transaction.atomic`.
    """
    model = type(instance)
    locked = model._base_manager.select_for_update(of=("self",)).get(pk=instance.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEditError(message or _("该记录已被他人修改，请刷新页面后重新编辑。"), code="stale")
    return locked


def bump_version(instance: models.Model) -> None:
    instance.version += 1
