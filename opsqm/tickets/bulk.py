"""The fast path for imported tickets: the stage tables and the set-based SQL that moves them.

Django's ORM builds a model instance per row, which is far too slow for a
million-row import. Here rows travel as numpy columns into a temporary staging
table (SQLite: executemany in batches; PostgreSQL: COPY), and set-based SQL moves
them into the ticket tables. Instants travel as integer UTC epoch seconds and are
turned into the backend's datetime storage inside SQL.

Neighbours: `opsqm.tickets.sla_columns` (a batch's SLA results as columns),
`opsqm.tickets.row_hash` (the content hash that tells a changed row), `opsqm.tickets.stored_sla`
(stored tickets read back and SLA written back: recomputes), `opsqm.tickets.first_responses`
(the Task SLA partial import), `opsqm.tickets.first_import` and `opsqm.tickets.staging`.

Callers own the transaction: everything here runs inside the caller's atomic block.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice

import numpy as np
from django.db import connection

from opsqm.core.ticket_io import TicketBatch
from opsqm.tickets import stage_runs
from opsqm.tickets.row_hash import batch_hashes, pause_texts
from opsqm.tickets.sla_columns import NAT, Rows, SlaColumns, epochs, int_column, nullable
from opsqm.tickets.stage_runs import StagedRun, Window

TICKET = "tickets_ticket"
PAUSE = "tickets_ticketpause"
BATCH = 50_000
# Test hook: seconds to sleep inside the import transaction after the tickets are
# written, announced on stdout, so a test can kill the process at that point.
KILL_HOOK_ENV = "OPSQM_TEST_IMPORT_SLEEP_IN_TRANSACTION"
KILL_HOOK_MARKER = "OPSQM-IMPORT-INSIDE-TRANSACTION"


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def to_ts(column: str) -> str:
    return f"to_timestamp({column})" if _postgres() else f"datetime({column}, 'unixepoch')"


def epoch_sql(column: str) -> str:
    if _postgres():
        return f"floor(extract(epoch from {column}))::bigint"
    # '%%' because Django's cursor treats a bare %s as a parameter placeholder.
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"


# ----------------------------------------------------------------- staging
#
# An import stages its rows in temporary tables *before* its write transaction:
# temporary tables live outside the main database file, so loading them takes no
# write lock and a login or any short write goes on meanwhile. The transaction then
# only runs the set-based statements that move staged rows into the ticket tables.


def create_stage(cursor, name: str, columns: Sequence[tuple[str, str]]) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    spec = ", ".join(f"{col} {kind}" for col, kind in columns)
    cursor.execute(f"CREATE TEMPORARY TABLE {name} ({spec})")


def load_stage(
    cursor, name: str, columns: Sequence[str], rows: Iterator[tuple], total: int, progress: Callable[[int], None] | None = None
) -> None:
    cols = ", ".join(columns)
    if _postgres():
        with cursor.cursor.copy(f"COPY {name} ({cols}) FROM STDIN") as copy:
            for i, row in enumerate(rows, start=1):
                copy.write_row(row)
                if progress and i % BATCH == 0:
                    progress(i)
        return
    raw = cursor.cursor  # the DB-API cursor: Django's wrapper rewrites every query
    sql = f"INSERT INTO {name} ({cols}) VALUES ({', '.join('?' * len(columns))})"  # nosec B608 (table/column names are module constants; values are bound parameters)
    own = not connection.in_atomic_block
    if own:  # one deferred transaction on the temp database only: no lock on the main file
        raw.execute("BEGIN")
    try:
        done = 0
        while done < total:
            size = min(BATCH, total - done)
            raw.executemany(sql, islice(rows, size))  # sqlite3 takes the rows as they are made
            done += size
            if progress:
                progress(done)
    except BaseException:
        if own:
            raw.execute("ROLLBACK")
        raise
    if own:
        raw.execute("COMMIT")


STAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("idx", "integer PRIMARY KEY"),
    ("number", "varchar(64)"),
    ("priority", "varchar(16)"),
    ("type", "varchar(50)"),
    ("status", "varchar(50)"),
    ("title", "varchar(300)"),
    ("contact", "varchar(100)"),
    ("contact_phone", "varchar(50)"),
    ("contact_email", "varchar(254)"),
    ("created", "bigint"),
    ("first_response", "bigint"),
    ("resolved", "bigint"),
    ("closed", "bigint"),
    ("reopen_count", "integer"),
    ("fcr", "boolean"),
    ("row_hash", "varchar(32)"),
    ("response_seconds", "bigint"),
    ("resolution_seconds", "bigint"),
    ("paused_seconds", "bigint"),
    ("response_status", "smallint"),
    ("resolution_status", "smallint"),
    ("response_due", "bigint"),
    ("resolution_due", "bigint"),
    ("response_breach", "bigint"),
    ("resolution_breach", "bigint"),
    ("action", "smallint"),
)
NEW, UPDATED, UNCHANGED = 0, 1, 2

# (ticket column, stage source, canonical field or "" for always written)
_DATA = (
    ("priority", "priority", "priority"),
    ("type", "type", "type"),
    ("status", "status", "status"),
    ("title", "title", "title"),
    ("contact", "contact", "contact"),
    ("contact_phone", "contact_phone", "contact_phone"),
    ("contact_email", "contact_email", "contact_email"),
    ("created_at", "@created", "created_at"),
    ("first_response_at", "@first_response", "first_response_at"),
    ("resolved_at", "@resolved", "resolved_at"),
    ("closed_at", "@closed", "closed_at"),
    ("reopen_count", "reopen_count", "reopen_count"),
    ("first_contact_resolution", "fcr", "first_contact_resolution"),
    ("row_hash", "row_hash", ""),
    ("response_seconds", "response_seconds", ""),
    ("resolution_seconds", "resolution_seconds", ""),
    ("paused_seconds", "paused_seconds", ""),
    ("response_status", "response_status", ""),
    ("resolution_status", "resolution_status", ""),
    ("response_due", "@response_due", ""),
    ("resolution_due", "@resolution_due", ""),
    ("response_breach_at", "@response_breach", ""),
    ("resolution_breach_at", "@resolution_breach", ""),
)
SLA_INPUTS = frozenset({"first_response_at", "resolved_at", "pauses"})
_PAUSE_STAGE = (("idx", "bigint"), ("p_start", "bigint"), ("p_end", "bigint"))


def row_targets() -> list[tuple[str, bool]]:
    """For each column of `row_columns`: the ticket column it fills and whether it is an instant."""
    by_source = {src.lstrip("@"): (col, src.startswith("@")) for col, src, _f in _DATA}
    return [("number", False)] + [by_source[name] for name, _kind in STAGE_COLUMNS[2:-1]]


def _expr(source: str, alias: str) -> str:
    return to_ts(f"{alias}.{source[1:]}") if source.startswith("@") else f"{alias}.{source}"


@dataclass
class UpsertCounts:
    created: int
    updated: int
    unchanged: int
    recompute_ids: list[int] | None = None  # updated tickets whose SLA inputs the source lacks


def row_columns(batch: TicketBatch, sla: SlaColumns, rows: Rows, pauses: dict[int, str]) -> list[list]:
    """`rows` (a slice or row positions) as Python columns in `STAGE_COLUMNS` order, from number
    to resolution_breach (instants as epoch seconds, None for NULL). `pauses`: `pause_texts(batch)`,
    for the hash."""
    count = len(range(rows.start, rows.stop)) if isinstance(rows, slice) else len(rows)
    fcr = batch.fcr[rows].astype(np.int64)
    fcr_list: list = [None if v < 0 else bool(v) for v in fcr.tolist()] if batch.has_fcr_column else [None] * count
    return [
        batch.ticket_no[rows].tolist(),
        batch.priority[rows].tolist(),
        batch.type[rows].tolist(),
        batch.status[rows].tolist(),
        batch.title[rows].tolist(),
        batch.contact[rows].tolist(),
        batch.contact_phone[rows].tolist(),
        batch.contact_email[rows].tolist(),
        nullable(epochs(batch.created[rows])),
        nullable(epochs(batch.first_response[rows])),
        nullable(epochs(batch.resolved[rows])),
        nullable(epochs(batch.closed[rows])),
        batch.reopen_count[rows].astype(np.int64).tolist(),
        fcr_list,
        batch_hashes(batch, rows, pauses),
        *sla.lists(rows),
    ]


def _stage_rows(batch: TicketBatch, sla: SlaColumns, order: np.ndarray | None, offset: int) -> Iterator[tuple]:
    """Stage rows (in `order`, else as they come), numbered from `offset`, built chunk by chunk, so
    only one chunk of Python objects lives at a time. The rows come straight from each chunk's
    `zip` (chained in C): a generator yielding row by row cost a Python frame switch per row."""
    pauses = pause_texts(batch)
    n = len(batch)

    def chunks() -> Iterator[Iterator[tuple]]:
        for lo in range(0, n, BATCH):
            hi = min(lo + BATCH, n)
            rows = slice(lo, hi) if order is None else order[lo:hi]
            yield zip(range(lo + offset, hi + offset), *row_columns(batch, sla, rows, pauses), [NEW] * (hi - lo))

    return chain.from_iterable(chunks())


def kept_pauses(batch: TicketBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The batch's pauses that are stored: (ticket index in the batch, start, end) with epochs, NAT
    for an open end. A zero-length pause counts for nothing and is left out."""
    start, end = epochs(batch.pause_start), epochs(batch.pause_end)
    keep = (end == NAT) | (end > start)
    return batch.pause_ticket[keep].astype(np.int64), start[keep], end[keep]


