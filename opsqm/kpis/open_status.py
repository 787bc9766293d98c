"""Open tickets' SLA statuses at a cut-off, in SQL: one comparison with the stored breach instants.

Every SLA writer stores, with the statuses, each clock's breach instant (`opsqm.core.sla`: the
first instant at which the ticket is breached if not done by then; NULL = never). For a ticket
still open, its status at any cut-off C after its stored one is then decided by the database:

* response — no target: NA; first response by C: met if it came before the breach instant,
  else breached; no response by C: breached once C reaches the breach instant, else pending;
* resolution — no target: NA; breached once C reaches the breach instant, else pending.

The kept counters hold each open ticket as it stood at its stored cut-off
(`opsqm.kpis.counters`); `flip_cells` adds what changed since for the few whose pending clock
has turned (breach instant or first response by C), found by range scans of three small partial
indexes (one per instant that can turn a pending clock), so a KPI page reads only the tickets
that turned instead of evaluating every open ticket.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.expressions import F

from opsqm.core.sla import Status
from opsqm.kpis.counters import Cells, fold_groups, kept_open_q, month_bounds, month_case

NA, PENDING, MET, BREACHED = int(Status.NA), int(Status.PENDING), int(Status.MET), int(Status.BREACHED)

# The open tickets of the kept counters: their statuses at any later cut-off follow from the
# stored breach instants.
OPEN_Q = kept_open_q()


def response_at(cutoff: datetime) -> Case:
    """Response status of an open ticket at `cutoff`."""
    responded = Q(first_response_at__lte=cutoff)
    return Case(
        When(response_status=NA, then=Value(NA)),
        When(responded & (Q(response_breach_at__isnull=True) | Q(first_response_at__lt=F("response_breach_at"))), then=Value(MET)),
        When(responded, then=Value(BREACHED)),
        When(response_breach_at__lte=cutoff, then=Value(BREACHED)),
        default=Value(PENDING),
        output_field=IntegerField(),
    )


def resolution_at(cutoff: datetime) -> Case:
    """Resolution status of an open ticket at `cutoff` (it is not resolved, so never met)."""
    return Case(
        When(resolution_status=NA, then=Value(NA)),
        When(resolution_breach_at__lte=cutoff, then=Value(BREACHED)),
        default=Value(PENDING),
        output_field=IntegerField(),
    )


# The pending clocks and the instants that can turn them by a cut-off: (WHERE of the clock's
# partial index, the instant it is range-scanned on). Keep each WHERE textually equal to its
# index's in migration kpis 0006 (SQLite uses a partial index only for a query that repeats it).
RESPONSE_PENDING_SQL = "(resolved_at IS NULL AND response_status = 1)"
RESOLUTION_PENDING_SQL = "(resolved_at IS NULL AND resolution_status = 1)"
TURN_ARMS = (
    (RESPONSE_PENDING_SQL, "response_breach_at"),
    (RESPONSE_PENDING_SQL, "first_response_at"),
    (RESOLUTION_PENDING_SQL, "resolution_breach_at"),
)


def turned_q(cutoff: datetime) -> Q:
    """Open tickets with a clock that was pending at their stored cut-off and has turned by `cutoff`."""
    response = Q(response_status=PENDING) & (Q(response_breach_at__lte=cutoff) | Q(first_response_at__lte=cutoff))
    return Q(resolved_at__isnull=True) & (response | Q(resolution_status=PENDING, resolution_breach_at__lte=cutoff))


def open_status_annotations(cutoff: datetime) -> dict[str, Case]:
    """`open_response` / `open_resolution`: the statuses at `cutoff` of a kept open ticket, NULL for others."""
    return {
        "open_response": Case(When(OPEN_Q, then=response_at(cutoff)), default=None, output_field=IntegerField()),
        "open_resolution": Case(When(OPEN_Q, then=resolution_at(cutoff)), default=None, output_field=IntegerField()),
    }


def flip_cells(year: int, by_tz: dict[str, list[int]], cutoff: datetime) -> Cells:
    """What the open tickets created in local `year` add to the kept counters by `cutoff` (at or
    after their stored cut-offs): for each whose pending clock has turned, its counters at
    `cutoff` minus those it is kept with. Per time zone, one GROUP BY over the union of three
    range scans, one per clock instant (`TURN_ARMS`, kpis 0006): the cost follows the tickets
    that turned, not every open ticket."""
    cells: Cells = {}
    for tz, ids in by_tz.items():
        rows = _turned_groups(year, tz, ids, cutoff)
        # Reopen and FCR count among resolved tickets only: an open ticket's flags do not matter.
        now = [(pk, month, prio, rs, ss, 0, None, 0, n, None) for pk, month, prio, _rs0, _ss0, rs, ss, n in rows]
        kept = [(pk, month, prio, rs0, ss0, 0, None, 0, -n, None) for pk, month, prio, rs0, ss0, _rs, _ss, n in rows]
        fold_groups(cells, now + kept)
    return cells


def _turned_groups(year: int, tz: str, ids: list[int], cutoff: datetime) -> list[tuple]:
    """(project, month, priority, stored response and resolution statuses, those at `cutoff`,
    count) of the kept open tickets of `ids` created in local `year` whose clock turned."""
    from opsqm.tickets.models import Ticket

    compiled = _turned_sql(year, tz, tuple(ids))
    if compiled is None:  # no project in scope
        return []
    sql, template = compiled
    field = Ticket._meta.get_field("created_at")
    placeholder, value = (field.get_db_prep_value(at, connection) for at in (_CUTOFF_PLACEHOLDER, cutoff))
    params = [value if param == placeholder else param for param in template]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Stands for the cut-off in a compiled query (the ORM turns it into the backend's datetime value;
# nothing else in the query is a datetime of 1970).
_CUTOFF_PLACEHOLDER = datetime(1970, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
_compiled: dict[tuple, tuple[str, list] | None] = {}  # memo keyed by everything the SQL depends on


def _turned_sql(year: int, tz: str, ids: tuple[int, ...]) -> tuple[str, list] | None:
    """The turned tickets' GROUP BY as SQL and parameters, with `_CUTOFF_PLACEHOLDER` for the
    cut-off; None when no project is in scope. Compiled once per year, time zone, projects and
    database: building the three arms' expressions took a third of the query's time."""
    from opsqm.tickets.models import Ticket

    key = (connection.alias, connection.vendor, year, tz, ids)
    if key in _compiled:
        return _compiled[key]
    bounds, cutoff = month_bounds(year, tz), _CUTOFF_PLACEHOLDER
    arms = [
        Ticket.objects.order_by()
        # The arm's WHERE is this module's constant SQL (no parameters): its partial index's own
        .extra(where=[pending_sql])  # nosec B610
        .filter(OPEN_Q, project_id__in=ids, created_at__gte=bounds[0], created_at__lt=bounds[12], **{f"{instant}__lte": cutoff})
        .annotate(month=month_case(year, tz), rs=response_at(cutoff), ss=resolution_at(cutoff))
        .values_list("id", "project_id", "month", "priority", "response_status", "resolution_status", "rs", "ss")
        for pending_sql, instant in TURN_ARMS
    ]
    try:
        sql, params = arms[0].union(*arms[1:]).query.sql_with_params()  # UNION: a ticket turned twice counts once
    except EmptyResultSet:
        compiled = None
    else:
        columns = "project_id, month, priority, rs0, ss0, rs, ss"
        # `sql` is the ORM's own compiled query (values bound in `params`); the rest is constant
        grouped = f"WITH turned (id, {columns}) AS ({sql}) SELECT {columns}, COUNT(*) FROM turned GROUP BY {columns}"  # nosec B608
        compiled = (grouped, list(params))
    if len(_compiled) > 256:
        _compiled.clear()
    _compiled[key] = compiled
    return compiled
