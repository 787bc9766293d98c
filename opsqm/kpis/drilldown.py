"""The tickets behind one KPI value (drill-down), split by how they count.

Settled tickets are selected in SQL by their stored statuses; open ones by the same read-time
evaluation as the value (`opsqm.kpis.evaluation`), so the lists add up to the page's numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from opsqm.core.kpi import COUNTERS, KPI_COUNTERS, KpiCode, KpiValue, Period
from opsqm.core.sla import Status
from opsqm.kpis.counters import settled_q
from opsqm.kpis.evaluation import Evaluated

MET, BREACHED, PENDING = int(Status.MET), int(Status.BREACHED), int(Status.PENDING)
DECIDED = (MET, BREACHED)
_INDEX = {name: i for i, name in enumerate(COUNTERS)}


def period_months(period: Period) -> list[int]:
    if period.month is not None:
        return [period.code]
    first = 3 * period.quarter - 2
    return [period.year * 100 + m for m in range(first, first + 3)]


NUMERATOR, DENOMINATOR_ONLY, EXCLUDED = "num", "den", "out"


def _category_sql(code: KpiCode) -> dict[str, Q]:
    """Category of a settled (resolved) ticket for a KPI, as SQL."""
    none = Q(pk__in=[])
    every = ~none
    undecided = [int(Status.NA), PENDING]
    if code is KpiCode.RESPONSE_TIMELINESS:
        return {
            NUMERATOR: Q(response_status=MET),
            DENOMINATOR_ONLY: Q(response_status=BREACHED),
            EXCLUDED: Q(response_status__in=undecided),
        }
    if code is KpiCode.RESOLUTION_TIMELINESS:
        return {
            NUMERATOR: Q(resolution_status=MET),
            DENOMINATOR_ONLY: Q(resolution_status=BREACHED),
            EXCLUDED: Q(resolution_status__in=undecided),
        }
    if code is KpiCode.SLA_ATTAINMENT:
        decided = Q(response_status__in=DECIDED, resolution_status__in=DECIDED)
        return {
            NUMERATOR: Q(response_status=MET, resolution_status=MET),
            DENOMINATOR_ONLY: decided & (Q(response_status=BREACHED) | Q(resolution_status=BREACHED)),
            EXCLUDED: Q(response_status__in=undecided) | Q(resolution_status__in=undecided),
        }
    if code in (KpiCode.RESOLUTION_RATE, KpiCode.MTTR):
        return {NUMERATOR: every, DENOMINATOR_ONLY: none, EXCLUDED: none}
    if code is KpiCode.REOPEN_RATE:
        return {NUMERATOR: Q(reopen_count__gte=1), DENOMINATOR_ONLY: Q(reopen_count=0), EXCLUDED: none}
    if code is KpiCode.FCR:
        return {
            NUMERATOR: Q(first_contact_resolution=True),
            DENOMINATOR_ONLY: Q(first_contact_resolution=False),
            EXCLUDED: Q(first_contact_resolution__isnull=True),
        }
    raise ValueError(f"not a ticket KPI: {code}")


def _category_open(code: KpiCode, ev: Evaluated) -> np.ndarray:
    """Category of each open row as of the cut-off."""
    rs, ss, resolved = ev.response_status, ev.resolution_status, ev.resolved
    out = np.full(len(rs), EXCLUDED, dtype=object)
    if code is KpiCode.RESPONSE_TIMELINESS:
        num, den = rs == MET, rs == BREACHED
    elif code is KpiCode.RESOLUTION_TIMELINESS:
        num, den = ss == MET, ss == BREACHED
    elif code is KpiCode.SLA_ATTAINMENT:
        decided = np.isin(rs, DECIDED) & np.isin(ss, DECIDED)
        num = (rs == MET) & (ss == MET)
        den = decided & ~num
    elif code is KpiCode.RESOLUTION_RATE:
        num, den = resolved, ~resolved
    elif code is KpiCode.MTTR:
        num, den = resolved, np.zeros(len(rs), dtype=bool)
    elif code is KpiCode.REOPEN_RATE:
        num, den = resolved & ev.rows.reopened, resolved & ~ev.rows.reopened
    elif code is KpiCode.FCR:
        num, den = resolved & (ev.rows.fcr == 1), resolved & (ev.rows.fcr == 0)
    else:
        raise ValueError(f"not a ticket KPI: {code}")
    out[den] = DENOMINATOR_ONLY
    out[num] = NUMERATOR
    return out


@dataclass
class DrillDown:
    """The tickets behind one KPI value, split by how they count."""

    querysets: dict[str, Any]  # category → Ticket queryset
    counts: dict[str, int]  # category → number of tickets (from the same counters as the value)
    value: KpiValue
    open_status: dict[int, tuple[int, int, int]]  # ticket id → (response, resolution, resolution s) at cut-off
    cutoff: datetime


def category_counts(code: KpiCode, counters: np.ndarray) -> dict[str, int]:
    """How many tickets of a cell fall in each drill-down category (consistent with the value)."""
    created = int(counters[_INDEX["created"]])
    numerator_name, denominator_name = KPI_COUNTERS[code]
    numerator, denominator = int(counters[_INDEX[numerator_name]]), int(counters[_INDEX[denominator_name]])
    if code is KpiCode.MTTR:
        return {NUMERATOR: denominator, DENOMINATOR_ONLY: 0, EXCLUDED: created - denominator}
    return {NUMERATOR: numerator, DENOMINATOR_ONLY: denominator - numerator, EXCLUDED: created - denominator}


def drill_down(
    projects: Sequence[Any], period: Period, code: KpiCode, priority: str | None, cutoff: datetime | None, *, pooled: bool = False
) -> DrillDown:
    """Tickets of `projects` created in `period` (local time of each project) for KPI `code`.

    The open tickets' statuses come from the same evaluation as the KPI value (year_data), so
    the lists always add up to the numbers on the KPI page.
    """
    from opsqm.kpis.selectors import counters_for, kpi_value, year_data
    from opsqm.tickets.models import Ticket

    data = year_data(period.year, cutoff, [p.pk for p in projects])
    at = data.cutoff
    effective = cutoff if cutoff is not None and cutoff < timezone.now() else None
    ids = [p.pk for p in projects]
    scope = Q(pk__in=[])
    by_tz: dict[str, list[int]] = {}
    for project in projects:
        by_tz.setdefault(project.time_zone or "Asia/Shanghai", []).append(project.pk)
    for tz, tz_ids in by_tz.items():
        zone = ZoneInfo(tz)
        start = datetime.combine(period.start_local, time.min, tzinfo=zone).astimezone(UTC)
        end = datetime.combine(period.next().start_local, time.min, tzinfo=zone).astimezone(UTC)
        scope |= Q(project_id__in=tz_ids, created_at__gte=start, created_at__lt=end)
    if priority:
        scope &= Q(priority=priority)
    scope &= Q(created_at__lte=at)
    evaluated: Evaluated = data.evaluated
    rows = evaluated.rows
    cut = np.datetime64(at.astimezone(UTC).replace(tzinfo=None), "s")
    mask = np.isin(rows.project, ids) & np.isin(rows.months, period_months(period)) & (rows.created <= cut)
    if priority:
        mask &= np.array([p == priority for p in rows.priority], dtype=bool)
    categories = _category_open(code, evaluated)
    settled = settled_q(effective)
    sql = _category_sql(code)
    # Newest first. Measured with 1,000,000 tickets (bench/README_kpi.md): SQLite serves the org
    # quarter by created_at from the (project, created_at) index in 25 ms but needs 420 ms by
    # id; PostgreSQL sorts the whole quarter (250,000 rows, 285 ms) by created_at across 50
    # projects but walks the primary key backwards in 50 ms. Ids follow import order.
    by_id = len(ids) > 1 and connection.vendor == "postgresql"
    ordering = ("-pk",) if by_id else ("-created_at", "-pk")
    base = Ticket.objects.filter(scope).select_related("project").order_by(*ordering)
    querysets = {}
    for name in (NUMERATOR, DENOMINATOR_ONLY, EXCLUDED):
        open_ids = rows.ids[mask & (categories == name)].tolist()
        querysets[name] = base.filter((settled & sql[name]) | Q(pk__in=open_ids))
    index = np.flatnonzero(mask)
    open_status = {
        int(rows.ids[i]): (int(evaluated.response_status[i]), int(evaluated.resolution_status[i]), int(evaluated.resolution_seconds[i]))
        for i in index.tolist()
    }
    counters = counters_for(data, None if pooled else ids, period, priority)
    return DrillDown(querysets, category_counts(code, counters), kpi_value(code, counters), open_status, at)
