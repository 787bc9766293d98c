"""The tickets behind one KPI value (drill-down), split by how they count.

Settled tickets are selected in SQL by their stored statuses, open ones by their statuses at the
cut-off (`opsqm.kpis.open_status`, in SQL too), the rest by the same engine evaluation as the
value (`opsqm.kpis.evaluation`): the lists add up to the page's numbers.
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
from opsqm.kpis.counters import settled_resolved_q
from opsqm.kpis.evaluation import Evaluated
from opsqm.kpis.open_status import OPEN_Q, open_status_annotations

MET, BREACHED, PENDING = int(Status.MET), int(Status.BREACHED), int(Status.PENDING)
DECIDED = (MET, BREACHED)
_INDEX = {name: i for i, name in enumerate(COUNTERS)}


def period_months(period: Period) -> list[int]:
    if period.month is not None:
        return [period.code]
    first = 3 * period.quarter - 2
    return [period.year * 100 + m for m in range(first, first + 3)]


NUMERATOR, DENOMINATOR_ONLY, EXCLUDED = "num", "den", "out"


def _category_sql(
    code: KpiCode, response: str = "response_status", resolution: str = "resolution_status", *, resolved: bool = True
) -> dict[str, Q]:
    """Category of a ticket for a KPI, as SQL over its statuses: the stored ones of a settled
    (resolved) ticket, or the `open_status` annotations of an open one (`resolved=False`)."""
    none = Q(pk__in=[])
    every = ~none
    undecided = [int(Status.NA), PENDING]
    if code is KpiCode.RESPONSE_TIMELINESS:
        return {
            NUMERATOR: Q(**{response: MET}),
            DENOMINATOR_ONLY: Q(**{response: BREACHED}),
            EXCLUDED: Q(**{f"{response}__in": undecided}),
        }
    if code is KpiCode.RESOLUTION_TIMELINESS:
        return {
            NUMERATOR: Q(**{resolution: MET}),
            DENOMINATOR_ONLY: Q(**{resolution: BREACHED}),
            EXCLUDED: Q(**{f"{resolution}__in": undecided}),
        }
    if code is KpiCode.SLA_ATTAINMENT:
        decided = Q(**{f"{response}__in": DECIDED, f"{resolution}__in": DECIDED})
        return {
            NUMERATOR: Q(**{response: MET, resolution: MET}),
            DENOMINATOR_ONLY: decided & (Q(**{response: BREACHED}) | Q(**{resolution: BREACHED})),
            EXCLUDED: Q(**{f"{response}__in": undecided}) | Q(**{f"{resolution}__in": undecided}),
        }
    if not resolved:  # an open ticket: in the resolution rate's denominator, outside the others
        if code is KpiCode.RESOLUTION_RATE:
            return {NUMERATOR: none, DENOMINATOR_ONLY: every, EXCLUDED: none}
        if code in (KpiCode.MTTR, KpiCode.REOPEN_RATE, KpiCode.FCR):
            return {NUMERATOR: none, DENOMINATOR_ONLY: none, EXCLUDED: every}
        raise ValueError(f"not a ticket KPI: {code}")
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
    open_status: dict[int, tuple[int, int, int]]  # engine-evaluated ticket id → (response, resolution, resolution s)
    cutoff: datetime

    def statuses(self, ticket: Any) -> tuple[int, int, int | None, bool]:
        """(response, resolution, resolution seconds, re-evaluated at the cut-off?) of a listed ticket."""
        if getattr(ticket, "open_response", None) is not None:  # open: evaluated in SQL (open_status)
            return ticket.open_response, ticket.open_resolution, None, True
        if ticket.pk in self.open_status:
            response, resolution, seconds = self.open_status[ticket.pk]
            return response, resolution, seconds, True
        return ticket.response_status, ticket.resolution_status, ticket.resolution_seconds, False


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
    # Resolved tickets by their stored statuses; as of now, open ones by their statuses now
    # (`open_status`, in SQL, as on the KPI page); the others by the engine's evaluation.
    settled_sql = {name: settled_resolved_q(effective) & q for name, q in _category_sql(code).items()}
    # Newest first. SQLite walks its created_at index (tickets migration 0005) backwards: 4 ms
    # for the company quarter at 5 M tickets, 4.5 s sorting the quarter without it. PostgreSQL
    # sorts the whole quarter (250,000 rows at 1 M tickets, 285 ms) by created_at across 50
    # projects but walks the primary key backwards in 50 ms. Ids follow import order.
    by_id = len(ids) > 1 and connection.vendor == "postgresql"
    ordering = ("-pk",) if by_id else ("-created_at", "-pk")
    base = Ticket.objects.filter(scope).select_related("project").order_by(*ordering)
    if effective is None:
        base = base.annotate(**open_status_annotations(at))
        for name, q in _category_sql(code, "open_response", "open_resolution", resolved=False).items():
            settled_sql[name] |= OPEN_Q & q
    querysets = {}
    for name in (NUMERATOR, DENOMINATOR_ONLY, EXCLUDED):
        open_ids = rows.ids[mask & (categories == name)].tolist()
        querysets[name] = base.filter(settled_sql[name] | Q(pk__in=open_ids))
    index = np.flatnonzero(mask)
    open_status = {
        int(rows.ids[i]): (int(evaluated.response_status[i]), int(evaluated.resolution_status[i]), int(evaluated.resolution_seconds[i]))
        for i in index.tolist()
    }
    counters = counters_for(data, None if pooled else ids, period, priority)
    return DrillDown(querysets, category_counts(code, counters), kpi_value(code, counters), open_status, at)
