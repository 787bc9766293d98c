"""Unsettled tickets evaluated at read time with the SLA engine: their statuses as of the cut-off.

As of now, the kept counters hold every ticket as of its stored cut-off and open tickets' later
changes are counted in SQL (`opsqm.kpis.open_status`); what is left for the engine here is the
few tickets outside the kept counters (never computed, or created or resolved after their stored
cut-off). For a historical cut-off every ticket not resolved by then is evaluated here, on the
project's business calendar.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BigIntegerField, Q
from django.db.models.expressions import RawSQL

from opsqm.core.kpi import Granularity, period_keys, ticket_counters
from opsqm.core.sla import SlaTargets, TicketArrays, compute_sla
from opsqm.kpis.counters import DEFAULT_TZ, REST_SQL, Cells, month_bounds


@dataclass
class OpenRows:
    """Tickets whose KPI facts depend on the cut-off, as columns sorted by id."""

    ids: np.ndarray
    project: np.ndarray
    priority: list[str]
    created: np.ndarray  # datetime64[s] UTC
    first_response: np.ndarray
    resolved: np.ndarray
    reopened: np.ndarray
    fcr: np.ndarray  # -1 unknown, 0, 1
    months: np.ndarray  # local creation month code of each row
    pause_ticket: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))  # ticket ids
    pause_start: np.ndarray = field(default_factory=lambda: np.empty(0, "datetime64[s]"))
    pause_end: np.ndarray = field(default_factory=lambda: np.empty(0, "datetime64[s]"))


@dataclass
class Evaluated:
    """Open rows evaluated at one cut-off: statuses and resolution seconds as of then."""

    rows: OpenRows
    response_status: np.ndarray
    resolution_status: np.ndarray
    resolved: np.ndarray  # bool, resolved by the cut-off
    resolution_seconds: np.ndarray  # -1 when not resolved


def dt64(values: Sequence[datetime | None]) -> np.ndarray:
    return np.array(
        [np.datetime64(v.astimezone(UTC).replace(tzinfo=None), "s") if v is not None else np.datetime64("NaT") for v in values],
        dtype="datetime64[s]",
    )


def unsettled_q(cutoff: datetime) -> Q:
    """Tickets created by a historical `cutoff` and not resolved (with final statuses) by then."""
    from opsqm.kpis.counters import settled_q

    return ~settled_q(cutoff) & Q(created_at__lte=cutoff)


def year_window_q(year: int, by_tz: dict[str, list[int]]) -> Q:
    q = Q(pk__in=[])
    for tz, ids in by_tz.items():
        bounds = month_bounds(year, tz)
        q |= Q(project_id__in=ids, created_at__gte=bounds[0], created_at__lt=bounds[12])
    return q


def _epoch(column: str, table: str = "tickets_ticket") -> RawSQL:
    """A timestamp column as whole UTC epoch seconds (NULL stays NULL), computed by the database:
    turning hundreds of thousands of values into Python datetimes costs more than the query."""
    if connection.vendor == "postgresql":
        sql = f'FLOOR(EXTRACT(EPOCH FROM "{table}"."{column}"))::bigint'
    else:
        sql = f'CAST(strftime(\'%%s\', "{table}"."{column}") AS INTEGER)'
    # `column`/`table` are this module's own constant identifiers (never request data); no value is interpolated
    return RawSQL(sql, [], output_field=BigIntegerField())  # nosec B611


def _dt_from_epochs(values: Sequence[int | None]) -> np.ndarray:
    # Through float64 (exact for epoch seconds): numpy turns None into NaN without a Python loop.
    floats = np.array(values, dtype=np.float64)
    missing = np.isnan(floats)
    out = np.where(missing, 0, floats).astype(np.int64).astype("datetime64[s]")
    out[missing] = np.datetime64("NaT")
    return out


def _fcr_codes(values: Sequence[bool | int | None]) -> np.ndarray:
    floats = np.array(values, dtype=np.float64)  # True/1 → 1.0, False/0 → 0.0, None → NaN
    return np.where(np.isnan(floats), -1, floats).astype(np.int8)


def open_rows(year: int, by_tz: dict[str, list[int]], cutoff: datetime | None) -> OpenRows:
    """The unsettled tickets created in local `year`, ordered by id, with their pauses.

    As of now (`cutoff` None) only those outside the kept counters (`opsqm.kpis.counters.REST_SQL`:
    never computed, or created or resolved after their stored cut-off).
    """
    from opsqm.tickets.models import Ticket, TicketPause

    base = Ticket.objects.filter(year_window_q(year, by_tz))
    # REST_SQL is a constant SQL fragment without parameters: the WHERE of its own small partial index
    base = base.extra(where=[REST_SQL]) if cutoff is None else base.filter(unsettled_q(cutoff))  # nosec B610
    # No ORDER BY: sorted here. With one, PostgreSQL walked the primary key over every ticket (it
    # cannot estimate `created_at > sla_cutoff` and expected a third of them) instead of the
    # rest's small partial index.
    base = base.order_by()
    query = base.annotate(c=_epoch("created_at"), f=_epoch("first_response_at"), r=_epoch("resolved_at")).values_list(
        "id", "project_id", "priority", "c", "f", "r", "reopen_count", "first_contact_resolution"
    )
    # Tens of thousands of open rows at 5 M tickets: fetched by the DB-API cursor, because the
    # ORM's per-value converters cost more than the query (every column here is a plain value).
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:  # no project in scope: the ORM knows the answer without a query
        rows = []
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = sorted(cursor.fetchall())  # by id
    columns = list(zip(*rows)) if rows else [[] for _ in range(8)]
    data = OpenRows(
        ids=np.array(columns[0], dtype=np.int64),
        project=np.array(columns[1], dtype=np.int64),
        priority=list(columns[2]),
        created=_dt_from_epochs(columns[3]),
        first_response=_dt_from_epochs(columns[4]),
        resolved=_dt_from_epochs(columns[5]),
        reopened=np.array(columns[6], dtype=np.int64) >= 1,
        fcr=_fcr_codes(columns[7]),
        months=np.zeros(len(rows), dtype=np.int64),
    )
    tz_of = {pk: tz for tz, ids in by_tz.items() for pk in ids}
    for project_id in np.unique(data.project).tolist():
        index = np.flatnonzero(data.project == project_id)
        data.months[index] = period_keys(data.created[index], tz_of.get(project_id, DEFAULT_TZ), Granularity.MONTH)
    if rows:
        table = TicketPause._meta.db_table
        pauses = list(
            TicketPause.objects.filter(ticket_id__in=base.values("id"))
            .order_by()
            .annotate(s=_epoch("start", table), e=_epoch("end", table))
            .values_list("ticket_id", "s", "e")
        )
        if pauses:
            ticket_ids, starts, ends = zip(*pauses)
            data.pause_ticket = np.array(ticket_ids, dtype=np.int64)
            data.pause_start, data.pause_end = _dt_from_epochs(starts), _dt_from_epochs(ends)
    return data


def targets_by_project(project_ids: Iterable[int]) -> dict[int, dict[str, tuple[int, int]]]:
    from opsqm.tickets.models import SlaPriority

    targets: dict[int, dict[str, tuple[int, int]]] = {}
    for project_id, code, response, resolution in SlaPriority.objects.filter(agreement__project_id__in=list(project_ids)).values_list(
        "agreement__project_id", "code", "response_seconds", "resolution_seconds"
    ):
        targets.setdefault(project_id, {})[code] = (response, resolution)
    return targets


_built: dict[tuple, Any] = {}  # memo keyed by a calendar's whole content: never stale


def calendars(project_ids: Iterable[int]) -> dict[int, Any]:
    """Each project's business calendar (its agreement's, else China 5×8), built once per
    distinct calendar content. Four small queries whatever the number of projects."""
    from types import SimpleNamespace

    from opsqm.tickets.calendars import build_calendar, default_calendar, imported_years
    from opsqm.tickets.models import Calendar, CalendarException, SlaAgreement

    ids = list(project_ids)
    of_project = dict(SlaAgreement.objects.filter(project_id__in=ids).values_list("project_id", "calendar_id"))
    default_id = default_calendar().pk if len(of_project) < len(ids) else None
    rows = {c.pk: c for c in Calendar.objects.filter(pk__in={*of_project.values(), default_id} - {None})}
    exceptions: dict[int, list[tuple]] = {}
    for calendar_id, day, kind in (
        CalendarException.objects.filter(calendar_id__in=list(rows))
        .order_by("calendar_id", "date")
        .values_list("calendar_id", "date", "kind")
    ):
        exceptions.setdefault(calendar_id, []).append((day, kind))
    years = imported_years() if any(c.use_china_holidays for c in rows.values()) else []
    years_key = tuple((y.year, tuple(sorted(y.holidays)), tuple(sorted(y.makeup_workdays))) for y in years)
    built: dict[int, Any] = {}
    for pk, row in rows.items():
        key = (
            row.kind,
            row.time_zone,
            repr(sorted((row.weekly_slots or {}).items())),
            row.use_china_holidays,
            tuple(exceptions.get(pk, ())),
            years_key if row.use_china_holidays else (),
        )
        if key not in _built:
            if len(_built) > 64:
                _built.clear()
            _built[key] = build_calendar(
                row, years=years, exceptions=[SimpleNamespace(date=day, kind=kind) for day, kind in exceptions.get(pk, ())]
            )
        built[pk] = _built[key]
    return {pk: built[of_project.get(pk, default_id)] for pk in ids}


def pause_positions(ticket_ids: np.ndarray, pause_ticket: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mask of pauses whose ticket is in `ticket_ids`, position of that ticket in `ticket_ids`).

    Does not assume `ticket_ids` is sorted: the position is looked up through a sort order, so
    a pause always lands on its own ticket whatever order the rows came in.
    """
    if not len(ticket_ids) or not len(pause_ticket):
        return np.zeros(len(pause_ticket), dtype=bool), np.empty(0, dtype=np.int64)
    order = np.argsort(ticket_ids, kind="stable")
    sorted_ids = ticket_ids[order]
    slot = np.minimum(np.searchsorted(sorted_ids, pause_ticket), len(sorted_ids) - 1)
    found = sorted_ids[slot] == pause_ticket
    return found, order[slot[found]]


