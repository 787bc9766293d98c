"""Reads of the checklist library (org-level master data: every logged-in user may read it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from opsqm.checklists.models import ChecklistItem, ChecklistTemplate, ChecklistVersion

_COMPARED = ("ref_id", "parent_urn", "order", "text", "guidance", "evidence", "assessable", "area")


def current_versions(*, kind: str | None = None, element: str | None = None, phase: str | None = None) -> QuerySet[ChecklistVersion]:
    """The current version of every active checklist (what a new audit can start from)."""
    current_ids = ChecklistTemplate.objects.filter(active=True, current_version__isnull=False).values("current_version_id")
    versions = ChecklistVersion.objects.filter(pk__in=current_ids).select_related("template")
    if kind:
        versions = versions.filter(template__kind=kind)
    if element:
        versions = versions.filter(template__element=element)
    if phase:
        versions = versions.filter(template__phase=phase)
    return versions.order_by("template__ref_id")


def version_items(version: ChecklistVersion | int) -> QuerySet[ChecklistItem]:
    """The items of a version in tree order (parents before children, siblings by order)."""
    version_id = version.pk if isinstance(version, ChecklistVersion) else version
    return ChecklistItem.objects.filter(version_id=version_id).order_by("position")


def get_version(pk: int) -> ChecklistVersion:
    try:
        return ChecklistVersion.objects.select_related("template").get(pk=pk)
    except (ChecklistVersion.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def template_list(
    *, q: str = "", kind: str = "", element: str = "", phase: str = "", include_inactive: bool = True
) -> QuerySet[ChecklistTemplate]:
    qs = ChecklistTemplate.objects.select_related("current_version")
    if not include_inactive:
        qs = qs.filter(active=True)
    if q:
        in_items = ChecklistItem.objects.filter(version_id=OuterRef("current_version_id")).filter(
            Q(text__icontains=q) | Q(guidance__icontains=q) | Q(evidence__icontains=q) | Q(ref_id__icontains=q)
        )
        qs = qs.filter(Q(name__icontains=q) | Q(name_en__icontains=q) | Q(ref_id__icontains=q) | Exists(in_items))
    if kind:
        qs = qs.filter(kind=kind)
    if element:
        qs = qs.filter(element=element)
    if phase:
        qs = qs.filter(phase=phase)
    return qs.order_by("ref_id")


def template_versions(template: ChecklistTemplate) -> QuerySet[ChecklistVersion]:
    return template.versions.select_related("created_by").order_by("-number")


@dataclass
class ItemChange:
    urn: str
    ref_id: str
    fields: list[tuple[str, object, object]] = field(default_factory=list)


@dataclass
class VersionDiff:
    added: list[ChecklistItem]
    removed: list[ChecklistItem]
    changed: list[ItemChange]
    meta_changed: list[tuple[str, object, object]]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.meta_changed)


def diff_items(old_items: list, new_items: list, old_meta: dict | None = None, new_meta: dict | None = None) -> VersionDiff:
    """Added / removed / changed items by urn. Items are ChecklistItem rows (or anything with the same attributes)."""
    old = {item.urn: item for item in old_items}
    new = {item.urn: item for item in new_items}
    changed = []
    for urn, item in new.items():
        before = old.get(urn)
        if before is None:
            continue
        fields = [(name, getattr(before, name), getattr(item, name)) for name in _COMPARED if getattr(before, name) != getattr(item, name)]
        if fields:
            changed.append(ItemChange(urn=urn, ref_id=item.ref_id, fields=fields))
    old_meta, new_meta = old_meta or {}, new_meta or {}
    meta_changed = [
        (k, old_meta.get(k), new_meta.get(k)) for k in sorted(set(old_meta) | set(new_meta)) if old_meta.get(k) != new_meta.get(k)
    ]
    return VersionDiff(
        added=[item for urn, item in new.items() if urn not in old],
        removed=[item for urn, item in old.items() if urn not in new],
        changed=changed,
        meta_changed=meta_changed,
    )


def diff_versions(old: ChecklistVersion, new: ChecklistVersion) -> VersionDiff:
    return diff_items(list(version_items(old)), list(version_items(new)), old.meta, new.meta)
