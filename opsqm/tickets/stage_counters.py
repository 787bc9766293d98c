"""KPI counters of an import's new tickets, counted from its stage table before its write transaction.

The import's transaction then adds them to the project's counters (`kpi_counters_add`) and
recounts only the months its changed tickets touch: a first import of a million tickets does
not recount the project from the ticket table inside its transaction.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from django.db import connection

from opsqm.core.kpi import ticket_counters
from opsqm.core.ticket_io import TicketBatch
from opsqm.kpis.counters import Cells, fold_groups, month_bounds
from opsqm.tickets import bulk
from opsqm.tickets.sla_columns import NAT, SlaColumns, epochs


def new_ticket_cells(project_id: int, tz: str, cutoff_epoch: int) -> Cells:
    """The KPI counters of the import's new tickets alone (stage rows classified NEW), counted from
    the import's own stage table: integer epochs, no index to walk, no lock needed. The same
    rows, the same settled rule (`opsqm.kpis.counters.settled_q`) and the same arithmetic
    (`fold_groups`) as a recount."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(created), MAX(created) FROM opsqm_stage WHERE action = {bulk.NEW}")  # nosec B608 (constant table, integer action)
        lo, hi = cursor.fetchone()
        cells: Cells = {}
        if lo is None:
            return cells
        first, last = dt.datetime.fromtimestamp(lo, dt.UTC).year - 1, dt.datetime.fromtimestamp(hi, dt.UTC).year + 1
        bounds = [(y * 100 + m, int(month_bounds(y, tz)[m - 1].timestamp())) for y in range(first, last + 1) for m in range(1, 13)]
        # The local month of each row: the last month whose start is at or before its creation.
        month = "CASE " + " ".join(f"WHEN created >= {start} THEN {code}" for code, start in reversed(bounds)) + " ELSE 0 END"
        # Kept as in `opsqm.kpis.counters` (every new row has the stored cut-off `cutoff_epoch`):
        # created by it, and resolved by it with resolution seconds or still open.
        cursor.execute(
            f"SELECT {int(project_id)}, {month} AS month, priority, response_status, resolution_status, "  # nosec B608 (integers and constants only)
            "CASE WHEN reopen_count >= 1 THEN 1 ELSE 0 END AS again, fcr, CASE WHEN resolved IS NULL THEN 0 ELSE 1 END AS done, "
            f"COUNT(*), SUM(resolution_seconds) FROM opsqm_stage WHERE action = {bulk.NEW} AND created <= %s AND ("
            "resolved IS NULL OR (resolved <= %s AND resolution_seconds IS NOT NULL)) GROUP BY 2, 3, 4, 5, 6, 7, 8",
            [cutoff_epoch, cutoff_epoch],
        )
        fold_groups(cells, [(*r[:6], None if r[6] is None else bool(r[6]), *r[7:]) for r in cursor.fetchall()])
    return cells


def add_batch_cells(cells: Cells, *, project_id: int, tz: str, cutoff_epoch: int, batch: TicketBatch, sla: SlaColumns) -> None:
    """Add the KPI counters of one read batch, as if every row were new, to `cells`: counted in
    NumPy while the batch is in memory. The import uses them when classification finds every
    staged row new (a first import), and `new_ticket_cells` otherwise. The same settled rule
    and the same arithmetic (`opsqm.core.kpi.ticket_counters`) as a recount."""
    created, resolved = epochs(batch.created), epochs(batch.resolved)
    still_open = resolved == NAT
    seconds = sla.resolution_seconds
    keep = (created <= cutoff_epoch) & (still_open | ((resolved <= cutoff_epoch) & (seconds != -1)))
    if not keep.any():
        return
    fcr = batch.fcr.astype(np.int8) if batch.has_fcr_column else np.full(batch.fcr.shape, -1, dtype=np.int8)
    matrix = ticket_counters(
        sla.response_status[keep],
        sla.resolution_status[keep],
        ~still_open[keep],
        batch.reopen_count[keep] >= 1,
        fcr[keep],
        np.where(seconds == -1, 0, seconds)[keep],
    )
    frame = pl.DataFrame({"month": _month_codes(created[keep], tz), "priority": pl.Series(batch.priority[keep].tolist(), dtype=pl.String)})
    frame = frame.hstack(pl.DataFrame(matrix, schema=[f"c{i}" for i in range(matrix.shape[1])], orient="row"))
    sums = frame.group_by("month", "priority").sum()
    totals = sums.select(pl.exclude("month", "priority")).to_numpy()
    for i, (month, priority) in enumerate(zip(sums["month"].to_list(), sums["priority"].to_list())):
        key = (project_id, month, priority)
        cells[key] = cells.get(key, 0) + totals[i]


def _month_codes(created: np.ndarray, tz: str) -> np.ndarray:
    """The local creation month (YYYYMM) of each epoch."""
    first = dt.datetime.fromtimestamp(int(created.min()), dt.UTC).year - 1
    last = dt.datetime.fromtimestamp(int(created.max()), dt.UTC).year + 1
    starts = np.array([int(month_bounds(y, tz)[m].timestamp()) for y in range(first, last + 1) for m in range(12)], dtype=np.int64)
    codes = np.array([y * 100 + m + 1 for y in range(first, last + 1) for m in range(12)], dtype=np.int64)
    return codes[np.searchsorted(starts, created, side="right") - 1]
