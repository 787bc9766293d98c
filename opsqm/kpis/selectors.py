"""Reads of the KPI area: ticket KPI values per project / org and period, targets, drill-down.

How a value is computed (PRODUCT.md "Ticket KPI formulas" and "SLA semantics"), as of a
cut-off C (default now):

* A ticket belongs to the month / quarter of its creation in its project's time zone.
* "Settled" tickets — resolved by the time their SLA was last computed (`sla_cutoff`) and,
  for a historical C, by C — never change with the cut-off: their stored statuses and
  resolution seconds are final. They are counted in SQL, grouped by (project, local month,
  priority); each month bucket is a CASE over the UTC instants at which the local months
  begin, so the bucketing is exact in every time zone (DST included), on SQLite and PostgreSQL.
* Every other ticket created by C (open at C, or stored before it was resolved) is
  re-evaluated at C with the SLA engine (`opsqm.core.sla.compute_sla`) on the project's
  business calendar: a ticket stored as PENDING whose elapsed business time has exceeded its
  target by C counts as breached. Those tickets are few (the open ones), so this is cheap.
* Counters are additive: a quarter is the sum of its months, the org value the sum over all
  projects — org values pool tickets, never average project rates.

For the "now" view the settled counters and the open tickets' rows are kept in a per-process
cache keyed by a data stamp (max ticket id, the latest audit event of tickets / calendars /
SLA agreements / projects, the latest finished background job), so any import, push,
recompute, calendar or project change invalidates it (only the projects whose own stamp moved
are recomputed); ORM saves and deletes of tickets drop their project's counters through
signals (apps.py). The evaluation of the open tickets at "now" is reused until the
earliest SLA deadline of a pending clock (at most 10 minutes). Targets are never cached.

Org rows pool the tickets of every project, including projects a specialist cannot see, so
they are shown only to org-wide roles (`org_values_visible`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection
from django.db.models import Case, Count, IntegerField, Max, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext

from opsqm.accounts.access import is_org_wide, visible_projects
from opsqm.core.kpi import (
    KPI_DEFINITIONS,
    TICKET_KPIS,
    Granularity,
    KpiCode,
    KpiDefinition,
    KpiValue,
    Period,
    attainment,
    period_keys,
)
from opsqm.core.sla import SlaTargets, Status, TicketArrays, compute_sla

# Counter columns of a cell (project, local month, priority). All additive.
COUNTERS = (
    "created", "resp_met", "resp_decided", "res_met", "res_decided", "both_met", "both_decided",
    "resolved", "reopened", "fcr_known", "fcr_yes", "res_seconds",
)
C = {name: index for index, name in enumerate(COUNTERS)}
# KPI → (numerator counter, denominator counter).
KPI_COUNTERS: dict[KpiCode, tuple[str, str]] = {
    KpiCode.RESPONSE_TIMELINESS: ("resp_met", "resp_decided"),
    KpiCode.RESOLUTION_TIMELINESS: ("res_met", "res_decided"),
    KpiCode.SLA_ATTAINMENT: ("both_met", "both_decided"),
    KpiCode.RESOLUTION_RATE: ("resolved", "created"),
    KpiCode.MTTR: ("res_seconds", "resolved"),
    KpiCode.REOPEN_RATE: ("reopened", "resolved"),
    KpiCode.FCR: ("fcr_yes", "fcr_known"),
}
MET, BREACHED, PENDING = int(Status.MET), int(Status.BREACHED), int(Status.PENDING)
DECIDED = (MET, BREACHED)
ORG = "org"

Cells = dict[tuple[int, int, str], np.ndarray]  # (project id, month code, priority) → counters


def org_values_visible(user: Any) -> bool:
    """Org values pool every project's tickets: only org-wide roles may see them."""
    return is_org_wide(user)


# ------------------------------------------------------------------------ cut-off


def parse_cutoff(raw: str | None, tz: str = "Asia/Shanghai") -> datetime | None:
    """`?cutoff=YYYY-MM-DD` → the end of that local day (exclusive next midnight − 1 s); None = now."""
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    local_end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(tz)) - timedelta(seconds=1)
    return local_end.astimezone(UTC)


