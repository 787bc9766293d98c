"""The one optimistic-locking helper and its conflict error.

A versioned record has an integer `version` field. An editor loads it, keeps the version in
the form (or the API body), and the service calls `lock_for_edit` inside its transaction:
the row is locked (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's IMMEDIATE transactions
serialize writers) and compared with the version the editor saw. `bump_version` then
increments it before the save.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

__all__ = ["StaleEditError", "lock_for_edit", "bump_version", "parse_version", "form_version"]

M = TypeVar("M", bound=models.Model)


class StaleEditError(ValidationError):
    """Someone else saved the record after this editor loaded it (optimistic locking)."""


def lock_for_edit(
    instance: M,
    expected_version: int | None,
    message: str | Callable[[M], str] | None = None,
    *,
    select_related: tuple[str, ...] = (),
) -> M:
    """Reload `instance` locked for update; raise StaleEditError when its version moved on.

    `expected_version=None` only locks (for steps that carry no version, e.g. a scheduled job).
    `message` is the site's Chinese conflict message, or a function of the locked row that
    builds it (e.g. to name who saved last). Must be called inside `transaction.atomic`.
    """
    model = type(instance)
    qs = model._base_manager.select_for_update(of=("self",))
    if select_related:
        qs = qs.select_related(*select_related)
    locked = qs.get(pk=instance.pk)
    if expected_version is not None and locked.version != expected_version:
        text = message(locked) if callable(message) else message
        raise StaleEditError(text or _("该记录已被他人修改，请刷新页面后重新编辑。"), code="stale")
    return locked


def bump_version(instance: models.Model) -> None:
    instance.version += 1


def parse_version(raw: Any) -> int:
    """The `version` a client sent with an edit (form or API body); missing or not an integer is refused.

    An edit without the version it started from would silently overwrite other people's
    changes, so it is an error, not a default.
    """
    if raw is None or raw == "" or isinstance(raw, bool):
        raise ValidationError(
            {"version": [_("缺少版本号 version：请先读取记录，再带上读取到的 version 提交修改。")]}, code="version_required"
        )
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ValidationError({"version": [_("版本号 version 必须是整数。")]}, code="version_invalid") from None


def form_version(raw: Any) -> int:
    """The hidden `version` of a page form; missing or not an integer is refused as a StaleEditError
    (a form-level conflict message, so every view that shows conflicts shows it).

    Page views call this instead of `data.get("version") or 0`: a form posted without the version
    it was loaded with (an old page, a hand-made request) must not be taken as version 0.
    """
    if raw is None or raw == "" or isinstance(raw, bool):
        raise StaleEditError(_("页面缺少记录的版本信息，无法确认您编辑的是最新内容。请刷新页面后重新提交。"), code="version_required")
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise StaleEditError(_("页面的版本信息无效，请刷新页面后重新提交。"), code="version_invalid") from None
