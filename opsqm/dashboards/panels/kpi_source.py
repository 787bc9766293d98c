"""THE one place the cockpit reads KPI values from: `opsqm.kpis.results.kpi_results`, the KPI area's
records for other areas (same values, targets and access policy as the KPI pages).
Panels never import `opsqm.kpis` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from opsqm.core.kpi import KPI_DEFINITIONS, TICKET_KPIS, KpiCode, KpiDefinition, Period


@dataclass(frozen=True)
class KpiCell:
    code: KpiCode
    definition: KpiDefinition
    value: float | None
    target: Decimal | None
    attained: bool | None
    display: str
    target_display: str


def kpi_cells(
    user: Any, project_ids: Iterable[int], periods: Sequence[Period], *, project: Any = None
) -> dict[Period, dict[int, list[KpiCell]]]:
    """{period: {project id: [cell, …]}} for the ticket KPIs of `project_ids` (a subset of what `user`
    may see); a cell has .code, .definition (.name_zh), .display, .target_display, .attained
    (True / False / None when the rate has no denominator). Periods are quarters of one year; the
    year is read once (`project`: only that project's tickets are read)."""
    from opsqm.kpis.results import kpi_results
    from opsqm.kpis.selectors import format_value

    ids = set(project_ids)
    out: dict[Period, dict[int, list[KpiCell]]] = {p: {} for p in periods}
    if not ids or not periods:
        return out
    wanted = set(periods)
    ticket = set(TICKET_KPIS)
    years = {p.year for p in periods}
    for year in years:
        for r in kpi_results(user=user, project=project, granularity="quarter", year=year):
            if r.project is None or r.project.pk not in ids or r.period not in wanted or r.kpi not in ticket:
                continue
            definition = KPI_DEFINITIONS[r.kpi]
            out[r.period].setdefault(r.project.pk, []).append(
                KpiCell(r.kpi, definition, r.value, r.target, r.met, format_value(definition, r.value), format_value(definition, r.target))
            )
    return out
