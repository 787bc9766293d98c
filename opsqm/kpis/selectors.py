"""Reads of the KPI area: ticket KPI values per project / company and period, targets, cells.

How a value is computed (PRODUCT.md "Ticket KPI formulas" and "SLA semantics"), as of a
cut-off C (default now):

* A ticket belongs to the month / quarter of its creation in its project's time zone.
* Every ticket's counters per (project, local month, priority), with the statuses stored at
  its SLA cut-off, are kept on write in `kpis.KpiCounter` (`opsqm.kpis.counters`), in the same
  transaction as every ticket writer. As of now, the open tickets whose pending clock has
  turned since are added in SQL from their stored breach instants (`opsqm.kpis.open_status`):
  a ticket stored PENDING that is overdue by C counts as breached.
* The few tickets outside the kept counters (created or resolved after their stored cut-off),
  and for a historical C every ticket not resolved by C, are evaluated at C with the SLA
  engine (`opsqm.kpis.evaluation`); the resolved ones are then counted from the tickets.
* Counters are additive: a quarter is the sum of its months, the company value the sum over
  all projects — pooled, never a mean of project rates. The arithmetic is `opsqm.core.kpi`'s.

Nothing is cached between requests: every process reads the same committed counters.
Company rows pool the tickets of every project, including projects a specialist cannot see,
so they are shown only to org-wide roles (`org_values_visible`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from opsqm.accounts.access import is_org_wide, visible_projects
from opsqm.core.kpi import (
    COUNTERS,
    KPI_DEFINITIONS,
    TICKET_KPIS,
    Granularity,
    KpiCode,
    KpiDefinition,
    KpiValue,
    Period,
    attainment,
    kpi_from_counters,
)
from opsqm.kpis import open_status
from opsqm.kpis.counters import DEFAULT_TZ, Cells, settled_cells, stored_cells
from opsqm.kpis.drilldown import (  # noqa: F401 - re-exported for the views
    DENOMINATOR_ONLY,
    EXCLUDED,
    NUMERATOR,
    DrillDown,
    category_counts,
    drill_down,
    period_months,
)
from opsqm.kpis.evaluation import Evaluated, evaluate, open_cells, open_rows

C = {name: index for index, name in enumerate(COUNTERS)}
ORG = "org"


def org_values_visible(user: Any) -> bool:
    """Company values pool every project's tickets: only org-wide roles may see them."""
    return is_org_wide(user)


def parse_cutoff(raw: str | None, tz: str = DEFAULT_TZ) -> datetime | None:
    """`?cutoff=YYYY-MM-DD` → the end of that local day (next midnight − 1 s); None = now."""
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    local_end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(tz)) - timedelta(seconds=1)
    return local_end.astimezone(UTC)


# --------------------------------------------------------------------- computing


@dataclass
class YearData:
    """Everything needed to present one local year's ticket KPIs."""

    year: int
    cutoff: datetime
    cells: Cells
    priorities: list[str]  # in SLA order
    evaluated: Evaluated  # the tickets the engine evaluated (as of now: only those SQL cannot, see open_status)
    _dense: Any = None

    def months(self) -> list[int]:
        return [self.year * 100 + m for m in range(1, 13)]

    def dense(self) -> tuple[dict[int, int], dict[str, int], np.ndarray]:
        """The cells as one array [project, month 0..11, priority, counter] (built once)."""
        if self._dense is None:
            projects = sorted({key[0] for key in self.cells})
            priorities = sorted({key[2] for key in self.cells})
            p_index = {pk: i for i, pk in enumerate(projects)}
            q_index = {code: i for i, code in enumerate(priorities)}
            array = np.zeros((len(projects), 12, len(priorities), len(COUNTERS)), dtype=np.int64)
            for (pk, month, prio), vector in self.cells.items():
                if month // 100 == self.year:
                    array[p_index[pk], month % 100 - 1, q_index[prio]] += vector
            self._dense = (p_index, q_index, array)
        return self._dense


def _projects_by_tz(project_ids: Iterable[int] | None) -> dict[str, list[int]]:
    from opsqm.org.models import Project

    qs = Project.objects.order_by()
    if project_ids is not None:
        qs = qs.filter(pk__in=list(project_ids))
    groups: dict[str, list[int]] = {}
    for pk, tz in qs.values_list("pk", "time_zone"):
        groups.setdefault(tz or DEFAULT_TZ, []).append(pk)
    return groups


def _priority_order() -> list[str]:
    from opsqm.tickets.models import SlaPriority

    seen: dict[str, int] = {}
    for code, order in SlaPriority.objects.order_by("order", "code").values_list("code", "order"):
        seen.setdefault(code, order)
    return sorted(seen, key=lambda c: (seen[c], c))


