"""Reading the audit trail in words a clerk understands: field labels, names instead of ids."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import gettext

from opsqm.records.models import AuditEvent

HIDDEN_FIELDS = {
    "id",
    "version",
    "created_at",
    "updated_at",
    "added_at",
    "password",
    "last_login",
    "row_hash",
    "prev_hash",
    "stored_name",
    "assessable",
    "position",
    "depth",
    "parent_urn",
    "urn",
}
COLLAPSE_AFTER = 4  # longer change sets show this many rows and fold the rest


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str
    relation_note: str = ""


@dataclass(frozen=True)
class PresentedEvent:
    event: AuditEvent
    model_label: str
    changes: list[FieldChange]
    object_name: str = ""

    @property
    def shown_changes(self) -> list[FieldChange]:
        return self.changes[:COLLAPSE_AFTER]

    @property
    def folded_changes(self) -> list[FieldChange]:
        return self.changes[COLLAPSE_AFTER:]


def model_choices(labels: Iterable[str]) -> list[tuple[str, str]]:
    """(app.model, 中文名) for the filter, so nobody reads `app.model`."""
    out = []
    for label in labels:
        try:
            out.append((label, str(apps.get_model(label)._meta.verbose_name)))
        except (LookupError, ValueError):
            out.append((label, label))
    return sorted(out, key=lambda pair: pair[1])


def _object_name(event: AuditEvent, model_label: str) -> str:
    import re

    text = event.object_repr or ""
    if not text or re.search(r" object \(\d+\)$", text):
        return f"{model_label} #{event.object_id}" if getattr(event, "object_id", None) else model_label
    return text


def _local_datetime(value: Any) -> str | None:
    """An ISO timestamp stored in the trail, shown as local time."""
    import datetime as dt

    from django.utils import timezone

    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.strftime("%Y-%m-%d %H:%M")
    return timezone.localtime(parsed).strftime("%Y-%m-%d %H:%M")


def _field_index(model_label: str) -> tuple[type[models.Model] | None, dict[str, models.Field]]:
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        return None, {}
    fields = {}
    for f in model._meta.get_fields():
        if getattr(f, "concrete", False) or f.many_to_many:
            fields[getattr(f, "attname", f.name)] = f
            fields[f.name] = f
    return model, fields


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return gettext("是")
    if value is False:
        return gettext("否")
    return str(value)


def present_events(events: Iterable[AuditEvent]) -> list[PresentedEvent]:
    events = list(events)
    indexes = {label: _field_index(label) for label in {e.model for e in events}}
    # Collect every referenced id per related model, then resolve names in one query each.
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for e in events:
        _, fields = indexes[e.model]
        for key, change in (e.changes or {}).items():
            f = fields.get(key)
            if f is None or not f.is_relation:
                continue
            related = f.related_model
            values = change if isinstance(change, list) else [v for vs in change.values() for v in vs] if isinstance(change, dict) else []
            for v in values:
                if v not in (None, ""):
                    wanted[related].add(v)
    names: dict[tuple[type, str], str] = {}
    for related, ids in wanted.items():
        for obj in related._base_manager.filter(pk__in=list(ids)):
            names[(related, str(obj.pk))] = str(obj)

    def render_value(f: models.Field | None, value: Any) -> str:
        if f is not None and f.is_relation and value not in (None, ""):
            return names.get((f.related_model, str(value)), f"#{value}")
        if f is not None and getattr(f, "choices", None):
            return _show(dict(f.flatchoices).get(value, value))
        if isinstance(f, models.DateTimeField) or f is None:
            local = _local_datetime(value)
            if local is not None:
                return local
        return _show(value)

    out = []
    for e in events:
        model, fields = indexes[e.model]
        rows = []
        for key, change in (e.changes or {}).items():
            if key in HIDDEN_FIELDS:
                continue
            f = fields.get(key)
            label = str(f.verbose_name) if f is not None and hasattr(f, "verbose_name") else key
            if isinstance(change, list) and len(change) == 2:
                rows.append(FieldChange(label, render_value(f, change[0]), render_value(f, change[1])))
            elif isinstance(change, dict):
                parts = []
                for verb, ids in change.items():
                    verb_label = {"added": gettext("新增"), "removed": gettext("移除"), "cleared": gettext("清空")}.get(verb, verb)
                    parts.append(f"{verb_label}：" + ("、".join(render_value(f, i) for i in ids) or "—"))
                rows.append(FieldChange(label, "", "", "；".join(parts)))
            else:
                rows.append(FieldChange(label, "", _show(change)))
        model_label = str(model._meta.verbose_name) if model is not None else e.model
        out.append(PresentedEvent(e, model_label, rows, _object_name(e, model_label)))
    return out
