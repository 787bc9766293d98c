"""THE one place the plans and quarterly areas read KPI values.

Everything here calls the current `opsqm.kpis.selectors` (year_data / counters_for / targets_for /
manual_measures). When the KPI app's new `kpi_results(...)` selector lands, switch these two
functions to it; no other module of plans/quarterly touches opsqm.kpis.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from opsqm.core.kpi import KPI_DEFINITIONS, TICKET_KPIS, KpiCode, Period, attainment

__all__ = ["KpiRow", "kpi_rows", "kpi_org_value"]


@dataclass
class KpiRow:
    code: str
    name: str
    unit: str
    value: float | None
    target: float | None
    attained: bool | None
    display: str
    target_display: str
    trend: list[float | None] = field(default_factory=list)  # the period's months, in order
    trend_labels: list[str] = field(default_factory=list)

    @property
    def missed(self) -> bool:
        return self.attained is False

    @property
    def trend_display(self) -> list[str]:
        return [_fmt(self.unit, v) for v in self.trend]


def _fmt(unit: str, value: Any) -> str:
    from opsqm.kpis.selectors import format_value

    return format_value(type("D", (), {"unit": unit})(), value)


def kpi_rows(*, period: Period, project_ids: list[int] | None) -> list[KpiRow]:
    """KPI values of a quarter (or month) against targets, with the monthly trend inside the period.

    project_ids None = the company (org pool, org targets); one id = that project (its targets).
    """
    from opsqm.kpis import selectors as ks

    data = ks.year_data(period.year)
    ids = list(project_ids) if project_ids is not None else None
    targets_all = ks.targets_for(ids or [])
    targets = targets_all[ids[0]] if ids and len(ids) == 1 else targets_all[ks.ORG]
    months = [Period(period.year, month=m % 100) for m in ks.period_months(period)]
    rows = []
    for cell in ks.ticket_cells(data, ids, period, targets):
        trend = [ks.kpi_value(cell.code, ks.counters_for(data, ids, m)).value for m in months]
        rows.append(
            KpiRow(
                cell.code.value,
                cell.definition.name_zh,
                cell.definition.unit,
                cell.value.value,
                float(cell.target) if cell.target is not None else None,
                cell.attained,
                cell.display,
                cell.target_display,
                trend,
                [f"{m.month} 月" for m in months],
            )
        )
    if ids and len(ids) == 1:
        measures = ks.manual_measures(ids, [period])
        for code, definition in KPI_DEFINITIONS.items():
            if code in TICKET_KPIS:
                continue
            m = measures.get((ids[0], period.key, code))
            if m is None:
                continue
            value = ks.manual_value(m).value
            target = targets.get(code)
            rows.append(
                KpiRow(
                    code.value,
                    definition.name_zh,
                    definition.unit,
                    value,
                    float(target) if target is not None else None,
                    attainment(definition, value, target),
                    _fmt(definition.unit, value),
                    _fmt(definition.unit, target),
                )
            )
    return rows


def kpi_org_value(code: str, year: int, today: dt.date) -> float | None:
    """Year-to-date company value of a ticket KPI or of 客户满意度 (0–100, the year's company
    satisfaction from the surveys area); None for manual or unknown codes."""
    from opsqm.kpis import selectors as ks

    try:
        kpi = KpiCode(code)
    except ValueError:
        return None
    if kpi is KpiCode.CUSTOMER_SATISFACTION:
        try:
            from opsqm.surveys.selectors import company_satisfaction
        except ImportError:
            return None
        return company_satisfaction(period=str(year))
    if kpi not in TICKET_KPIS:
        return None
    data = ks.year_data(year)
    total = None
    for q in range(1, 5):
        p = Period(year, quarter=q)
        if p.start_local > today:
            break
        c = ks.counters_for(data, None, p)
        total = c if total is None else total + c
    return None if total is None else ks.kpi_value(kpi, total).value