def stage_open() -> None:
    """Create the empty temporary stage tables. Call OUTSIDE the write transaction."""
    with connection.cursor() as cursor:
        if not _postgres():
            # A bigger page cache keeps the ticket indexes in memory while a large
            # batch goes in (the default 2 MB thrashes on a million rows).
            cursor.execute("PRAGMA cache_size = -262144")
        create_stage(cursor, "opsqm_stage", STAGE_COLUMNS)
        create_stage(cursor, "opsqm_pause_stage", _PAUSE_STAGE)


def stage_append(batch: TicketBatch, sla: SlaColumns, offset: int, progress: Callable[[int], None] | None = None) -> StagedRun | None:
    """Append one batch to the stage tables, its rows numbered from ``offset``. On SQLite in
    creation order, so that each batch is a sorted run for the windows of a staged write
    (`opsqm.tickets.stage_runs`), which it returns; PostgreSQL has no such windows and keeps
    file order (gathering rows in another order doubles the cost of building them)."""
    created = epochs(batch.created)
    ordered = _postgres() or bool(np.all(created[1:] >= created[:-1]))  # exports often are
    rows: np.ndarray | None = None if ordered else np.argsort(created, kind="stable")
    with connection.cursor() as cursor:
        load_stage(cursor, "opsqm_stage", [c for c, _ in STAGE_COLUMNS], _stage_rows(batch, sla, rows, offset), len(batch), progress)
        if batch.pause_ticket.size:
            owner, start, end = kept_pauses(batch)
            if rows is not None:  # each pause follows its ticket to where it is staged
                staged_at = np.empty(len(batch), dtype=np.int64)
                staged_at[rows] = np.arange(len(batch), dtype=np.int64)
                owner = staged_at[owner]
            pauses = zip((owner + offset).tolist(), start.tolist(), nullable(end))
            load_stage(cursor, "opsqm_pause_stage", [c for c, _ in _PAUSE_STAGE], iter(pauses), int(owner.size))
    if _postgres():
        return None
    return stage_runs.sampled(offset, created if rows is None else created[rows])