def _merge(a: Cells, b: Cells) -> Cells:
    merged = dict(a)
    for key, vector in b.items():
        merged[key] = merged.get(key, 0) + vector
    return merged


def year_data(year: int, cutoff: datetime | None = None, project_ids: Iterable[int] | None = None) -> YearData:
    """Counters of the tickets created in local `year` (every project, or `project_ids`) as of `cutoff`.

    None or a future cut-off means now: kept counters plus the open tickets evaluated now.
    """
    now = timezone.now()
    ids = None if project_ids is None else list(project_ids)
    by_tz = _projects_by_tz(ids)
    if cutoff is None or cutoff >= now:
        at = now
        settled = _merge(stored_cells(year, ids), open_status.flip_cells(year, by_tz, now))
        rows = open_rows(year, by_tz, None)
    else:
        at, settled = cutoff, settled_cells(year, cutoff, by_tz)
        rows = open_rows(year, by_tz, cutoff)
    evaluated = evaluate(rows, at)
    return YearData(year, at, _merge(settled, open_cells(evaluated, year, at)), _priority_order(), evaluated)


# ---------------------------------------------------------------------- presenting


def year_periods(year: int, granularity: Granularity | str) -> list[Period]:
    if Granularity(granularity) is Granularity.MONTH:
        return [Period(year, month=m) for m in range(1, 13)]
    return [Period(year, quarter=q) for q in range(1, 5)]


def counters_for(data: YearData, projects: Iterable[int] | None, period: Period, priority: str | None = None) -> np.ndarray:
    """Summed counters of the given projects (None = all: org pool) over a period."""
    p_index, q_index, array = data.dense()
    if period.year != data.year or array.size == 0:
        return np.zeros(len(COUNTERS), dtype=np.int64)
    months = [m % 100 - 1 for m in period_months(period)]
    selected = array[:, months]
    if projects is not None:
        rows = [p_index[pk] for pk in projects if pk in p_index]
        selected = selected[rows]
    if priority is not None:
        if priority not in q_index:
            return np.zeros(len(COUNTERS), dtype=np.int64)
        selected = selected[:, :, [q_index[priority]]]
    return selected.sum(axis=(0, 1, 2))


def kpi_value(code: KpiCode, counters: np.ndarray) -> KpiValue:
    return kpi_from_counters(code, counters)


def format_value(definition: KpiDefinition, value: float | Decimal | None) -> str:
    if value is None:
        return "—"
    if definition.unit == "%":
        return f"{float(value) * 100:.1f}%"
    if definition.unit == "h":
        return f"{float(value):.1f} h"
    if definition.unit == "分":
        return gettext("%(n)s 分") % {"n": f"{float(value):.1f}"}
    return gettext("%(n)s 次") % {"n": f"{float(value):g}"}


# --------------------------------------------------------------------------- targets


def targets_for(project_ids: Iterable[int], year: int | None = None) -> dict[Any, dict[KpiCode, Decimal | None]]:
    """Effective targets: project's own, else org's, else the catalogue default. Key ORG = org.

    客户满意度's default is the target in the satisfaction rules of `year` (default: this year).
    """
    from opsqm.kpis.models import KpiTarget

    ids = list(project_ids)
    org = {code: definition.default_target for code, definition in KPI_DEFINITIONS.items()}
    org[KpiCode.CUSTOMER_SATISFACTION] = satisfaction_default_target(year or timezone.localdate().year)
    own: dict[int, dict[KpiCode, Decimal]] = {}
    for kpi, project_id, target in KpiTarget.objects.filter(Q(project__isnull=True) | Q(project_id__in=ids)).values_list(
        "kpi", "project_id", "target"
    ):
        if project_id is None:
            org[KpiCode(kpi)] = target
        else:
            own.setdefault(project_id, {})[KpiCode(kpi)] = target
    result: dict[Any, dict[KpiCode, Decimal | None]] = {ORG: org}
    for pk in ids:
        result[pk] = {**org, **own.get(pk, {})}
    return result


def satisfaction_default_target(year: int) -> Decimal:
    """The year's satisfaction-rules target (surveys area), else the catalogue default (85)."""
    try:
        from opsqm.surveys.services import rules_for_year
    except ImportError:  # surveys app not installed
        return KPI_DEFINITIONS[KpiCode.CUSTOMER_SATISFACTION].default_target or Decimal("85")
    return Decimal(str(rules_for_year(year).target))


def project_own_targets(project_id: int) -> dict[KpiCode, Any]:
    from opsqm.kpis.models import KpiTarget

    return {KpiCode(t.kpi): t for t in KpiTarget.objects.filter(project_id=project_id)}


