"""THE one place the cockpit reads KPI values from.

kpi-counters is reworking `opsqm/kpis/selectors.py` (a `kpi_results(...)` selector is coming); when it
lands, only `kpi_cells` below changes. Panels never import `opsqm.kpis.selectors` themselves.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from opsqm.core.kpi import Period


def kpi_cells(project_ids: Iterable[int], periods: Sequence[Period]) -> dict[Period, dict[int, list[Any]]]:
    """{period: {project id: [cell, …]}} for the ticket KPIs; a cell has .code, .definition (.name_zh),
    .display, .target_display, .attained (True / False / None when the rate has no denominator).
    Periods of one year; targets are read once."""
    from opsqm.kpis import selectors

    ids = list(project_ids)
    if not ids or not periods:
        return {p: {} for p in periods}
    targets = selectors.targets_for(ids)
    out: dict[Period, dict[int, list[Any]]] = {}
    for period in periods:
        data = selectors.year_data(period.year)
        out[period] = {pk: selectors.ticket_cells(data, [pk], period, targets[pk]) for pk in ids}
    return out