# ------------------------------------------------------------------------- cache

_cache_lock = threading.Lock()
_cache: dict[tuple, Any] = {}


def kpi_cache_clear(project_id: int | None = None) -> None:
    """Forget cached ticket counters: of one project (recomputed on the next request), or all."""
    with _cache_lock:
        if project_id is None:
            _cache.clear()
            return
        for state in _cache.values():
            state["projects"].pop(project_id, None)
            state["stamp"] = None  # forces the per-project check and the recompute of this one


_TICKET_JOB_KINDS = ("ticket_import", "sla_recompute")


def data_stamp() -> tuple:
    """Cheap (index-only) stamp that moves whenever any ticket data may have changed."""
    from opsqm.jobs.models import Job
    from opsqm.records.models import AuditEvent
    from opsqm.tickets.models import Ticket

    # MAX(id) is an index lookup; COUNT(*) would scan a million rows (130 ms on SQLite).
    # Tickets are never deleted one by one: imports and pushes (record_bulk), recomputes
    # (background jobs) and project deletions (audited) all move one of the other parts.
    tickets = Ticket.objects.order_by().aggregate(m=Max("id"))
    audit = AuditEvent.objects.filter(model__in=_STAMP_MODELS).order_by().aggregate(m=Max("id"))
    job = Job.objects.filter(kind__in=_TICKET_JOB_KINDS, finished_at__isnull=False).order_by().aggregate(
        m=Max("finished_at"))
    return tickets["m"], audit["m"], job["m"]


def project_stamps() -> dict[int, tuple]:
    """Per project, what its cached counters depend on (asked only when data_stamp moved)."""
    from opsqm.jobs.models import Job
    from opsqm.org.models import Project
    from opsqm.records.models import AuditEvent
    from opsqm.tickets.models import Ticket

    def per_project(qs, field: str) -> dict[int, Any]:
        return dict(qs.order_by().values("project_id").annotate(m=Max(field)).values_list("project_id", "m"))

    tickets = per_project(Ticket.objects.all(), "id")
    events = AuditEvent.objects.filter(model__in=_STAMP_MODELS)
    audit = per_project(events.filter(project_id__isnull=False), "id")
    shared_audit = events.filter(project_id__isnull=True).order_by().aggregate(m=Max("id"))["m"]  # calendars
    jobs = Job.objects.filter(kind__in=_TICKET_JOB_KINDS, finished_at__isnull=False)
    job = per_project(jobs.filter(project__isnull=False), "finished_at")
    shared_job = jobs.filter(project__isnull=True).order_by().aggregate(m=Max("finished_at"))["m"]
    return {
        pk: (tz, tickets.get(pk), audit.get(pk), job.get(pk), shared_audit, shared_job)
        for pk, tz in Project.objects.order_by().values_list("pk", "time_zone")
    }


_STAMP_MODELS = [
    "tickets.ticket", "tickets.ticketpause", "tickets.ticketimport", "tickets.calendar", "tickets.calendarexception",
    "tickets.holidayyear", "tickets.slaagreement", "tickets.slapriority", "org.project",
]


# --------------------------------------------------------------------- computing


@dataclass
class YearData:
    """Everything needed to present one local year's ticket KPIs."""

    year: int
    cutoff: datetime
    cells: Cells
    priorities: list[str]  # in SLA order
    _dense: Any = None
    evaluated: Any = None  # Evaluated open rows (as of `cutoff`)
    open_months: Any = None  # local month code of each open row

    def months(self) -> list[int]:
        return [self.year * 100 + m for m in range(1, 13)]

    def dense(self) -> tuple[dict[int, int], dict[str, int], np.ndarray]:
        """The cells as one array [project, month 0..11, priority, counter] (built once)."""
        cached = self._dense
        if cached is None:
            projects = sorted({key[0] for key in self.cells})
            priorities = sorted({key[2] for key in self.cells})
            p_index = {pk: i for i, pk in enumerate(projects)}
            q_index = {code: i for i, code in enumerate(priorities)}
            array = np.zeros((len(projects), 12, len(priorities), len(COUNTERS)), dtype=np.int64)
            for (pk, month, prio), vector in self.cells.items():
                if month // 100 == self.year:
                    array[p_index[pk], month % 100 - 1, q_index[prio]] += vector
            cached = self._dense = (p_index, q_index, array)
        return cached