def org_targets() -> dict[KpiCode, Any]:
    from opsqm.kpis.models import KpiTarget

    return {KpiCode(t.kpi): t for t in KpiTarget.objects.filter(project__isnull=True)}


# ------------------------------------------------------------------- cells for pages


@dataclass
class Cell:
    code: KpiCode
    definition: KpiDefinition
    value: KpiValue
    target: Decimal | None
    attained: bool | None
    display: str
    target_display: str

    @property
    def missed(self) -> bool:
        return self.attained is False


def make_cell(code: KpiCode, value: KpiValue, target: Decimal | None) -> Cell:
    definition = KPI_DEFINITIONS[code]
    return Cell(
        code,
        definition,
        value,
        target,
        attainment(definition, value.value, target),
        format_value(definition, value.value),
        format_value(definition, target),
    )


def ticket_cells(data: YearData, projects: Iterable[int] | None, period: Period, targets: dict[KpiCode, Decimal | None]) -> list[Cell]:
    counters = counters_for(data, projects, period)
    return [make_cell(code, kpi_value(code, counters), targets.get(code)) for code in TICKET_KPIS]


def manual_measures(project_ids: Iterable[int], periods: Sequence[Period]) -> dict[tuple[int, str, KpiCode], Any]:
    from opsqm.kpis.models import ManualMeasure

    keys = [p.key for p in periods]
    return {
        (m.project_id, m.period, KpiCode(m.kpi)): m for m in ManualMeasure.objects.filter(project_id__in=list(project_ids), period__in=keys)
    }


def manual_value(measure: Any) -> KpiValue:
    """A manual measure as a KpiValue (a ratio when entered as numerator ÷ denominator)."""
    if measure is None:
        return KpiValue(0, 0, None)
    if measure.denominator:
        return KpiValue(measure.numerator or 0, measure.denominator, (measure.numerator or 0) / measure.denominator)
    if measure.value is None:
        return KpiValue(0, 0, None)
    return KpiValue(float(measure.value), 1, float(measure.value))


def visible_project_list(user: Any) -> list[Any]:
    return list(visible_projects(user).order_by("code").only("pk", "code", "name", "time_zone"))


# --------------------------------------------------------------- customer satisfaction


def satisfaction_measures(
    user: Any, periods: Sequence[Period], project_ids: Iterable[int] | None = None, extra_keys: Sequence[str] = ()
) -> dict[tuple[Any, str, KpiCode], KpiValue]:
    """客户满意度 per (project pk or ORG, period key) from the surveys area, read once for all periods.

    Same visibility as the satisfaction pages (`opsqm.surveys.selectors.satisfaction_rollups`).
    The value is the score rounded to 0.1 as on the satisfaction pages and API (what is shown is
    what is compared with the target); the denominator is the number of responses behind it (a
    customer-level response counts for each project of its customer), the numerator is unused (0).
    A project without a score has value None ("—"). ORG: the company score by the year's method,
    over the projects the user can see (shown only to org-wide roles, like the other company rows).
    `extra_keys`: further survey periods ("2026" = the year) to compute in the same read.
    """
    try:
        from opsqm.surveys.selectors import satisfaction_rollups
    except ImportError:
        return {}
    keys = [p.key for p in periods] + list(extra_keys)
    if not keys:
        return {}
    wanted = None if project_ids is None else set(project_ids)
    code = KpiCode.CUSTOMER_SATISFACTION
    out: dict[tuple[Any, str, KpiCode], KpiValue] = {}
    for key, roll in satisfaction_rollups(user=user, periods=keys).items():
        for ps in roll.projects:
            if wanted is not None and ps.project.pk not in wanted:
                continue
            out[(ps.project.pk, key, code)] = _satisfaction_value(ps.score, ps.responses)
        company = roll.company[roll.rules.company_method]
        counted = {t[0].pk for t in company.terms}
        responses = sum(ps.responses for ps in roll.projects if ps.project.pk in counted)
        out[(ORG, key, code)] = _satisfaction_value(company.score, responses)
    return out


def _satisfaction_value(score: float | None, responses: int) -> KpiValue:
    if score is None or responses == 0:
        return KpiValue(0, responses, None)
    return KpiValue(0, responses, round(score, 1))


def satisfaction_value(measures: dict, scope: Any, period_key: str) -> KpiValue:
    """The 客户满意度 of a scope (project pk or ORG) from `satisfaction_measures`' entries."""
    return measures.get((scope, period_key, KpiCode.CUSTOMER_SATISFACTION)) or KpiValue(0, 0, None)
