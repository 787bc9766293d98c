"""Open tickets' SLA statuses at a cut-off, in SQL: one comparison with the stored breach instants.

Every SLA writer stores, with the statuses, each clock's breach instant (`opsqm.core.sla`: the
first instant at which the ticket is breached if not done by then; NULL = never). For a ticket
still open, its status at any cut-off C is then decided by the database:

* response — no target: NA; first response by C: met if it came before the breach instant,
  else breached; no response by C: breached once C reaches the breach instant, else pending;
* resolution — no target: NA; breached once C reaches the breach instant, else pending.

That is what lets the KPI pages count the open tickets still within their SLA with one GROUP BY
instead of reading them (open tickets decided for good are in the kept counters already, see
`opsqm.kpis.counters`). It applies to tickets open (`resolved_at IS NULL`) whose SLA was
computed (`sla_cutoff` set); the few others that are not settled (resolved after their stored
cut-off, or never computed) are still evaluated with the engine (`opsqm.kpis.evaluation`).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.expressions import F

from opsqm.core.sla import Status
from opsqm.kpis.counters import UNSETTLED_SQL, Cells, fold_groups, month_bounds, month_case, settled_open_q

NA, PENDING, MET, BREACHED = int(Status.NA), int(Status.PENDING), int(Status.MET), int(Status.BREACHED)

# Open tickets, not settled, whose statuses at any cut-off follow from their stored breach instants.
OPEN_Q = Q(resolved_at__isnull=True, sla_cutoff__isnull=False) & ~settled_open_q()
# The other unsettled tickets (as SQL, ANDed with UNSETTLED_SQL so the partial index serves it).
REST_SQL = "(resolved_at IS NOT NULL OR sla_cutoff IS NULL)"


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


def open_status_annotations(cutoff: datetime) -> dict[str, Case]:
    """`open_response` / `open_resolution`: the statuses at `cutoff` of an open ticket, NULL for others."""
    return {
        "open_response": Case(When(OPEN_Q, then=response_at(cutoff)), default=None, output_field=IntegerField()),
        "open_resolution": Case(When(OPEN_Q, then=resolution_at(cutoff)), default=None, output_field=IntegerField()),
    }


def open_cells(year: int, by_tz: dict[str, list[int]], cutoff: datetime) -> Cells:
    """Counters of the open tickets created in local `year` by `cutoff`, evaluated at `cutoff`:
    one GROUP BY per time zone over the small partial index of unsettled tickets."""
    from opsqm.tickets.models import Ticket

    cells: Cells = {}
    for tz, ids in by_tz.items():
        bounds = month_bounds(year, tz)
        rows = list(
            Ticket.objects.order_by()
            # UNSETTLED_SQL is this project's constant SQL (no parameters): the partial index's own WHERE
            .extra(where=[UNSETTLED_SQL])  # nosec B610
            .filter(OPEN_Q, project_id__in=ids, created_at__gte=bounds[0], created_at__lt=bounds[12], created_at__lte=cutoff)
            .annotate(month=month_case(year, tz), rs=response_at(cutoff), ss=resolution_at(cutoff))
            # Reopen and FCR count among resolved tickets only: an open ticket's flags do not matter.
            .values_list("project_id", "month", "priority", "rs", "ss")
            .annotate(n=Count("id"))
        )
        fold_groups(cells, [(pk, month, priority, rs, ss, 0, None, 0, n, None) for pk, month, priority, rs, ss, n in rows])
    return cells
