"""KPI values as plain records, for the API and the areas that report KPIs (quarterly review,
cockpit, management review). The same values, targets and access policy as the KPI pages.

    from opsqm.kpis.results import kpi_results
    for r in kpi_results(user=request.user, granularity="quarter", year=2026, cutoff=None):
        r.project            # a Project, or None for the company row (pooled tickets)
        r.period.key         # "2026-Q1" (or "2026-01" by month)
        r.kpi                # KpiCode, e.g. KpiCode.RESPONSE_TIMELINESS ("response_timeliness")
        r.value              # 0.95 (rates as fractions, mttr in hours, counts) or None ("—")
        r.numerator, r.denominator   # the counts behind it (mttr: business seconds ÷ resolved tickets)
        r.target, r.met      # effective target (Decimal or None) and whether it is met (None: no verdict)

客户满意度 (KpiCode.CUSTOMER_SATISFACTION) comes from the surveys area: value is the score 0–100
(rounded to 0.1, as on the satisfaction pages) or None, denominator the number of responses behind
it, numerator None (a score is a weighted mean, not a count ratio).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404

from opsqm.core.kpi import SURVEY_KPIS, Granularity, KpiCode, Period
from opsqm.kpis import selectors


@dataclass(frozen=True)
class KpiResult:
    project: Any | None  # org.Project, or None for the company (only for org-wide roles)
    period: Period
    kpi: KpiCode
    value: float | None
    numerator: int | float | None
    denominator: int
    target: Decimal | None
    met: bool | None


def kpi_results(
    *, user: Any, project: Any | None = None, granularity: Granularity | str, year: int, cutoff: datetime | None = None
) -> list[KpiResult]:
    """Every KPI of the catalogue per scope and period of local `year`, as of `cutoff` (None = now).

    With `project`: that project only (Http404 when the user may not see it). Without: every
    project the user can see, plus the company row first for org-wide roles.
    """
    from opsqm.kpis.presenters import row_cells

    visible = selectors.visible_project_list(user)
    if project is not None:
        projects = [p for p in visible if p.pk == project.pk]
        if not projects:
            raise Http404
        include_org = False
    else:
        projects, include_org = visible, selectors.org_values_visible(user)
    ids = [p.pk for p in projects]
    periods = selectors.year_periods(year, Granularity(granularity))
    months = [Period(year, month=m) for m in range(1, 13)]
    data = selectors.year_data(year, cutoff, None if include_org else ids)
    targets = selectors.targets_for(ids, year)
    measures = selectors.manual_measures(ids, [*periods, *months])
    measures.update(selectors.satisfaction_measures(user, periods, ids))
    scopes: list[tuple[Any, list[int] | None, Any]] = [(None, None, selectors.ORG)] if include_org else []
    scopes += [(p, [p.pk], p.pk) for p in projects]
    results: list[KpiResult] = []
    for scope, scope_ids, target_key in scopes:
        for period in periods:
            for cell in row_cells(data, scope_ids, period, targets[target_key], measures, scope_ids or ids):
                numerator = None if cell.code in SURVEY_KPIS else cell.value.numerator
                results.append(
                    KpiResult(scope, period, cell.code, cell.value.value, numerator, cell.value.denominator, cell.target, cell.attained)
                )
    return results