def stage_analyze() -> None:
    """Once the stage is loaded: an index to find a window's pauses (without it SQLite builds an
    automatic index over every staged pause for each window), and PostgreSQL's statistics."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX opsqm_pause_stage_idx ON opsqm_pause_stage (idx)")
        if _postgres():
            cursor.execute("ANALYZE opsqm_stage")  # temp tables have no statistics until analyzed
            cursor.execute("ANALYZE opsqm_pause_stage")


# SQLite: a stage of at least this many rows is discarded by closing the connection, which
# drops its temporary database whole (40 ms) where DROP TABLE walks every page (0.5–0.8 s for a
# million rows). Django opens a new connection at the next query.
CLOSE_TO_DISCARD_ROWS = 50_000


def drop_stage(rows: int = 0) -> None:
    """Discard the stage tables of an import of `rows` rows."""
    if not _postgres() and rows >= CLOSE_TO_DISCARD_ROWS and not connection.in_atomic_block:
        connection.close()
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS opsqm_stage")
        cursor.execute("DROP TABLE IF EXISTS opsqm_pause_stage")
        if not _postgres():
            cursor.execute("PRAGMA cache_size = -2000")  # back to SQLite's default for this connection


def tune_write_transaction() -> None:
    """PostgreSQL: sorts and hash joins of a million staged rows in memory, not in temp files
    (the default work_mem is 4 MB). For the current transaction only."""
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")


def stage_classify(project_id: int, rows: int) -> dict[int, int]:
    """Mark the `rows` staged rows new / changed / unchanged against the stored tickets; returns
    how many of each action. Reads the ticket table and writes only the temporary stage, so it
    runs BEFORE the write transaction (a re-import of an unchanged file then holds no write lock
    at all). A ticket created by another writer in between makes the insert fail on the unique
    number, so the import is refused whole rather than half-applied. A project without tickets
    (a first import) has every row new: no statement over the stage at all."""
    with connection.cursor() as cursor:
        if not _exists(cursor, f"SELECT 1 FROM {TICKET} WHERE project_id = %s LIMIT 1", [project_id]):  # nosec B608 (table/column names are module constants; values are bound parameters)
            return {NEW: rows} if rows else {}
        cursor.execute(
            f"UPDATE opsqm_stage SET action = CASE WHEN t.row_hash = opsqm_stage.row_hash THEN {UNCHANGED} "  # nosec B608 (table/column names are module constants; values are bound parameters)
            f"ELSE {UPDATED} END FROM {TICKET} t WHERE t.project_id = %s AND t.number = opsqm_stage.number",
            [project_id],
        )
        return {int(action): int(count) for action, count in fetch(cursor, "SELECT action, COUNT(*) FROM opsqm_stage GROUP BY action")}


def insert_new(
    cursor,
    *,
    project_id: int,
    source: str,
    now_epoch: int,
    cutoff_epoch: int,
    window: Window | None = None,
    staged_by: int | None = None,
) -> None:
    """Insert the staged NEW rows (of one window in creation order, or all in file order) as
    tickets; their pauses follow with `insert_pauses`. All at once, creation order would cost
    PostgreSQL a sort of the whole stage (9 s → 13 s for a million rows)."""
    data_cols = ", ".join(col for col, _src, _f in _DATA)
    data_vals = ", ".join(_expr(src, "s") for _col, src, _f in _DATA)
    sla_time = to_ts("%s")
    if window is None:
        rows = f"opsqm_stage s WHERE s.action = {NEW} ORDER BY s.idx"
    else:
        between = " OR ".join(f"s.idx BETWEEN {int(first)} AND {int(last)}" for first, last in window)
        rows = f"opsqm_stage s WHERE s.action = {NEW} AND ({between})"
    cursor.execute(
        f"INSERT INTO {TICKET} (project_id, number, {data_cols}, source, updated_at, sla_computed_at, sla_cutoff, staged_by) "  # nosec B608 (table/column names are module constants; values are bound parameters)
        f"SELECT %s, s.number, {data_vals}, %s, {sla_time}, {sla_time}, {sla_time}, %s FROM {rows}",
        [project_id, source, now_epoch, now_epoch, cutoff_epoch, staged_by],
    )


def insert_pauses(cursor, *, project_id: int, action: int) -> None:
    """Insert the staged pauses of the stage rows of `action`, once their tickets are in place."""
    # Each staged pause, its stage row, its ticket by the unique number: a few index lookups per
    # pause. CROSS JOIN makes SQLite start from the pauses (not from every stage row); the
    # ticket in a subquery keeps PostgreSQL from hashing the whole ticket table (1.6 s at 1 M).
    cursor.execute(
        f'INSERT INTO {PAUSE} (ticket_id, start, "end") '  # nosec B608 (table/column names are module constants; values are bound parameters)
        f"SELECT (SELECT t.id FROM {TICKET} t WHERE t.project_id = %s AND t.number = s.number), "
        f"{to_ts('p.p_start')}, {to_ts('p.p_end')} FROM opsqm_pause_stage p CROSS JOIN opsqm_stage s "
        f"WHERE s.idx = p.idx AND s.action = {int(action)}",
        [project_id],
    )


def _actions(actions: Sequence[int]) -> str:
    return ", ".join(str(int(a)) for a in actions)


def staged_rows(*actions: int) -> tuple[list[str], np.ndarray]:
    """Numbers and creation times (datetime64) of the stage rows of the given actions."""
    with connection.cursor() as cursor:
        rows = fetch(cursor, f"SELECT number, created FROM opsqm_stage WHERE action IN ({_actions(actions)}) ORDER BY idx")  # nosec B608 (constant table, integer actions)
    return [r[0] for r in rows], int_column([r[1] for r in rows]).view("datetime64[s]")


def apply_stage(
    *,
    project_id: int,
    counts: dict[int, int],
    present: frozenset[str],
    source: str,
    now_epoch: int,
    cutoff_epoch: int,
    new_written: bool = False,
) -> UpsertCounts:
    """Move the staged rows into the ticket tables: insert new tickets, update changed
    ones (hash differs) in the fields the source carries, leave identical ones.
    Must run inside the caller's (short) write transaction, after stage_classify (`counts`:
    what it returned). `new_written`: the new rows are already in place (`opsqm.tickets.staging`)."""
    with connection.cursor() as cursor:
        if not new_written:
            insert_new(cursor, project_id=project_id, source=source, now_epoch=now_epoch, cutoff_epoch=cutoff_epoch)
            insert_pauses(cursor, project_id=project_id, action=NEW)
        sla_time = to_ts("%s")
        recompute: list[int] | None = None
        if counts.get(UPDATED):
            sets = ", ".join(f"{col} = {_expr(src, 's')}" for col, src, field in _DATA if not field or field in present)
            cursor.execute(
                f"UPDATE {TICKET} SET {sets}, source = %s, updated_at = {sla_time}, sla_computed_at = {sla_time}, "  # nosec B608 (table/column names are module constants; values are bound parameters)
                f"sla_cutoff = {sla_time} FROM opsqm_stage s "
                f"WHERE {TICKET}.project_id = %s AND {TICKET}.number = s.number AND s.action = {UPDATED}",
                [source, now_epoch, now_epoch, cutoff_epoch, project_id],
            )
            if "pauses" in present:
                cursor.execute(
                    f"DELETE FROM {PAUSE} WHERE ticket_id IN (SELECT t.id FROM {TICKET} t JOIN opsqm_stage s "  # nosec B608 (table/column names are module constants; values are bound parameters)
                    f"ON t.number = s.number WHERE t.project_id = %s AND s.action = {UPDATED})",
                    [project_id],
                )
                insert_pauses(cursor, project_id=project_id, action=UPDATED)
            if not SLA_INPUTS <= present:
                recompute = [
                    r[0]
                    for r in fetch(
                        cursor,
                        f"SELECT t.id FROM {TICKET} t JOIN opsqm_stage s ON t.number = s.number "  # nosec B608 (table/column names are module constants; values are bound parameters)
                        f"WHERE t.project_id = %s AND s.action = {UPDATED} ORDER BY t.id",
                        [project_id],
                    )
                ]
        pause_for_kill_test()
    return UpsertCounts(counts.get(NEW, 0), counts.get(UPDATED, 0), counts.get(UNCHANGED, 0), recompute)


def pause_for_kill_test() -> None:
    seconds = os.environ.get(KILL_HOOK_ENV)
    if not seconds:
        return
    print(KILL_HOOK_MARKER, flush=True)  # noqa: T201 (the kill test reads this marker from stdout)
    sys.stdout.flush()
    time.sleep(float(seconds))


def _exists(cursor, sql: str, params: list) -> bool:
    cursor.execute(sql, params)
    return cursor.fetchone() is not None


def fetch(cursor, sql: str, params: list | None = None) -> list[tuple]:
    cursor.execute(sql, params or [])
    return cursor.fetchall()
