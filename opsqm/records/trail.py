"""Writing and verifying the audit trail.

Each event's hash covers its content and the previous event's hash, so a changed,
inserted or removed row breaks the chain from that point on. Writers are serialized
(PostgreSQL advisory lock; SQLite's IMMEDIATE transactions already are) so the chain
never forks.

A hash chain alone cannot show that its last rows (or all rows) were deleted, or that it was
rewritten with fresh hashes. So each append also writes an anchor — the running count and the
head hash — to the append-only `AuditAnchor` table in the same transaction, and after commit to
a file in the data directory (`settings.AUDIT_ANCHOR_FILE`, a lower bound that only grows).
`verify_chain` compares the chain with every anchor and with the file.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from opsqm.records.context import current_actor
from opsqm.records.models import AuditAction, AuditAnchor, AuditEvent

GENESIS = "0" * 64
_ADVISORY_LOCK_KEY = 0x0F5A_0001


def to_json_value(value: Any) -> Any:
    """Values as stable JSON: the same string whether freshly computed or read back."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (Decimal, float, uuid.UUID)):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return (
            sorted((to_json_value(v) for v in value), key=str) if isinstance(value, (set, frozenset)) else [to_json_value(v) for v in value]
        )
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
        "at": event.at.astimezone(dt.UTC).isoformat(),
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
        # The newest anchor holds the chain's head and running count (written with every append),
        # so reading it replaces reading the last event: no extra query per append but the INSERT.
        head = AuditAnchor.objects.order_by("-id").values_list("count", "head_hash").first()
        if head is None:  # no anchor yet: an empty trail (the migration anchors an existing one)
            last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
            head = (AuditEvent.objects.count() if last else 0, last or GENESIS)
        previous_count, prev = head
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
        if events[-1].pk is None:  # a backend without RETURNING: read the ids back
            events[-1].pk = AuditEvent.objects.get(hash=events[-1].hash).pk
        anchor = AuditAnchor.objects.create(
            count=previous_count + len(events), last_event_id=events[-1].pk, head_hash=events[-1].hash, at=now
        )
    transaction.on_commit(lambda: anchor_file_write(anchor))
    return events


# ---------------------------------------------------------------- the anchor file


def _anchor_path() -> Path | None:
    path = getattr(settings, "AUDIT_ANCHOR_FILE", "")
    return Path(path) if path else None


def anchor_file_read() -> dict[str, Any] | None:
    path = _anchor_path()
    if path is None or not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {"count": int(data["count"]), "last_event_id": int(data["last_event_id"]), "head_hash": str(data["head_hash"])}
    except (OSError, ValueError, KeyError, TypeError):
        return {"count": -1, "last_event_id": -1, "head_hash": "unreadable"}


def anchor_file_write(anchor: AuditAnchor | None, *, force: bool = False) -> None:
    """Keep the newest committed anchor in the file (never moves back, unless `force`, e.g. after a restore)."""
    path = _anchor_path()
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = anchor_file_read()
        if anchor is None:
            if force and path.exists():
                path.unlink()
            return
        if not force and current is not None and current["count"] >= anchor.count:
            return
        body = json.dumps(
            {"count": anchor.count, "last_event_id": anchor.last_event_id, "head_hash": anchor.head_hash, "at": to_json_value(anchor.at)}
        )
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".anchor-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(body)
        os.replace(tmp, path)


def anchor_file_reset() -> None:
    """Make the file match the database's newest anchor (after a restore replaced the database)."""
    anchor_file_write(AuditAnchor.objects.order_by("-id").first(), force=True)


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


def _anchor_batches(batch_size: int):
    last_id = 0
    while True:
        batch = list(AuditAnchor.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id


def verify_chain(batch_size: int = 5000) -> VerifyResult:
    """Recompute every hash in id order and compare the chain with its anchors; report the first problem.

    Found: a changed row (its hash), a removed or inserted row (the next row's prev_hash, or an
    anchor whose event is missing), removed last rows or all rows (anchors beyond the chain's end,
    or the anchor file ahead of the database), a rewritten chain (an anchor's head hash differs),
    rows appended without the application (events after the last anchor).
    """
    prev = GENESIS
    checked = 0
    last_id = 0
    anchors = _anchor_batches(batch_size)
    pending = next(anchors, None)
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.prev_hash != prev:
                return VerifyResult(False, checked, event.id, "prev_hash does not match the previous row (a row was removed or inserted)")
            if event_hash(prev, hashed_fields(event)) != event.hash:
                return VerifyResult(False, checked, event.id, "content does not match its hash (the row was altered)")
            if pending is not None and pending.last_event_id < event.id:
                return VerifyResult(False, checked, event.id, f"锚点记录的第 {pending.last_event_id} 号记录已不存在（记录被删除）")
            prev = event.hash
            checked += 1
            last_id = event.id
            if pending is not None and pending.last_event_id == event.id:
                if pending.count != checked:
                    return VerifyResult(
                        False, checked, event.id, f"锚点记录此处应有 {pending.count} 条记录，实际 {checked} 条（记录被删除或插入）"
                    )
                if pending.head_hash != event.hash:
                    return VerifyResult(False, checked, event.id, "哈希与锚点不一致（哈希链被改写后重新计算）")
                pending = next(anchors, None)
    if pending is not None:
        missing = AuditAnchor.objects.order_by("-id").first()
        return VerifyResult(
            False,
            checked,
            None,
            f"锚点记录共有 {missing.count} 条记录（最后一条 id={missing.last_event_id}），现存 {checked} 条：末尾记录被删除",
        )
    last_anchor = AuditAnchor.objects.order_by("-id").first()
    if checked and (last_anchor is None or last_id > last_anchor.last_event_id):
        return VerifyResult(False, checked, last_id, "末尾有未经锚点确认的记录（绕过系统写入或锚点被删除）")
    outside = anchor_file_read()
    if outside is not None:
        ok_file = (
            outside["count"] <= checked
            and AuditEvent.objects.filter(id=outside["last_event_id"], hash=outside["head_hash"]).exists()
            and AuditEvent.objects.filter(id__lte=outside["last_event_id"]).count() == outside["count"]
        )
        if not ok_file:
            return VerifyResult(
                False,
                checked,
                None,
                f"数据目录中的锚点文件记录共有 {outside['count']} 条记录（最后一条 id={outside['last_event_id']}），"
                f"与数据库中的审计追踪不一致：记录或锚点被删除、或哈希链被改写",
            )
    return VerifyResult(True, checked)
