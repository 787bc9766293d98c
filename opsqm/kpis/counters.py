"""KPI counters kept on write: settled tickets counted per (project, local month, priority).

Every ticket writer (import, partial import, push, SLA recompute, calendar / agreement change
through the recompute, project time-zone change) calls `kpi_counters_refresh` inside its own
transaction, so a reader in any process sees counters that agree with the stored tickets —
no per-process cache, no stamps, no warm-up. Project deletion cascades to the rows.

The counters hold every ticket with the statuses stored at its SLA cut-off (`sla_cutoff`):
resolved tickets are final; an open ticket counts as it stood then, and a reader as of now adds
what changed since — a pending clock that passed its breach instant, a first response that
arrived — in SQL from the stored breach instants (`opsqm.kpis.open_status`). The few tickets
created or resolved after their stored cut-off are evaluated with the engine
(`opsqm.kpis.evaluation`). `settled_q()` and `REST_SQL` split the tickets in two; `LIVE_SQL`
(a small partial index) holds the rest and the open tickets with a pending clock.

The refresh is set-based: one GROUP BY per local year over the raw status columns (a few
hundred groups), folded into counters with the one KPI arithmetic (`fold_groups`,
`opsqm.core.kpi`). An import adds its new tickets' counters, counted from its stage table
(`opsqm.tickets.stage_counters`), and recounts only the months of the tickets it changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db.models import Case, Count, F, IntegerField, Max, Min, Q, Sum, Value, When

from opsqm.core.kpi import COUNTERS, ticket_counters

DEFAULT_TZ = "Asia/Shanghai"
Cells = dict[tuple[int, int, str], np.ndarray]  # (project id, month code, priority) → counters

# Which tickets the kept counters hold, as SQL. Status codes are opsqm.core.sla.Status
# (0 NA, 1 pending, 2 met, 3 breached).
#
# Kept: every ticket whose SLA was computed, with the statuses stored at its SLA cut-off —
# resolved ones (final), and open ones as they stood then. An open ticket's statuses change
# later only where a pending clock passes its breach instant or gets its first response; the
# reader adds those changes since the cut-off in SQL (`opsqm.kpis.open_status.flip_cells`).
# The rest — never computed, created or resolved after its stored cut-off — is evaluated with
# the engine at read time (`REST_SQL`, `opsqm.kpis.evaluation`); keep REST_SQL textually equal
# to the WHERE of its partial index (kpis 0005).
REST_SQL = (
    "(sla_cutoff IS NULL OR created_at > sla_cutoff OR "
    "(resolved_at IS NOT NULL AND (resolution_seconds IS NULL OR resolved_at > sla_cutoff)))"
)
# Live: what a reader as of now must look at beyond the kept counters: the rest, and open tickets
# with a pending clock. Keep it textually equal to the partial index of migration kpis 0004
# (SQLite uses a partial index only for a query that repeats its WHERE).
LIVE_SQL = (
    "(sla_cutoff IS NULL OR created_at > sla_cutoff OR "
    "(resolved_at IS NOT NULL AND (resolution_seconds IS NULL OR resolved_at > sla_cutoff)) OR "
    "(resolved_at IS NULL AND (response_status = 1 OR resolution_status IN (1, 2))))"
)


def settled_resolved_q(cutoff: datetime | None = None) -> Q:
    """Resolved by their stored cut-off (and by `cutoff`, when given): final for any later cut-off."""
    q = Q(resolved_at__isnull=False, sla_cutoff__isnull=False, resolution_seconds__isnull=False, resolved_at__lte=F("sla_cutoff"))
    if cutoff is not None:
        q &= Q(resolved_at__lte=cutoff)
    return q


def kept_open_q() -> Q:
    """Open tickets in the kept counters: SLA computed, created by their stored cut-off."""
    return Q(resolved_at__isnull=True, sla_cutoff__isnull=False, created_at__lte=F("sla_cutoff"))


def settled_q(cutoff: datetime | None = None) -> Q:
    """The tickets counted from their stored statuses: as of now (`cutoff` None) the kept ones
    (resolved by their stored cut-off, or open then); at a historical cut-off only those resolved
    by then (an open ticket's stored statuses are as of a later moment)."""
    if cutoff is not None:
        return settled_resolved_q(cutoff)
    return settled_resolved_q() | kept_open_q()


def month_bounds(year: int, tz: str) -> list[datetime]:
    """The 13 UTC instants at which the local months of `year` (and the next January) begin."""
    zone = ZoneInfo(tz or DEFAULT_TZ)
    return [datetime(year + (m - 1) // 12, (m - 1) % 12 + 1, 1, tzinfo=zone).astimezone(UTC) for m in range(1, 14)]


def month_case(year: int, tz: str) -> Case:
    """The local creation month code (YYYYMM) of a ticket of `year`, 0 outside it. Newest month
    first: open tickets, read on every KPI request, are mostly of the last weeks."""
    bounds = month_bounds(year, tz)
    return Case(
        When(created_at__gte=bounds[12], then=Value(0)),
        *[When(created_at__gte=bounds[m - 1], then=Value(year * 100 + m)) for m in range(12, 0, -1)],
        default=Value(0),
        output_field=IntegerField(),
    )


def _local_month(instant: datetime, tz: str) -> int:
    local = instant.astimezone(ZoneInfo(tz or DEFAULT_TZ))
    return local.year * 100 + local.month


def fold_groups(cells: Cells, rows: list[tuple]) -> None:
    """Add GROUP BY rows (project, month, priority, response status, resolution status, reopened
    0/1, FCR flag or None, resolved 0/1, ticket count, sum of resolution seconds or None) to
    `cells`, through the one KPI arithmetic."""
    if not rows:
        return
    cols = list(zip(*rows))
    matrix = ticket_counters(
        np.array(cols[3], np.int8),
        np.array(cols[4], np.int8),
        np.array(cols[7], bool),
        np.array(cols[5], bool),
        np.array([-1 if v is None else int(v) for v in cols[6]], np.int8),
        np.array([int(v or 0) for v in cols[9]], np.int64),
        count=np.array(cols[8], np.int64),
    )
    for i, key in enumerate(zip(cols[0], cols[1], cols[2])):
        cells[key] = cells.get(key, 0) + matrix[i]


def settled_cells(
    year: int, cutoff: datetime | None, by_tz: dict[str, list[int]], months: Iterable[int] | None = None, tickets: Any = None
) -> Cells:
    """Counters of the tickets settled (by `cutoff` too, when given), straight from the tickets
    (every visible ticket, or the queryset `tickets`, e.g. an import's staged rows)."""
    from opsqm.tickets.models import Ticket

    base = Ticket.objects.all() if tickets is None else tickets
    wanted = sorted(set(months)) if months is not None else list(range(year * 100 + 1, year * 100 + 13))
    cells: Cells = {}
    for tz, ids in by_tz.items():
        bounds = month_bounds(year, tz)
        window = Q()
        for code in wanted:
            window |= Q(created_at__gte=bounds[code % 100 - 1], created_at__lt=bounds[code % 100])
        rows = list(
            base.order_by()
            .filter(project_id__in=ids)
            .filter(window)
            .filter(settled_q(cutoff))
            .annotate(
                month=month_case(year, tz),
                again=Case(When(reopen_count__gte=1, then=Value(1)), default=Value(0), output_field=IntegerField()),
                done=Case(When(resolved_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()),
            )
            .values_list(
                "project_id", "month", "priority", "response_status", "resolution_status", "again", "first_contact_resolution", "done"
            )
            .annotate(n=Count("id"), seconds=Sum("resolution_seconds"))
        )
        fold_groups(cells, rows)
    return cells


def kpi_counters_refresh(*, project_id: int, months: Iterable[date] | None = None) -> int:
    """Recount a project's settled tickets (every month, or the local months of `months`).

    Call inside the writer's transaction. Returns the number of counter rows written.
    """
    from opsqm.kpis.models import KpiCounter
    from opsqm.org.models import Project
    from opsqm.tickets.models import Ticket

    rows = KpiCounter.objects.filter(project_id=project_id)
    # The project row is the lock: two writers of one project recount one after the other, the
    # second (READ COMMITTED on PostgreSQL) seeing the first's tickets and counters.
    tz = Project.objects.select_for_update().filter(pk=project_id).values_list("time_zone", flat=True).first()
    if tz is None:  # the project is gone (its rows went with it)
        rows.delete()
        return 0
    tz = tz or DEFAULT_TZ
    if months is None:
        span = Ticket.objects.order_by().filter(project_id=project_id).aggregate(lo=Min("created_at"), hi=Max("created_at"))
        rows.delete()
        if span["lo"] is None:
            return 0
        first, last = _local_month(span["lo"], tz), _local_month(span["hi"], tz)
        codes = [y * 100 + m for y in range(first // 100, last // 100 + 1) for m in range(1, 13) if first <= y * 100 + m <= last]
    else:
        codes = sorted({d.year * 100 + d.month for d in months})
        rows.filter(month__in=codes).delete()
    cells: Cells = {}
    for year in sorted({c // 100 for c in codes}):
        cells.update(settled_cells(year, None, {tz: [project_id]}, [c for c in codes if c // 100 == year]))
    KpiCounter.objects.bulk_create(
        [
            KpiCounter(project_id=pk, month=month, priority=priority, **dict(zip(COUNTERS, map(int, vector))))
            for (pk, month, priority), vector in cells.items()
        ]
    )
    return len(cells)


def kpi_counters_add(*, project_id: int, cells: Cells, skip_months: Iterable[int] = ()) -> int:
    """Add the counters of tickets that were not stored before (an import's new rows, counted
    with `settled_cells` from those rows alone) to a project's counters, except the months in
    `skip_months` (recounted by the caller). Call inside the writer's transaction."""
    from opsqm.kpis.models import KpiCounter
    from opsqm.org.models import Project

    skip = set(skip_months)
    wanted = {(month, priority): vector for (pk, month, priority), vector in cells.items() if pk == project_id and month not in skip}
    list(Project.objects.select_for_update().filter(pk=project_id).values_list("pk", flat=True))  # the same lock as a recount
    if not wanted:
        return 0
    stored = {(r.month, r.priority): r for r in KpiCounter.objects.filter(project_id=project_id, month__in={m for m, _p in wanted})}
    changed, created = [], []
    for key, vector in wanted.items():
        row = stored.get(key)
        if row is None:
            created.append(KpiCounter(project_id=project_id, month=key[0], priority=key[1], **dict(zip(COUNTERS, map(int, vector)))))
            continue
        for name, value in zip(COUNTERS, map(int, vector)):
            setattr(row, name, getattr(row, name) + value)
        changed.append(row)
    KpiCounter.objects.bulk_create(created)
    KpiCounter.objects.bulk_update(changed, list(COUNTERS))
    return len(wanted)


def stored_cells(year: int, project_ids: Iterable[int] | None = None) -> Cells:
    """The kept counters of `year` (all projects, or `project_ids`)."""
    from opsqm.kpis.models import KpiCounter

    qs = KpiCounter.objects.order_by().filter(month__gte=year * 100 + 1, month__lte=year * 100 + 12)
    if project_ids is not None:
        qs = qs.filter(project_id__in=list(project_ids))
    rows = list(qs.values_list("project_id", "month", "priority", *COUNTERS))
    # One array for every row (a few thousand at 50 projects), each cell a row of it: readers
    # add cells into new arrays and never change one in place.
    vectors = np.array([row[3:] for row in rows], dtype=np.int64).reshape(len(rows), len(COUNTERS))
    return {(row[0], row[1], row[2]): vector for row, vector in zip(rows, vectors)}


def month_dates(created: Any, tz: str) -> list[date]:
    """Local months (as first days) of UTC datetime64 values: for `kpi_counters_refresh(months=…)`."""
    from opsqm.core.kpi import Granularity, period_keys

    values = np.asarray(created, dtype="datetime64[s]")
    values = values[~np.isnat(values)]
    if not values.size:
        return []
    codes = np.unique(period_keys(values, tz or DEFAULT_TZ, Granularity.MONTH)).tolist()
    return [date(c // 100, c % 100, 1) for c in codes]


PARTIAL_REFRESH_MAX = 20_000  # above this many rows an import recounts the whole project


def months_before_upsert(*, project_id: int, tz: str, numbers: Any, created: Any) -> list[date] | None:
    """The local months an upsert of these tickets can change — their new creation months and,
    for tickets already stored, their current ones (a re-export may move a ticket's creation
    time) — read *before* the upsert, inside its transaction. None (recount every month) for
    batches too large for it to pay."""
    from opsqm.tickets.models import Ticket

    numbers = list(numbers)
    if len(numbers) > PARTIAL_REFRESH_MAX:
        return None
    months = set(month_dates(created, tz))
    for start in range(0, len(numbers), 500):
        stored = Ticket.objects.order_by().filter(project_id=project_id, number__in=numbers[start : start + 500])
        months.update(date(m // 100, m % 100, 1) for m in {_local_month(at, tz) for at in stored.values_list("created_at", flat=True)})
    return sorted(months)
