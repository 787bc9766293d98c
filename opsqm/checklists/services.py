"""Writes of the checklist library. Every content change goes through `checklist_save_version`.

A version is immutable: saving new content creates version N+1 (or, when the content equals
an older version, makes that version current again) — items are never updated in place.
The content checksum ignores the YAML `version:` label, because the database's version
numbers are the authoritative ones; it covers the header fields and every item.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.accounts.access import can_manage_master_data
from opsqm.checklists.models import ChecklistItem, ChecklistTemplate, ChecklistVersion, VersionOrigin
from opsqm.core import checklists as core
from opsqm.records.locking import StaleEditError

# Header fields kept on the template (current values) and on each version (`meta`).
META_FIELDS = ("urn", "ref_id", "name", "name_en", "kind", "element", "phase", "source", "description")
_TEMPLATE_COPY_FIELDS = ("ref_id", "name", "name_en", "kind", "element", "phase", "source", "description")
_LIMITS = {"ref_id": 50, "name": 200, "name_en": 200, "source": 200, "urn": 200}
_ITEM_LIMITS = {"urn": 300, "ref_id": 50, "area": 40}


class StaleVersionError(StaleEditError):
    """Another version became current after the editor loaded its base version.

    A checklist's optimistic lock is its current content-version number (versions are
    immutable rows, the template has no `version` column), so the check stays here; the error
    is the one conflict error of `opsqm.records.locking`."""


class NoChangesError(ValidationError):
    """The submitted content equals the current version."""


@dataclass(frozen=True)
class SaveResult:
    template: ChecklistTemplate
    version: ChecklistVersion
    status: str  # "created" (new version), "restored" (an older version made current), "unchanged"


@dataclass(frozen=True)
class LoadReport:
    created: list[str]  # new checklists
    updated: list[str]  # a new version from the changed file
    restored: list[str]  # the file equals an older version (e.g. after a UI edit): that version is current again
    unchanged: list[str]


def meta_of(checklist: core.Checklist) -> dict[str, str]:
    data = {name: getattr(checklist, name) for name in META_FIELDS}
    data["phase"] = data["phase"] or ""
    return data


def content_checksum(checklist: core.Checklist) -> str:
    """Checksum of the content regardless of the YAML `version:` label."""
    if checklist.version == 1:
        return checklist.checksum
    return core.content_checksum(dict(checklist.to_dict(), version=1))


def version_to_checklist(version: ChecklistVersion, items: list[ChecklistItem] | None = None) -> core.Checklist:
    """Rebuild the core value of a stored version (for export, diff and editing)."""
    meta = dict(version.meta, phase=version.meta.get("phase") or None, version=version.number)
    rows = [
        {
            "urn": item.urn,
            "ref_id": item.ref_id,
            "parent": item.parent_urn or None,
            "order": item.order,
            "text": item.text,
            "guidance": item.guidance,
            "evidence": item.evidence,
            "assessable": item.assessable,
            "area": item.area or None,
        }
        for item in (items if items is not None else version.items.all())
    ]
    return core.rows_to_checklist(meta, rows)


def _require_editor(actor: Any) -> None:
    if not can_manage_master_data(actor):
        raise PermissionDenied(_("只有质量经理或系统管理员可以编辑检查单。"))


def _check_lengths(checklist: core.Checklist) -> None:
    """Database column limits, reported in the same style as the core's validation."""
    errors = []
    for name, limit in _LIMITS.items():
        if len(getattr(checklist, name) or "") > limit:
            errors.append(_("检查单 字段 %(f)s：长度不能超过 %(n)s 个字符") % {"f": name, "n": limit})
    for item in checklist.items:
        for name, limit in _ITEM_LIMITS.items():
            if len(getattr(item, name) or "") > limit:
                errors.append(_("条目 %(u)s 字段 %(f)s：长度不能超过 %(n)s 个字符") % {"u": item.urn[:80], "f": name, "n": limit})
    if errors:
        raise core.ChecklistError(errors)


def _item_rows(version: ChecklistVersion, checklist: core.Checklist) -> list[ChecklistItem]:
    return [
        ChecklistItem(
            version=version,
            position=position,
            urn=item.urn,
            ref_id=item.ref_id,
            parent_urn=item.parent or "",
            order=item.order,
            depth=item.depth,
            text=item.text,
            guidance=item.guidance,
            evidence=item.evidence,
            assessable=item.assessable,
            area=item.area or "",
        )
        for position, item in enumerate(checklist.items, start=1)
    ]


def _sync_template(template: ChecklistTemplate, meta: dict[str, str], current: ChecklistVersion) -> None:
    changed = template.current_version_id != current.pk
    template.current_version = current
    for name in _TEMPLATE_COPY_FIELDS:
        if getattr(template, name) != meta[name]:
            setattr(template, name, meta[name])
            changed = True
    if changed:
        template.full_clean()
        template.save()


