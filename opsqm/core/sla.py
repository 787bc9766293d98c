"""SLA response and resolution times and statuses, vectorized over all tickets.

Semantics (PRODUCT.md, "SLA semantics"), as of a cut-off instant:

* response = business(created, first response); a ticket resolved without a first
  response counts as responded at its resolution. Pauses do not stop this clock.
* resolution = business(created, resolved) − business of the pauses, after merging
  overlapping pauses and clipping them to [created, resolved).
* met when the time is ≤ the target; a ticket not yet responded (resolved) at the
  cut-off is breached if its elapsed business time already exceeds the target, else
  pending. For resolution the elapsed time discounts pauses clipped to [created, cut-off).
* timestamps after the cut-off have not happened yet.

All instants are UTC datetime64 (any unit), floored to whole seconds.

Besides the statuses as of the cut-off, `compute_sla` gives each clock's *breach instant*: the
first instant at which the ticket counts as breached if it is not done by then (its elapsed
business time reaches target + 1 s). With it, a ticket's status at any later cut-off C is a
comparison — done at D ≤ C: met iff D < breach; not done: breached iff C ≥ breach — which is how
the KPI pages evaluate tens of thousands of open tickets in SQL (`opsqm.kpis.open_status`).
NaT means never: no target, a calendar without working time, or (resolution) a pause still
open before the target was reached, which stops the clock until a writer records its end.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from opsqm.core.calendars import BusinessCalendar

__all__ = ["Status", "SlaTargets", "TicketArrays", "SlaResult", "compute_sla", "merge_pauses"]

_NAT = np.iinfo(np.int64).min


class Status(IntEnum):
    NA = 0  # no target for this ticket
    PENDING = 1
    MET = 2
    BREACHED = 3


@dataclass(frozen=True)
class SlaTargets:
    """Per-ticket targets in business seconds; -1 means no target (status NA)."""

    response_seconds: np.ndarray
    resolution_seconds: np.ndarray


@dataclass(frozen=True)
class TicketArrays:
    """Column arrays of tickets plus one row per pause interval.

    ``pause_end`` may be NaT for a pause still open: it lasts until the ticket is
    resolved or the cut-off.
    """

    created: np.ndarray
    first_response: np.ndarray
    resolved: np.ndarray
    pause_ticket: np.ndarray
    pause_start: np.ndarray
    pause_end: np.ndarray


@dataclass(frozen=True)
class SlaResult:
    response_seconds: np.ndarray  # int64; -1 when not responded by the cut-off
    resolution_seconds: np.ndarray  # int64; -1 when not resolved by the cut-off
    paused_seconds: np.ndarray  # int64 business seconds of merged, clipped pauses
    response_status: np.ndarray  # int8 Status
    resolution_status: np.ndarray  # int8 Status
    response_deadline: np.ndarray  # datetime64[s]; NaT without a target
    resolution_deadline: np.ndarray  # datetime64[s]; from created, ignoring pauses
    # Business seconds counted so far: the final time once done, else the time
    # elapsed at the cut-off (resolution: net of pauses). Drives "overdue by" views.
    response_elapsed: np.ndarray
    resolution_elapsed: np.ndarray
    # First instant at which the clock is breached if not done by then; NaT: never (see above).
    response_breach: np.ndarray
    resolution_breach: np.ndarray


def _seconds(values: np.ndarray) -> np.ndarray:
    """int64 whole seconds (floored), NaT kept as the int64 minimum."""
    arr = np.asarray(values)
    if arr.dtype.kind != "M":
        raise TypeError(f"expected numpy datetime64 values, got {arr.dtype}")
    return arr.astype("datetime64[s]").view(np.int64).reshape(-1)


def _instants(seconds: np.ndarray) -> np.ndarray:
    return seconds.view("datetime64[s]")


def merge_pauses(ticket: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of each ticket's pause intervals, as (ticket, start, end) sorted by ticket
    then start. Overlapping and touching intervals merge; rows with NaT or with
    start >= end are dropped. Instants come back as datetime64[s] (floored)."""
    tickets = np.asarray(ticket, dtype=np.int64).reshape(-1)
    begin, finish = _seconds(start), _seconds(end)
    keep = (begin != _NAT) & (finish != _NAT) & (begin < finish)
    tickets, begin, finish = tickets[keep], begin[keep], finish[keep]
    if tickets.size == 0:
        return tickets, _instants(begin), _instants(finish)
    order = np.lexsort((begin, tickets))
    tickets, begin, finish = tickets[order], begin[order], finish[order]
    first_of_ticket = np.ones(tickets.size, dtype=bool)
    first_of_ticket[1:] = tickets[1:] != tickets[:-1]
    reach = _running_end_per_ticket(first_of_ticket, begin, finish)
    starts_group = first_of_ticket.copy()
    starts_group[1:] |= begin[1:] > reach[:-1]
    heads = np.flatnonzero(starts_group)
    return tickets[heads], _instants(begin[heads]), _instants(np.maximum.reduceat(finish, heads))


