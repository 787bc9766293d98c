"""Staged visibility: a large import on SQLite writes its new tickets in short transactions.

SQLite has one writer at a time. Inserting a million tickets (four indexes and a unique
constraint) in the import's one write transaction made a login wait for many seconds. So when an
import on SQLite brings at least `MIN_NEW_ROWS` new tickets, they go in first, about `CHUNK` rows
per transaction in creation order (`opsqm.tickets.stage_runs`), marked with a `StagedImport` row
that hides them from every reader
(`TicketManager`). Their KPI counters are counted from the import's stage table
(`opsqm.tickets.stage_counters`) while no lock is held.
The import's last transaction — updates of changed tickets, the audit event, the counters —
then deletes the `StagedImport` row, and all the new tickets appear at once. A failure discards
the rows; a process killed meanwhile leaves a row whose heartbeat stops, purged with its tickets
by the next import or the next worker start.

PostgreSQL does not need this: its one import transaction blocks no other writer.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence

from django.db import connection, transaction
from django.utils import timezone

from opsqm.tickets import bulk, stage_runs
from opsqm.tickets.models import StagedImport

MIN_NEW_ROWS = 50_000  # below this the one write transaction is short anyway
CHUNK = 70_000  # rows per short transaction (≈ 0.45 s of SQLite work: a short write waited 434–565 ms at most)
PAUSE_BETWEEN = 0.03  # s between chunks, so a waiting writer's busy handler finds the lock free
ABANDONED_AFTER = dt.timedelta(minutes=15)  # no heartbeat for this long: the writer is dead


def applies(new_rows: int) -> bool:
    return connection.vendor == "sqlite" and new_rows >= MIN_NEW_ROWS


def begin(project_id: int) -> StagedImport:
    purge_abandoned()
    now = timezone.now()
    return StagedImport.objects.create(project_id=project_id, started_at=now, heartbeat_at=now)


def between_chunks() -> None:
    time.sleep(PAUSE_BETWEEN)


def write_new(
    stage: StagedImport,
    *,
    runs: Sequence[stage_runs.StagedRun],
    total_rows: int,
    source: str,
    now_epoch: int,
    cutoff_epoch: int,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Insert the stage's NEW rows, hidden, one short transaction per `CHUNK` of them (in creation
    order; `runs`: the staged batches, see `opsqm.tickets.stage_runs`), then their pauses."""
    done = 0
    for window in stage_runs.new_windows(CHUNK, runs):
        with transaction.atomic():
            with connection.cursor() as cursor:
                bulk.insert_new(
                    cursor,
                    project_id=stage.project_id,
                    source=source,
                    now_epoch=now_epoch,
                    cutoff_epoch=cutoff_epoch,
                    window=window,
                    staged_by=stage.pk,
                )
            StagedImport.objects.filter(pk=stage.pk).update(heartbeat_at=timezone.now())
        done = min(done + CHUNK, total_rows)
        if progress:
            progress(done)
        between_chunks()
    with transaction.atomic():  # a few pauses per hundred tickets: one short transaction
        with connection.cursor() as cursor:
            bulk.insert_pauses(cursor, project_id=stage.project_id, action=bulk.NEW)


def publish(stage: StagedImport) -> None:
    """Make the staged tickets visible. Inside the import's last transaction."""
    deleted, _ = StagedImport.objects.filter(pk=stage.pk).delete()
    if not deleted:  # purged as abandoned meanwhile: its tickets are gone, so the import fails whole
        raise RuntimeError("staged import was purged before it finished")


def discard(stage_id: int) -> None:
    """Delete a stage's tickets (and pauses) in short transactions, then the stage itself."""
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id FROM {bulk.TICKET} WHERE staged_by = %s ORDER BY id LIMIT %s",  # nosec B608 (constant table name; values are bound)
                    [stage_id, CHUNK],
                )
                ids = [r[0] for r in cursor.fetchall()]
                if not ids:
                    StagedImport.objects.filter(pk=stage_id).delete()
                    return
                marks = ", ".join(["%s"] * len(ids))
                cursor.execute(f"DELETE FROM {bulk.PAUSE} WHERE ticket_id IN ({marks})", ids)  # nosec B608 (constant table name; values are bound)
                cursor.execute(f"DELETE FROM {bulk.TICKET} WHERE id IN ({marks})", ids)  # nosec B608 (constant table name; values are bound)
        between_chunks()


def purge_abandoned(now: dt.datetime | None = None) -> int:
    """Discard the stages of imports that stopped beating (a killed process). Returns how many."""
    limit = (now or timezone.now()) - ABANDONED_AFTER
    stale = list(StagedImport.objects.filter(heartbeat_at__lt=limit).values_list("pk", flat=True))
    for stage_id in stale:
        discard(stage_id)
    return len(stale)
