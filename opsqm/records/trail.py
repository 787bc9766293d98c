"""Writing and verifying the audit trail.

Each event's hash covers its content and the previous event's hash, so a changed,
inserted or removed row breaks the chain from that point on. Writers are serialized
(PostgreSQL advisory lock; SQLite's IMMEDIATE transactions already are) so the chain
never forks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable

from django.db import connection, models, transaction
from django.utils import timezone

from opsqm.records.context import current_actor
from opsqm.records.models import AuditAction, AuditEvent

GENESIS = "0" * 64
_ADVISORY_LOCK_KEY = 0x0F5A_0001


def to_json_value(value: Any) -> Any:
    """Values as stable JSON: the same string whether freshly computed or read back."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (Decimal, float, uuid.UUID)):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted((to_json_value(v) for v in value), key=str) if isinstance(value, (set, frozenset)) else [to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or ""
    return str(value)


def audited_fields(instance: models.Model) -> list[models.Field]:
    exclude = set(getattr(instance, "audit_exclude", ()))
    return [f for f in instance._meta.concrete_fields if f.name not in exclude]


def snapshot(instance: models.Model) -> dict[str, Any]:
    loaded = instance.__dict__
    return {
        f.attname: to_json_value(loaded[f.attname])
        for f in audited_fields(instance)
        if f.attname in loaded  # deferred fields are unknown, not changed
    }


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [old.get(k), v] for k, v in new.items() if k in old and old[k] != v}


@dataclass(frozen=True)
class Change:
    action: str
    model: str
    object_id: str
    object_repr: str
    project_id: int | None
    changes: dict[str, Any]


def change_for(instance: models.Model, action: str, changes: dict[str, Any]) -> Change:
    project_id = instance.audit_project_id() if hasattr(instance, "audit_project_id") else None
    return Change(
        action=action,
        model=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        project_id=project_id,
        changes=changes,
    )


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps([prev_hash, fields], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.astimezone(dt.timezone.utc).isoformat(),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "ip": event.ip,
        "action": event.action,
        "model": event.model,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "project_id": event.project_id,
        "changes": event.changes,
    }


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])


def record_changes(changes: Iterable[Change]) -> list[AuditEvent]:
    """Append events for `changes` to the chain, in one statement, inside the caller's transaction."""
    changes = list(changes)
    if not changes:
        return []
    actor = current_actor()
    now = timezone.now()  # aware UTC with microseconds, kept exactly by both databases
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        prev = last or GENESIS
        events = []
        for change in changes:
            event = AuditEvent(
                at=now,
                actor_id=actor.user_id,
                actor_name=actor.username[:150],
                ip=actor.ip[:64],
                action=change.action,
                model=change.model,
                object_id=change.object_id[:64],
                object_repr=change.object_repr[:300],
                project_id=change.project_id,
                changes=to_json_value(change.changes),
                prev_hash=prev,
            )
            event.hash = event_hash(prev, hashed_fields(event))
            prev = event.hash
            events.append(event)
        AuditEvent.objects.bulk_create(events)
    return events


def record_bulk(*, model: type[models.Model], summary: str, details: dict[str, Any], project_id: int | None = None) -> AuditEvent:
    """One event for a large data load (e.g. a ticket import) where per-row history would be noise."""
    change = Change(
        action=AuditAction.BULK,
        model=model._meta.label_lower,
        object_id="*",
        object_repr=summary[:300],
        project_id=project_id,
        changes=details,
    )
    return record_changes([change])[0]


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


def verify_chain(batch_size: int = 5000) -> VerifyResult:
    """Recompute every hash in id order; report the first row that does not match."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return VerifyResult(True, checked)
        for event in batch:
            if event.prev_hash != prev:
                return VerifyResult(False, checked, event.id, "prev_hash does not match the previous row (a row was removed or inserted)")
            if event_hash(prev, hashed_fields(event)) != event.hash:
                return VerifyResult(False, checked, event.id, "content does not match its hash (the row was altered)")
            prev = event.hash
            checked += 1
            last_id = event.id