def _running_end_per_ticket(first_of_ticket: np.ndarray, begin: np.ndarray, finish: np.ndarray) -> np.ndarray:
    """Latest end seen so far within each ticket's run of rows.

    One cumulative max over the whole array: each ticket's ends are lifted by
    rank × span so an earlier ticket can never leak into a later one.
    """
    rank = np.cumsum(first_of_ticket) - 1
    base = int(begin.min())
    span = int(finish.max()) - base + 1
    if int(rank[-1]) >= np.iinfo(np.int64).max // span - 1:
        raise OverflowError("too many pause rows over too long a span to merge")
    lifted = rank * span + (finish - base)
    np.maximum.accumulate(lifted, out=lifted)
    return lifted - rank * span + base


def _check_ticket_arrays(tickets: TicketArrays, targets: SlaTargets) -> int:
    n = np.asarray(tickets.created).size
    for name in ("first_response", "resolved"):
        if np.asarray(getattr(tickets, name)).size != n:
            raise ValueError(f"{name} must have one value per ticket")
    for name in ("response_seconds", "resolution_seconds"):
        if np.asarray(getattr(targets, name)).size != n:
            raise ValueError(f"targets.{name} must have one value per ticket")
    pause_ticket = np.asarray(tickets.pause_ticket)
    if not (pause_ticket.size == np.asarray(tickets.pause_start).size == np.asarray(tickets.pause_end).size):
        raise ValueError("pause_ticket, pause_start and pause_end must have the same length")
    if pause_ticket.size and (pause_ticket.min() < 0 or pause_ticket.max() >= n):
        raise ValueError("pause_ticket holds an index outside the tickets")
    return n


def _status(target: np.ndarray, done: np.ndarray, elapsed: np.ndarray) -> np.ndarray:
    status = np.full(target.size, Status.PENDING, dtype=np.int8)
    over = elapsed > target
    status[done & ~over] = Status.MET
    status[over] = Status.BREACHED  # done late, or still open and already late
    status[target < 0] = Status.NA
    return status


def _paused_seconds(calendar: BusinessCalendar, tickets: TicketArrays, created: np.ndarray, stop: np.ndarray, cut: int) -> np.ndarray:
    """Business seconds of each ticket's merged pauses within [created, stop)."""
    owner = np.asarray(tickets.pause_ticket, dtype=np.int64).reshape(-1)
    begin, finish = _seconds(tickets.pause_start), _seconds(tickets.pause_end)
    finish = np.where(finish == _NAT, cut, finish)  # still paused: runs to the cut-off
    live = begin != _NAT
    owner, begin, finish = owner[live], begin[live], finish[live]
    begin = np.maximum(begin, created[owner])
    finish = np.minimum(finish, stop[owner])
    owner, begin_m, finish_m = merge_pauses(owner, _instants(begin), _instants(finish))
    paused = np.zeros(created.size, dtype=np.int64)
    if owner.size:
        lengths = calendar.business_seconds(begin_m, finish_m)
        heads = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
        paused[owner[heads]] = np.add.reduceat(lengths, heads)
    return paused


def _breach_targets(target: np.ndarray) -> np.ndarray:
    """Business seconds after which a clock is breached (target + 1), −1 where there is no target."""
    return np.where(target < 0, -1, target + 1)