@transaction.atomic
def checklist_save_version(
    *,
    actor: Any,
    checklist: core.Checklist,
    origin: str,
    change_note: str = "",
    expected_number: int | None = None,
    template: ChecklistTemplate | None = None,
    must_be_new: bool = False,
) -> SaveResult:
    """Store `checklist` (already validated by the core) as the current content of its template.

    `expected_number` is the version the editor started from (optimistic locking);
    `template`, when given, must be the template the content belongs to (its urn cannot change);
    `must_be_new` refuses an urn that already exists (creating a new checklist).
    """
    if origin != VersionOrigin.LIBRARY:
        _require_editor(actor)
    _check_lengths(checklist)
    locked = ChecklistTemplate.objects.select_for_update().filter(urn=checklist.urn).first()
    if template is not None and (locked is None or locked.pk != template.pk):
        raise ValidationError(_("检查单的 URN 不能修改（应为 %(urn)s）。") % {"urn": template.urn})
    if locked is not None and must_be_new:
        raise ValidationError(_("URN %(urn)s 已被检查单“%(name)s”使用，请换一个标识。") % {"urn": checklist.urn, "name": locked.name})
    clash = ChecklistTemplate.objects.filter(ref_id=checklist.ref_id).exclude(urn=checklist.urn).first()
    if clash is not None:
        raise ValidationError(_("编号 %(ref)s 已被检查单“%(name)s”使用，请换一个编号。") % {"ref": checklist.ref_id, "name": clash.name})

    meta = meta_of(checklist)
    checksum = content_checksum(checklist)
    user = actor if getattr(actor, "is_authenticated", False) else None
    if locked is None:
        locked = ChecklistTemplate(**{k: meta[k] for k in ("urn", *_TEMPLATE_COPY_FIELDS)})
        locked.full_clean()
        locked.save()
        current = None
    else:
        current = locked.current_version
        current_number = current.number if current else 0
        if expected_number is not None and expected_number != current_number:
            raise StaleVersionError(
                _("在您编辑期间，检查单已生成新的第 %(n)s 版（您基于第 %(e)s 版编辑）。") % {"n": current_number, "e": expected_number},
                code="stale",
            )
        if current is not None and current.checksum == checksum:
            if origin == VersionOrigin.LIBRARY:
                return SaveResult(locked, current, "unchanged")
            raise NoChangesError(_("内容与当前第 %(n)s 版完全相同，没有保存新版本。") % {"n": current.number}, code="unchanged")
        earlier = locked.versions.filter(checksum=checksum).first()
        if earlier is not None:
            _sync_template(locked, earlier.meta, earlier)
            return SaveResult(locked, earlier, "restored")

    number = (locked.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = ChecklistVersion(
        template=locked,
        number=number,
        checksum=checksum,
        meta=meta,
        created_by=user,
        created_at=timezone.now(),
        change_note=change_note.strip(),
        origin=origin,
        item_count=len(checklist.items),
    )
    version.full_clean()
    version.save()
    ChecklistItem.objects.bulk_create(_item_rows(version, checklist))
    _sync_template(locked, meta, version)
    return SaveResult(locked, version, "created")


@transaction.atomic
def library_load(*, directory: Path) -> LoadReport:
    """Load the YAML library: validate every file first (any error → nothing written)."""
    checklists = core.load_library(directory)
    report = LoadReport([], [], [], [])
    for checklist in checklists:
        existed = ChecklistTemplate.objects.filter(urn=checklist.urn).exists()
        try:
            result = checklist_save_version(
                actor=None,
                checklist=checklist,
                origin=VersionOrigin.LIBRARY,
                change_note=_("从库文件加载（YAML 版本标记 %(v)s）") % {"v": checklist.version},
            )
        except ValidationError as exc:
            raise core.ChecklistError([f"{checklist.ref_id}：{m}" for m in exc.messages]) from exc
        if not existed:
            report.created.append(checklist.ref_id)
        else:
            {"unchanged": report.unchanged, "restored": report.restored, "created": report.updated}[result.status].append(checklist.ref_id)
    return report


@transaction.atomic
def checklist_set_active(*, actor: Any, template: ChecklistTemplate, active: bool) -> ChecklistTemplate:
    _require_editor(actor)
    locked = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    if locked.active != active:
        locked.active = active
        locked.save()
    return locked


def copy_items_to(source: core.Checklist, new_urn: str) -> list[dict]:
    """The rows of `source` with urns moved under `new_urn` (for "new checklist as a copy")."""

    def move(urn: str | None) -> str | None:
        return None if urn is None else new_urn + urn[len(source.urn) :]

    rows = []
    for row in core.checklist_to_rows(source):
        rows.append(dict(row, urn=move(row["urn"]), parent=move(row["parent"])))
    return rows