def _month_bounds(year: int, tz: str) -> list[datetime]:
    zone = ZoneInfo(tz)
    return [
        datetime(year + (m - 1) // 12, (m - 1) % 12 + 1, 1, tzinfo=zone).astimezone(UTC) for m in range(1, 14)
    ]


def _month_case(year: int, tz: str) -> Case:
    bounds = _month_bounds(year, tz)
    return Case(
        *[When(created_at__lt=bounds[m], then=Value(year * 100 + m)) for m in range(1, 13)],
        default=Value(0), output_field=IntegerField(),
    )


def _settled_q(cutoff: datetime | None) -> Q:
    q = Q(resolved_at__isnull=False, sla_cutoff__isnull=False, resolution_seconds__isnull=False,
          resolved_at__lte=models_F("sla_cutoff"))
    if cutoff is not None:
        q &= Q(resolved_at__lte=cutoff)
    return q


def _unsettled_q(cutoff: datetime | None) -> Q:
    q = (Q(resolved_at__isnull=True) | Q(sla_cutoff__isnull=True) | Q(resolution_seconds__isnull=True)
         | Q(resolved_at__gt=models_F("sla_cutoff")))
    if cutoff is not None:
        q = (q | Q(resolved_at__gt=cutoff)) & Q(created_at__lte=cutoff)
    return q


def models_F(name: str):  # noqa: N802 - tiny alias keeps the Q expressions readable
    from django.db.models import F

    return F(name)


def _projects_by_tz(project_ids: Iterable[int] | None) -> dict[str, list[int]]:
    from opsqm.org.models import Project

    qs = Project.objects.order_by()
    if project_ids is not None:
        qs = qs.filter(pk__in=list(project_ids))
    groups: dict[str, list[int]] = {}
    for pk, tz in qs.values_list("pk", "time_zone"):
        groups.setdefault(tz or "Asia/Shanghai", []).append(pk)
    return groups


def _settled_cells(year: int, cutoff: datetime | None, by_tz: dict[str, list[int]]) -> Cells:
    from opsqm.tickets.models import Ticket

    cells: Cells = {}
    for tz, ids in by_tz.items():
        bounds = _month_bounds(year, tz)
        rows = (
            Ticket.objects.order_by()
            .filter(project_id__in=ids, created_at__gte=bounds[0], created_at__lt=bounds[12])
            .filter(_settled_q(cutoff))
            .annotate(month=_month_case(year, tz))
            .values("project_id", "month", "priority")
            .annotate(
                created=Count("id"),
                resp_met=Count("id", filter=Q(response_status=MET)),
                resp_decided=Count("id", filter=Q(response_status__in=DECIDED)),
                res_met=Count("id", filter=Q(resolution_status=MET)),
                res_decided=Count("id", filter=Q(resolution_status__in=DECIDED)),
                both_met=Count("id", filter=Q(response_status=MET, resolution_status=MET)),
                both_decided=Count("id", filter=Q(response_status__in=DECIDED, resolution_status__in=DECIDED)),
                reopened=Count("id", filter=Q(reopen_count__gte=1)),
                fcr_known=Count("id", filter=Q(first_contact_resolution__isnull=False)),
                fcr_yes=Count("id", filter=Q(first_contact_resolution=True)),
                res_seconds=Sum("resolution_seconds"),
            )
        )
        for row in rows:
            vector = np.zeros(len(COUNTERS), dtype=np.int64)
            for name in COUNTERS:
                if name == "resolved":
                    vector[C[name]] = row["created"]  # every settled ticket is resolved
                else:
                    vector[C[name]] = int(row[name] or 0)
            key = (row["project_id"], row["month"], row["priority"])
            cells[key] = cells.get(key, 0) + vector
    return cells


_OPEN_FIELDS = ("id", "project_id", "priority", "created_at", "first_response_at", "resolved_at",
                "reopen_count", "first_contact_resolution")


@dataclass
class OpenRows:
    """Tickets whose KPI facts depend on the cut-off, as columns."""

    ids: np.ndarray
    project: np.ndarray
    priority: list[str]
    created: np.ndarray  # datetime64[s] UTC
    first_response: np.ndarray
    resolved: np.ndarray
    reopened: np.ndarray
    fcr: np.ndarray  # -1 unknown, 0, 1
    pause_ticket: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    pause_start: np.ndarray = field(default_factory=lambda: np.empty(0, "datetime64[s]"))
    pause_end: np.ndarray = field(default_factory=lambda: np.empty(0, "datetime64[s]"))


def _dt64(values: Sequence[datetime | None]) -> np.ndarray:
    return np.array(
        [np.datetime64(v.astimezone(UTC).replace(tzinfo=None), "s") if v is not None else np.datetime64("NaT")
         for v in values], dtype="datetime64[s]",
    )


def _open_rows(base_q: Q, cutoff: datetime | None) -> OpenRows:
    from opsqm.tickets.models import Ticket, TicketPause

    rows = list(Ticket.objects.order_by().filter(base_q).filter(_unsettled_q(cutoff)).values_list(*_OPEN_FIELDS))
    columns = list(zip(*rows)) if rows else [[] for _ in _OPEN_FIELDS]
    data = OpenRows(
        ids=np.array(columns[0], dtype=np.int64),
        project=np.array(columns[1], dtype=np.int64),
        priority=list(columns[2]),
        created=_dt64(columns[3]),
        first_response=_dt64(columns[4]),
        resolved=_dt64(columns[5]),
        reopened=np.array([c >= 1 for c in columns[6]], dtype=bool),
        fcr=np.array([-1 if v is None else int(v) for v in columns[7]], dtype=np.int8),
    )
    if rows:
        pause_q = Q(ticket_id__in=Ticket.objects.order_by().filter(base_q).filter(_unsettled_q(cutoff)).values("id"))
        pauses = list(TicketPause.objects.order_by().filter(pause_q).values_list("ticket_id", "start", "end"))
        if pauses:
            ticket_ids, starts, ends = zip(*pauses)
            data.pause_ticket = np.array(ticket_ids, dtype=np.int64)
            data.pause_start = _dt64(starts)
            data.pause_end = _dt64(ends)
    return data


@dataclass
class Evaluated:
    """Open rows evaluated at one cut-off: statuses and resolution seconds as of then."""

    rows: OpenRows
    response_status: np.ndarray
    resolution_status: np.ndarray
    resolved: np.ndarray  # bool, resolved by the cut-off
    resolution_seconds: np.ndarray  # -1 when not resolved
    next_change: np.datetime64 | None = None  # earliest instant a pending status may turn breached


def _targets_by_project(project_ids: Iterable[int]) -> dict[int, dict[str, tuple[int, int]]]:
    from opsqm.tickets.models import SlaPriority

    targets: dict[int, dict[str, tuple[int, int]]] = {}
    for project_id, code, response, resolution in SlaPriority.objects.filter(
        agreement__project_id__in=list(project_ids)
    ).values_list("agreement__project_id", "code", "response_seconds", "resolution_seconds"):
        targets.setdefault(project_id, {})[code] = (response, resolution)
    return targets


def _calendars(project_ids: Iterable[int]) -> dict[int, Any]:
    from opsqm.org.models import Project
    from opsqm.tickets.calendars import calendar_for_project

    return {p.pk: calendar_for_project(p) for p in Project.objects.filter(pk__in=list(project_ids))}


def evaluate(rows: OpenRows, cutoff: datetime, calendars: dict[int, Any], targets: dict[int, dict]) -> Evaluated:
    """SLA statuses of the open rows as of `cutoff`, project by project on its calendar."""
    n = len(rows.ids)
    response = np.zeros(n, dtype=np.int8)
    resolution = np.zeros(n, dtype=np.int8)
    seconds = np.full(n, -1, dtype=np.int64)
    cut = np.datetime64(cutoff.astimezone(UTC).replace(tzinfo=None), "s")
    changes: list[np.datetime64] = []
    for project_id in np.unique(rows.project).tolist():
        index = np.flatnonzero(rows.project == project_id)
        project_targets = targets.get(project_id, {})
        pairs = [project_targets.get(rows.priority[i], (-1, -1)) for i in index.tolist()]
        in_project = np.isin(rows.pause_ticket, rows.ids[index])
        result = compute_sla(
            calendars[project_id],
            TicketArrays(
                created=rows.created[index], first_response=rows.first_response[index], resolved=rows.resolved[index],
                # compute_sla wants pause rows indexed by position in the ticket arrays.
                pause_ticket=np.searchsorted(rows.ids[index], rows.pause_ticket[in_project]),
                pause_start=rows.pause_start[in_project], pause_end=rows.pause_end[in_project],
            ),
            SlaTargets(
                response_seconds=np.array([p[0] for p in pairs], dtype=np.int64),
                resolution_seconds=np.array([p[1] for p in pairs], dtype=np.int64),
            ),
            cut,
        )
        response[index] = result.response_status
        resolution[index] = result.resolution_status
        seconds[index] = result.resolution_seconds
        # Deadlines ignore pauses, so they are never later than the real moment of breach:
        # re-evaluating from then on is safe.
        for status, deadline in ((result.response_status, result.response_deadline),
                                 (result.resolution_status, result.resolution_deadline)):
            due = np.asarray(deadline, dtype="datetime64[s]")[np.asarray(status) == PENDING]
            due = due[~np.isnat(due)]
            if due.size:
                changes.append(due.min())
    future = rows.created[rows.created > cut]
    if future.size:
        changes.append(future.min())
    resolved = seconds >= 0
    return Evaluated(rows, response, resolution, resolved, seconds, min(changes) if changes else None)


def _valid_until(evaluated: Evaluated, now: datetime) -> datetime:
    """Until when the as-of-now evaluation stays right (at most 10 minutes, to stay humble)."""
    limit = now + timedelta(minutes=10)
    if evaluated.next_change is None:
        return limit
    change = datetime.fromtimestamp(int(evaluated.next_change.astype("datetime64[s]").astype(np.int64)), UTC)
    return min(limit, change)


def _open_months(rows: OpenRows, tz_of: dict[int, str]) -> np.ndarray:
    """Local creation month code (year*100+month) of each open row, in its project's zone."""
    months = np.zeros(len(rows.ids), dtype=np.int64)
    for project_id in np.unique(rows.project).tolist():
        index = np.flatnonzero(rows.project == project_id)
        months[index] = period_keys(rows.created[index], tz_of.get(project_id, "Asia/Shanghai"), Granularity.MONTH)
    return months


def _open_cells(evaluated: Evaluated, year: int, months: np.ndarray, cutoff: datetime) -> Cells:
    rows = evaluated.rows
    cells: Cells = {}
    if len(rows.ids) == 0:
        return cells
    cut = np.datetime64(cutoff.astimezone(UTC).replace(tzinfo=None), "s")
    not_yet = rows.created > cut  # created after the cut-off: does not exist yet
    rs, ss = evaluated.response_status, evaluated.resolution_status
    resolved = evaluated.resolved
    matrix = np.zeros((len(rows.ids), len(COUNTERS)), dtype=np.int64)
    matrix[:, C["created"]] = 1
    matrix[:, C["resp_met"]] = rs == MET
    matrix[:, C["resp_decided"]] = np.isin(rs, DECIDED)
    matrix[:, C["res_met"]] = ss == MET
    matrix[:, C["res_decided"]] = np.isin(ss, DECIDED)
    matrix[:, C["both_met"]] = (rs == MET) & (ss == MET)
    matrix[:, C["both_decided"]] = np.isin(rs, DECIDED) & np.isin(ss, DECIDED)
    matrix[:, C["resolved"]] = resolved
    matrix[:, C["reopened"]] = resolved & rows.reopened
    matrix[:, C["fcr_known"]] = resolved & (rows.fcr >= 0)
    matrix[:, C["fcr_yes"]] = resolved & (rows.fcr == 1)
    matrix[:, C["res_seconds"]] = np.where(resolved, evaluated.resolution_seconds, 0)
    for i in range(len(rows.ids)):
        if months[i] // 100 != year or not_yet[i]:
            continue
        key = (int(rows.project[i]), int(months[i]), rows.priority[i])
        cells[key] = cells.get(key, 0) + matrix[i]
    return cells


def _merge(a: Cells, b: Cells) -> Cells:
    merged = dict(a)
    for key, vector in b.items():
        merged[key] = merged.get(key, 0) + vector
    return merged


def _year_window_q(year: int, by_tz: dict[str, list[int]]) -> Q:
    q = Q(pk__in=[])
    for tz, ids in by_tz.items():
        bounds = _month_bounds(year, tz)
        q |= Q(project_id__in=ids, created_at__gte=bounds[0], created_at__lt=bounds[12])
    return q


def _priority_order() -> list[str]:
    from opsqm.tickets.models import SlaPriority

    seen: dict[str, int] = {}
    for code, order in SlaPriority.objects.order_by("order", "code").values_list("code", "order"):
        seen.setdefault(code, order)
    return sorted(seen, key=lambda c: (seen[c], c))


@dataclass
class _ProjectYear:
    """Cached per project and year: settled counters and the open rows (as of the stamp)."""

    stamp: tuple
    settled: Cells
    rows: OpenRows
    months: np.ndarray
    calendar: Any
    targets: dict[str, tuple[int, int]]


def _project_year(year: int, project_id: int, tz: str, stamp: tuple) -> _ProjectYear:
    by_tz = {tz or "Asia/Shanghai": [project_id]}
    settled = _settled_cells(year, None, by_tz)
    rows = _open_rows(_year_window_q(year, by_tz), None)
    months = _open_months(rows, {project_id: tz or "Asia/Shanghai"})
    calendar = _calendars([project_id])[project_id] if len(rows.ids) else None
    targets = _targets_by_project([project_id]).get(project_id, {}) if len(rows.ids) else {}
    return _ProjectYear(stamp, settled, rows, months, calendar, targets)


def _concat_rows(parts: list[OpenRows]) -> OpenRows:
    if not parts:
        return _open_rows_empty()
    return OpenRows(
        ids=np.concatenate([p.ids for p in parts]), project=np.concatenate([p.project for p in parts]),
        priority=[x for p in parts for x in p.priority], created=np.concatenate([p.created for p in parts]),
        first_response=np.concatenate([p.first_response for p in parts]),
        resolved=np.concatenate([p.resolved for p in parts]), reopened=np.concatenate([p.reopened for p in parts]),
        fcr=np.concatenate([p.fcr for p in parts]), pause_ticket=np.concatenate([p.pause_ticket for p in parts]),
        pause_start=np.concatenate([p.pause_start for p in parts]),
        pause_end=np.concatenate([p.pause_end for p in parts]),
    )


def _open_rows_empty() -> OpenRows:
    empty_dt = np.empty(0, dtype="datetime64[s]")
    return OpenRows(np.empty(0, np.int64), np.empty(0, np.int64), [], empty_dt, empty_dt, empty_dt,
                    np.empty(0, bool), np.empty(0, np.int8))


def _now_state(year: int) -> dict[str, Any]:
    """The cached as-of-now state of a year, refreshing only the projects whose data changed."""
    stamp = data_stamp()
    with _cache_lock:
        state = _cache.get(("year", year))
    if state is not None and state["stamp"] == stamp:
        return state
    stamps = project_stamps()
    old_projects = state["projects"] if state is not None else {}
    projects: dict[int, _ProjectYear] = {}
    for pk, project_stamp in stamps.items():
        cached = old_projects.get(pk)
        if cached is None or cached.stamp != project_stamp:
            cached = _project_year(year, pk, project_stamp[0], project_stamp)
        projects[pk] = cached
    settled: Cells = {}
    for part in projects.values():
        settled.update(part.settled)  # keys start with the project id: no overlap
    ordered = [projects[pk] for pk in sorted(projects)]
    state = {
        "stamp": stamp, "projects": projects, "settled": settled,
        "rows": _concat_rows([p.rows for p in ordered if len(p.rows.ids)]),
        "months": np.concatenate([p.months for p in ordered]) if ordered else np.empty(0, np.int64),
        "calendars": {pk: p.calendar for pk, p in projects.items() if p.calendar is not None},
        "targets": {pk: p.targets for pk, p in projects.items()},
        "priorities": _priority_order(), "data": None, "valid_until": None,
    }
    with _cache_lock:
        _cache[("year", year)] = state
    return state


def year_data(year: int, cutoff: datetime | None = None) -> YearData:
    """Counters of every project's tickets created in local `year`, as of `cutoff` (None = now)."""
    now = timezone.now()
    if cutoff is None or cutoff >= now:
        cached = _now_state(year)
        data = cached["data"]
        if data is not None and now < cached["valid_until"]:
            # No pending clock has reached its deadline since: the as-of-now values are unchanged.
            return YearData(year, now, data.cells, data.priorities, _dense=data.dense(), evaluated=data.evaluated,
                            open_months=data.open_months)
        evaluated = evaluate(cached["rows"], now, cached["calendars"], cached["targets"])
        data = YearData(year, now, _merge(cached["settled"], _open_cells(evaluated, year, cached["months"], now)),
                        cached["priorities"], evaluated=evaluated, open_months=cached["months"])
        cached["data"], cached["valid_until"] = data, _valid_until(evaluated, now)
        return data
    by_tz = _projects_by_tz(None)
    settled = _settled_cells(year, cutoff, by_tz)
    rows = _open_rows(_year_window_q(year, by_tz), cutoff)
    project_ids = np.unique(rows.project).tolist()
    tz_of = {pk: tz for tz, ids in by_tz.items() for pk in ids}
    evaluated = evaluate(rows, cutoff, _calendars(project_ids), _targets_by_project(project_ids))
    months = _open_months(rows, tz_of)
    return YearData(year, cutoff, _merge(settled, _open_cells(evaluated, year, months, cutoff)), _priority_order(),
                    evaluated=evaluated, open_months=months)


# ---------------------------------------------------------------------- presenting


def period_months(period: Period) -> list[int]:
    if period.month is not None:
        return [period.code]
    first = 3 * period.quarter - 2
    return [period.year * 100 + m for m in range(first, first + 3)]


def year_periods(year: int, granularity: Granularity | str) -> list[Period]:
    if Granularity(granularity) is Granularity.MONTH:
        return [Period(year, month=m) for m in range(1, 13)]
    return [Period(year, quarter=q) for q in range(1, 5)]


def counters_for(data: YearData, projects: Iterable[int] | None, period: Period,
                 priority: str | None = None) -> np.ndarray:
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
    numerator_name, denominator_name = KPI_COUNTERS[code]
    numerator, denominator = int(counters[C[numerator_name]]), int(counters[C[denominator_name]])
    if code is KpiCode.MTTR:
        return KpiValue(numerator, denominator, numerator / (denominator * 3600) if denominator else None)
    return KpiValue(numerator, denominator, numerator / denominator if denominator else None)


def format_value(definition: KpiDefinition, value: float | Decimal | None) -> str:
    if value is None:
        return "—"
    if definition.unit == "%":
        return f"{float(value) * 100:.1f}%"
    if definition.unit == "h":
        return f"{float(value):.1f} h"
    return gettext("%(n)s 次") % {"n": f"{float(value):g}"}


# --------------------------------------------------------------------------- targets


def targets_for(project_ids: Iterable[int]) -> dict[Any, dict[KpiCode, Decimal | None]]:
    """Effective targets: project's own, else org's, else the catalogue default. Key ORG = org."""
    from opsqm.kpis.models import KpiTarget

    ids = list(project_ids)
    org = {code: definition.default_target for code, definition in KPI_DEFINITIONS.items()}
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
    return Cell(code, definition, value, target, attainment(definition, value.value, target),
                format_value(definition, value.value), format_value(definition, target))


def ticket_cells(data: YearData, projects: Iterable[int] | None, period: Period,
                 targets: dict[KpiCode, Decimal | None]) -> list[Cell]:
    counters = counters_for(data, projects, period)
    return [make_cell(code, kpi_value(code, counters), targets.get(code)) for code in TICKET_KPIS]


def manual_measures(project_ids: Iterable[int], periods: Sequence[Period]) -> dict[tuple[int, str, KpiCode], Any]:
    from opsqm.kpis.models import ManualMeasure

    keys = [p.key for p in periods]
    return {
        (m.project_id, m.period, KpiCode(m.kpi)): m
        for m in ManualMeasure.objects.filter(project_id__in=list(project_ids), period__in=keys)
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


# ------------------------------------------------------------------------ drill-down

NUMERATOR, DENOMINATOR_ONLY, EXCLUDED = "num", "den", "out"


def _category_sql(code: KpiCode) -> dict[str, Q]:
    """Category of a settled (resolved) ticket for a KPI, as SQL."""
    none = Q(pk__in=[])
    every = ~none
    undecided = [int(Status.NA), PENDING]
    if code is KpiCode.RESPONSE_TIMELINESS:
        return {NUMERATOR: Q(response_status=MET), DENOMINATOR_ONLY: Q(response_status=BREACHED),
                EXCLUDED: Q(response_status__in=undecided)}
    if code is KpiCode.RESOLUTION_TIMELINESS:
        return {NUMERATOR: Q(resolution_status=MET), DENOMINATOR_ONLY: Q(resolution_status=BREACHED),
                EXCLUDED: Q(resolution_status__in=undecided)}
    if code is KpiCode.SLA_ATTAINMENT:
        decided = Q(response_status__in=DECIDED, resolution_status__in=DECIDED)
        return {NUMERATOR: Q(response_status=MET, resolution_status=MET),
                DENOMINATOR_ONLY: decided & (Q(response_status=BREACHED) | Q(resolution_status=BREACHED)),
                EXCLUDED: Q(response_status__in=undecided) | Q(resolution_status__in=undecided)}
    if code in (KpiCode.RESOLUTION_RATE, KpiCode.MTTR):
        return {NUMERATOR: every, DENOMINATOR_ONLY: none, EXCLUDED: none}
    if code is KpiCode.REOPEN_RATE:
        return {NUMERATOR: Q(reopen_count__gte=1), DENOMINATOR_ONLY: Q(reopen_count=0), EXCLUDED: none}
    if code is KpiCode.FCR:
        return {NUMERATOR: Q(first_contact_resolution=True), DENOMINATOR_ONLY: Q(first_contact_resolution=False),
                EXCLUDED: Q(first_contact_resolution__isnull=True)}
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
    created = int(counters[C["created"]])
    numerator_name, denominator_name = KPI_COUNTERS[code]
    numerator, denominator = int(counters[C[numerator_name]]), int(counters[C[denominator_name]])
    if code is KpiCode.MTTR:
        return {NUMERATOR: denominator, DENOMINATOR_ONLY: 0, EXCLUDED: created - denominator}
    return {NUMERATOR: numerator, DENOMINATOR_ONLY: denominator - numerator, EXCLUDED: created - denominator}


def drill_down(projects: Sequence[Any], period: Period, code: KpiCode, priority: str | None,
               cutoff: datetime | None, *, pooled: bool = False) -> DrillDown:
    """Tickets of `projects` created in `period` (local time of each project) for KPI `code`.

    The open tickets' statuses come from the same evaluation as the KPI value (year_data), so
    the lists always add up to the numbers on the KPI page.
    """
    from opsqm.tickets.models import Ticket

    data = year_data(period.year, cutoff)
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
    mask = np.isin(rows.project, ids) & np.isin(data.open_months, period_months(period)) & (rows.created <= cut)
    if priority:
        mask &= np.array([p == priority for p in rows.priority], dtype=bool)
    categories = _category_open(code, evaluated)
    settled = _settled_q(effective)
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
        int(rows.ids[i]): (int(evaluated.response_status[i]), int(evaluated.resolution_status[i]),
                           int(evaluated.resolution_seconds[i]))
        for i in index.tolist()
    }
    counters = counters_for(data, None if pooled else ids, period, priority)
    return DrillDown(querysets, category_counts(code, counters), kpi_value(code, counters), open_status, at)