def _resolution_breach(calendar: BusinessCalendar, tickets: TicketArrays, created: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Earliest instant t with business(created, t) − paused business seconds in [created, t) ≥ target + 1.

    Fixed point: t = deadline(created, target + 1 + P(t)), where P(t) counts every merged pause
    that starts before t whole. It only grows, stays ≤ the answer (a pause that starts before
    the answer ends before it: the answer's last second is an unpaused working second) and stops
    at it; each round that moves takes in at least one more pause, so it ends within
    (pauses per ticket + 1) rounds. A pause still open before t means never (NaT).
    """
    need = _breach_targets(target)
    breach = _seconds(calendar.deadline(_instants(created), need))
    owner = np.asarray(tickets.pause_ticket, dtype=np.int64).reshape(-1)
    begin, finish = _seconds(tickets.pause_start), _seconds(tickets.pause_end)
    live = begin != _NAT
    owner, begin, finish = owner[live], np.maximum(begin[live], created[owner[live]]), finish[live]
    still_open = finish == _NAT
    open_from = np.full(created.size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(open_from, owner[still_open], begin[still_open])
    owner, begin_m, finish_m = merge_pauses(owner[~still_open], _instants(begin[~still_open]), _instants(finish[~still_open]))
    begin_s = _seconds(begin_m)
    lengths = calendar.business_seconds(begin_m, finish_m) if owner.size else np.zeros(0, dtype=np.int64)
    active = np.flatnonzero((need >= 0) & (breach != _NAT) & (np.isin(np.arange(created.size), owner) | (open_from < breach)))
    while active.size:
        stopped = open_from[active] < breach[active]
        breach[active[stopped]] = _NAT
        active = active[~stopped]
        if not active.size:
            break
        counted = begin_s < breach[owner]
        paused = np.bincount(owner[counted], weights=lengths[counted], minlength=created.size).astype(np.int64)
        moved = _seconds(calendar.deadline(_instants(created[active]), need[active] + paused[active]))
        changed = moved != breach[active]
        breach[active] = moved
        active = active[changed & (moved != _NAT)]
    return breach


def compute_sla(calendar: BusinessCalendar, tickets: TicketArrays, targets: SlaTargets, cutoff: np.datetime64) -> SlaResult:
    _check_ticket_arrays(tickets, targets)
    cut = int(np.datetime64(cutoff, "s").astype(np.int64))
    if cut == _NAT:
        raise ValueError("cutoff must be an instant, not NaT")
    created = _seconds(tickets.created)
    if np.any(created == _NAT):
        raise ValueError("every ticket needs a created time")
    first, resolved = _seconds(tickets.first_response), _seconds(tickets.resolved)
    response_target = np.asarray(targets.response_seconds, dtype=np.int64).reshape(-1)
    resolution_target = np.asarray(targets.resolution_seconds, dtype=np.int64).reshape(-1)

    # NaT is the smallest int64, so "<= cut" alone would count it as happened.
    responded_by_first = (first != _NAT) & (first <= cut)
    is_resolved = (resolved != _NAT) & (resolved <= cut)
    responded = responded_by_first | is_resolved
    response_at = np.where(responded_by_first, first, np.where(is_resolved, resolved, cut))
    response_elapsed = calendar.business_seconds(_instants(created), _instants(response_at))

    stop = np.where(is_resolved, resolved, cut)
    paused = _paused_seconds(calendar, tickets, created, stop, cut)
    gross = calendar.business_seconds(_instants(created), _instants(stop))
    resolution_elapsed = np.maximum(gross - paused, 0)

    created_at = _instants(created)
    return SlaResult(
        response_seconds=np.where(responded, response_elapsed, -1),
        resolution_seconds=np.where(is_resolved, resolution_elapsed, -1),
        paused_seconds=paused,
        response_status=_status(response_target, responded, response_elapsed),
        resolution_status=_status(resolution_target, is_resolved, resolution_elapsed),
        response_deadline=calendar.deadline(created_at, response_target),
        resolution_deadline=calendar.deadline(created_at, resolution_target),
        response_elapsed=response_elapsed,
        resolution_elapsed=resolution_elapsed,
        response_breach=calendar.deadline(created_at, _breach_targets(response_target)),
        resolution_breach=_instants(_resolution_breach(calendar, tickets, created, resolution_target)),
    )