def evaluate(rows: OpenRows, cutoff: datetime) -> Evaluated:
    """SLA statuses of the open rows as of `cutoff`: one engine pass per distinct business calendar
    (projects sharing a calendar are evaluated together, each ticket with its project's targets)."""
    n = len(rows.ids)
    response = np.zeros(n, dtype=np.int8)
    resolution = np.zeros(n, dtype=np.int8)
    seconds = np.full(n, -1, dtype=np.int64)
    cut = np.datetime64(cutoff.astimezone(UTC).replace(tzinfo=None), "s")
    project_ids = np.unique(rows.project).tolist()
    cals, targets = (calendars(project_ids), targets_by_project(project_ids)) if n else ({}, {})
    groups: dict[int, list[int]] = {}
    for project_id in project_ids:
        groups.setdefault(id(cals[project_id]), []).append(project_id)
    for members in groups.values():
        index = np.flatnonzero(np.isin(rows.project, members))
        pairs = [
            targets.get(p, {}).get(q, (-1, -1)) for p, q in zip(rows.project[index].tolist(), [rows.priority[i] for i in index.tolist()])
        ]
        in_group, position = pause_positions(rows.ids[index], rows.pause_ticket)
        result = compute_sla(
            cals[members[0]],
            TicketArrays(
                created=rows.created[index],
                first_response=rows.first_response[index],
                resolved=rows.resolved[index],
                pause_ticket=position,
                pause_start=rows.pause_start[in_group],
                pause_end=rows.pause_end[in_group],
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
    return Evaluated(rows, response, resolution, seconds >= 0, seconds)


def open_cells(evaluated: Evaluated, year: int, cutoff: datetime) -> Cells:
    """Counters of the evaluated open rows created in `year` by the cut-off."""
    rows = evaluated.rows
    cells: Cells = {}
    if not len(rows.ids):
        return cells
    cut = np.datetime64(cutoff.astimezone(UTC).replace(tzinfo=None), "s")
    matrix = ticket_counters(
        evaluated.response_status, evaluated.resolution_status, evaluated.resolved, rows.reopened, rows.fcr, evaluated.resolution_seconds
    )
    keep = np.flatnonzero((rows.months // 100 == year) & (rows.created <= cut))
    if not keep.size:
        return cells
    codes, priority = np.unique(np.array(rows.priority, dtype=object)[keep].astype(str), return_inverse=True)
    # One integer per (project, month, priority): a 1-D unique is far cheaper than unique(axis=0).
    width = len(codes)
    keys = (rows.project[keep] * 1_000_000 + rows.months[keep]) * width + priority.reshape(-1)
    unique, inverse = np.unique(keys, return_inverse=True)
    sums = np.zeros((len(unique), matrix.shape[1]), dtype=np.int64)
    np.add.at(sums, inverse.reshape(-1), matrix[keep])
    for key, vector in zip(unique.tolist(), sums):
        rest, code = divmod(key, width)
        project, month = divmod(rest, 1_000_000)
        cells[(project, month, str(codes[code]))] = vector
    return cells
