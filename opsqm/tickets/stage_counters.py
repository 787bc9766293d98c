"""KPI counters of an import's new tickets, counted from its stage table before its write transaction.

The import's transaction then adds them to the project's counters (`kpi_counters_add`) and
recounts only the months its changed tickets touch: a first import of a million tickets does
not recount the project from the ticket table inside its transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from opsqm.kpis.counters import Cells, fold_groups, month_bounds
from opsqm.tickets import bulk


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
