"""Stored tickets read back as columns, and SLA results written back: what a recompute does.

`load_stored` reads a project's tickets (or a window of them, in id order, for a streamed
recompute) straight from SQL; `write_sla` stores computed results through a stage table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection

from opsqm.tickets.bulk import BATCH, PAUSE, STAGE_COLUMNS, TICKET, create_stage, epoch_sql, load_stage, to_ts
from opsqm.tickets.sla_columns import SlaColumns, int_column


@dataclass
class StoredTickets:
    ids: np.ndarray
    priority: np.ndarray
    created: np.ndarray
    first_response: np.ndarray
    resolved: np.ndarray
    pause_ticket: np.ndarray
    pause_start: np.ndarray
    pause_end: np.ndarray


def load_stored(
    project_id: int, ticket_ids: Sequence[int] | None = None, *, after_id: int | None = None, limit: int | None = None
) -> StoredTickets:
    """A project's tickets as numpy columns, straight from SQL (no model instances);
    with ``after_id``/``limit`` one window of them in id order (streamed recompute)."""
    where, params = "project_id = %s", [project_id]
    if after_id is not None:
        where += " AND id > %s"
        params.append(after_id)
    if limit is not None:
        where += f" AND id <= COALESCE((SELECT MAX(id) FROM (SELECT id FROM {TICKET} WHERE project_id = %s"  # nosec B608 (table/column names are module constants; values are bound parameters)
        where += " AND id > %s ORDER BY id LIMIT %s) w), 0)"
        params += [project_id, after_id or 0, int(limit)]
    if ticket_ids is not None:
        ids = list(ticket_ids) or [0]
        where += f" AND id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, priority, {epoch_sql('created_at')}, {epoch_sql('first_response_at')}, {epoch_sql('resolved_at')} "  # nosec B608 (table/column names are module constants; values are bound parameters)
            f"FROM {TICKET} WHERE {where} ORDER BY id",
            params,
        )
        rows = cursor.fetchall()
        cursor.execute(
            f"SELECT ticket_id, {epoch_sql('start')}, {epoch_sql(chr(34) + 'end' + chr(34))} FROM {PAUSE} "  # nosec B608 (table/column names are module constants; values are bound parameters)
            f"WHERE ticket_id IN (SELECT id FROM {TICKET} WHERE {where})",
            params,
        )
        pauses = cursor.fetchall()
    cols = list(zip(*rows)) if rows else [[], [], [], [], []]
    ids = np.array(cols[0], dtype=np.int64)
    pcols = list(zip(*pauses)) if pauses else [[], [], []]
    pause_ids = np.array(pcols[0], dtype=np.int64)
    return StoredTickets(
        ids=ids,
        priority=np.array(cols[1], dtype=object),
        created=int_column(list(cols[2])).view("datetime64[s]"),
        first_response=int_column(list(cols[3])).view("datetime64[s]"),
        resolved=int_column(list(cols[4])).view("datetime64[s]"),
        pause_ticket=np.searchsorted(ids, pause_ids).astype(np.int64),
        pause_start=int_column(list(pcols[1])).view("datetime64[s]"),
        pause_end=int_column(list(pcols[2])).view("datetime64[s]"),
    )


# The ticket id, then the stage's SLA columns (`response_seconds` … `resolution_breach`).
_SLA_STAGE = (("id", "bigint"), *STAGE_COLUMNS[[name for name, _kind in STAGE_COLUMNS].index("response_seconds") : -1])


def write_sla(ids: np.ndarray, sla: SlaColumns, *, now_epoch: int, cutoff_epoch: int) -> None:
    """Store computed SLA results of the given ticket ids (inside the caller's transaction)."""
    n = int(ids.size)
    if not n:
        return

    def rows() -> Iterator[tuple]:
        for lo in range(0, n, BATCH):
            hi = min(lo + BATCH, n)
            yield from zip(ids[lo:hi].tolist(), *sla.lists(slice(lo, hi)))

    with connection.cursor() as cursor:
        create_stage(cursor, "opsqm_sla_stage", _SLA_STAGE)
        load_stage(cursor, "opsqm_sla_stage", [c for c, _ in _SLA_STAGE], rows(), n)
        ts = to_ts("%s")
        cursor.execute(
            f"UPDATE {TICKET} SET response_seconds = s.response_seconds, resolution_seconds = s.resolution_seconds, "  # nosec B608 (table/column names are module constants; values are bound parameters)
            f"paused_seconds = s.paused_seconds, response_status = s.response_status, "
            f"resolution_status = s.resolution_status, response_due = {to_ts('s.response_due')}, "
            f"resolution_due = {to_ts('s.resolution_due')}, response_breach_at = {to_ts('s.response_breach')}, "
            f"resolution_breach_at = {to_ts('s.resolution_breach')}, sla_computed_at = {ts}, sla_cutoff = {ts} "
            f"FROM opsqm_sla_stage s WHERE {TICKET}.id = s.id",
            [now_epoch, cutoff_epoch],
        )
        cursor.execute("DROP TABLE IF EXISTS opsqm_sla_stage")
