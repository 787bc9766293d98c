"""THE one place the cockpit reads KPI values from.

kpi-counters is reworking `opsqm/kpis/selectors.py` (a `kpi_results(...)` selector is coming); when it
lands, only `kpi_cells` below changes. Panels never import `opsqm.kpis.selectors` themselves.
"""

from __future__ import annotations

from typing import Any, Iterable

from opsqm.core.kpi import Period


def kpi_cells(project_ids: Iterable[int], period: Period) -> dict[int, list[Any]]:
    """{project id: [cell, …]} for the ticket KPIs of `period`; a cell has .code, .definition (.name),
    .display, .target_display, .attained (True / False / None when the rate has no denominator)."""
    from opsqm.kpis import selectors

    ids = list(project_ids)
    if not ids:
        return {}
    data = selectors.year_data(period.year)
    targets = selectors.targets_for(ids)
    return {pk: selectors.ticket_cells(data, [pk], period, targets[pk]) for pk in ids}
