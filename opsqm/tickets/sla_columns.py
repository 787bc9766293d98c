"""A batch of tickets' SLA results as NumPy columns, and instants as integer epoch seconds.

Imports, pushes and recomputes compute SLA with `opsqm.core.sla` into these columns; the SQL
paths (`opsqm.tickets.bulk`, `opsqm.tickets.first_import`, `opsqm.tickets.stored_sla`) store them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from opsqm.core.calendars import BusinessCalendar
from opsqm.core.sla import TicketArrays, compute_sla
from opsqm.core.ticket_io import target_arrays

NAT = np.iinfo(np.int64).min  # a NaT instant, as epoch seconds: SQL NULL
# Which rows of a batch: a slice, or an array of row positions (in the order wanted).
Rows = slice | np.ndarray


def epochs(values: np.ndarray) -> np.ndarray:
    return np.asarray(values).astype("datetime64[s]").view(np.int64)


def int_column(values: list) -> np.ndarray:
    """Epoch seconds from SQL (None for NULL) as an int64 column with NAT for NULL."""
    return np.array([NAT if v is None else v for v in values], dtype=np.int64)


def nullable(values: np.ndarray, null: int = NAT) -> list:
    """Python list with None where the value is the null marker."""
    out = values.tolist()
    holes = np.flatnonzero(values == null)
    for i in holes.tolist():
        out[i] = None
    return out


# ----------------------------------------------------------------- SLA arrays


@dataclass
class SlaColumns:
    """SLA results as int64 numpy columns; -1 / NAT mark SQL NULL. Kept as arrays
    (not Python lists) so a million-row import stays small in memory."""

    response_seconds: np.ndarray
    resolution_seconds: np.ndarray
    paused_seconds: np.ndarray
    response_status: np.ndarray
    resolution_status: np.ndarray
    response_due: np.ndarray
    resolution_due: np.ndarray
    response_breach: np.ndarray
    resolution_breach: np.ndarray

    def lists(self, rows: Rows) -> list[list]:
        return [
            nullable(self.response_seconds[rows], -1),
            nullable(self.resolution_seconds[rows], -1),
            self.paused_seconds[rows].tolist(),
            self.response_status[rows].tolist(),
            self.resolution_status[rows].tolist(),
            nullable(self.response_due[rows]),
            nullable(self.resolution_due[rows]),
            nullable(self.response_breach[rows]),
            nullable(self.resolution_breach[rows]),
        ]


def compute_columns(
    calendar: BusinessCalendar,
    created: np.ndarray,
    first: np.ndarray,
    resolved: np.ndarray,
    pause_ticket: np.ndarray,
    pause_start: np.ndarray,
    pause_end: np.ndarray,
    priorities: np.ndarray,
    targets: dict[str, tuple[int, int]],
    cutoff: np.datetime64,
) -> SlaColumns:
    arrays = TicketArrays(
        created=created, first_response=first, resolved=resolved, pause_ticket=pause_ticket, pause_start=pause_start, pause_end=pause_end
    )
    r = compute_sla(calendar, arrays, target_arrays(priorities, targets), cutoff)
    return SlaColumns(
        response_seconds=r.response_seconds.astype(np.int64),
        resolution_seconds=r.resolution_seconds.astype(np.int64),
        paused_seconds=r.paused_seconds.astype(np.int64),
        response_status=r.response_status.astype(np.int64),
        resolution_status=r.resolution_status.astype(np.int64),
        response_due=epochs(r.response_deadline).copy(),
        resolution_due=epochs(r.resolution_deadline).copy(),
        response_breach=epochs(r.response_breach).copy(),
        resolution_breach=epochs(r.resolution_breach).copy(),
    )
