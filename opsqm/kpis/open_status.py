"""Open tickets' SLA statuses at a cut-off, in SQL: one comparison with the stored breach instants.

Every SLA writer stores, with the statuses, each clock's breach instant (`opsqm.core.sla`: the
first instant at which the ticket is breached if not done by then; NULL = never). For a ticket
still open, its status at any cut-off C after its stored one is then decided by the database:

* response — no target: NA; first response by C: met if it came before the breach instant,
  else breached; no response by C: breached once C reaches the breach instant, else pending;
* resolution — no target: NA; breached once C reaches the breach instant, else pending.

The kept counters hold each open ticket as it stood at its stored cut-off
(`opsqm.kpis.counters`); `flip_cells` adds what changed since for the few whose pending clock
has turned (breach instant or first response by C), so a KPI page reads a small partial index
instead of evaluating every open ticket.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.expressions import F

from opsqm.core.sla import Status
from opsqm.kpis.counters import LIVE_SQL, Cells, fold_groups, kept_open_q, month_bounds, month_case

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
    `cutoff` minus those it is kept with. One GROUP BY per time zone over the small partial
    index of live tickets, grouping only the turned ones."""
    from opsqm.tickets.models import Ticket

    cells: Cells = {}
    for tz, ids in by_tz.items():
        bounds = month_bounds(year, tz)
        rows = list(
            Ticket.objects.order_by()
            # LIVE_SQL is this project's constant SQL (no parameters): the partial index's own WHERE
            .extra(where=[LIVE_SQL])  # nosec B610
            .filter(OPEN_Q, turned_q(cutoff), project_id__in=ids, created_at__gte=bounds[0], created_at__lt=bounds[12])
            .annotate(month=month_case(year, tz), rs=response_at(cutoff), ss=resolution_at(cutoff))
            .values_list("project_id", "month", "priority", "response_status", "resolution_status", "rs", "ss")
            .annotate(n=Count("id"))
        )
        # Reopen and FCR count among resolved tickets only: an open ticket's flags do not matter.
        now = [(pk, month, prio, rs, ss, 0, None, 0, n, None) for pk, month, prio, _rs0, _ss0, rs, ss, n in rows]
        kept = [(pk, month, prio, rs0, ss0, 0, None, 0, -n, None) for pk, month, prio, rs0, ss0, _rs, _ss, n in rows]
        fold_groups(cells, now + kept)
    return cells
