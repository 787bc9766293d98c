"""Breach instants: the first instant at which a clock counts as breached.

Checked a second way: the engine's own status as of a cut-off (a business-time sum, no
deadline search) must flip from not-breached to breached exactly at the breach instant, for
random tickets with overlapping, open and pre-creation pauses on the China 5×8 calendar.
"""

from __future__ import annotations

import numpy as np
import pytest

from opsqm.core.calendars import BusinessCalendar
from opsqm.core.sla import SlaTargets, Status, TicketArrays, compute_sla
from opsqm.core.tests.test_calendars import ts

START = ts("2024-09-02T00:00:00")  # a Monday; the span covers 国庆 2024 and its make-up days
DAY = 86_400


def _random_tickets(seed: int, n: int) -> tuple[TicketArrays, SlaTargets]:
    rng = np.random.default_rng(seed)
    created = START + rng.integers(0, 60 * DAY, n)
    owners, starts, ends = [], [], []
    for i in range(n):
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            begin = created[i] + int(rng.integers(-2 * 3600, 10 * DAY))  # some start before creation
            roll = rng.random()
            end = None if roll < 0.15 else begin + int(rng.integers(1, 5 * DAY))
            owners.append(i)
            starts.append(begin)
            ends.append(end)
    response = rng.choice([-1, 900, 1800, 7200, 4 * 3600], n)
    resolution = rng.choice([-1, 4 * 3600, 8 * 3600, 27_000, 40 * 3600], n)
    never = np.full(n, np.datetime64("NaT"), dtype="M8[s]")
    tickets = TicketArrays(
        created=created.astype("M8[s]"),
        first_response=never,
        resolved=never,
        pause_ticket=np.array(owners, dtype=np.int64),
        pause_start=np.array(starts, dtype=np.int64).astype("M8[s]"),
        pause_end=np.array([np.datetime64("NaT") if e is None else np.datetime64(int(e), "s") for e in ends], dtype="M8[s]"),
    )
    return tickets, SlaTargets(response_seconds=response.astype(np.int64), resolution_seconds=resolution.astype(np.int64))


def _status_at(calendar: BusinessCalendar, tickets: TicketArrays, targets: SlaTargets, cuts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Statuses of ticket i as of cuts[i] (one engine call per distinct cut-off)."""
    response = np.zeros(cuts.size, dtype=np.int8)
    resolution = np.zeros(cuts.size, dtype=np.int8)
    for cut in np.unique(cuts):
        result = compute_sla(calendar, tickets, targets, np.datetime64(int(cut), "s"))
        mine = cuts == cut
        response[mine] = result.response_status[mine]
        resolution[mine] = result.resolution_status[mine]
    return response, resolution


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_open_ticket_turns_breached_exactly_at_its_breach_instant(seed: int) -> None:
    calendar = BusinessCalendar.china()
    tickets, targets = _random_tickets(seed, 60)
    result = compute_sla(calendar, tickets, targets, np.datetime64(START, "s"))
    for breach, clock in ((result.response_breach, 0), (result.resolution_breach, 1)):
        seconds = breach.astype("M8[s]").astype(np.int64)
        known = ~np.isnat(breach)
        far = START + 200 * DAY
        for offset in (-1, 0):  # one second before: not breached; at the instant: breached
            cuts = np.where(known, seconds + offset, far)
            status = _status_at(calendar, tickets, targets, cuts)[clock]
            with_target = (targets.response_seconds if clock == 0 else targets.resolution_seconds) >= 0
            expected_breached = known & (offset == 0)
            assert np.array_equal(status[with_target] == Status.BREACHED, expected_breached[with_target]), (clock, offset)
            assert np.all(status[~with_target] == Status.NA)
            assert not np.any(known[~with_target])


@pytest.mark.parametrize("seed", [4, 5])
def test_done_ticket_is_met_exactly_when_done_before_its_breach_instant(seed: int) -> None:
    """A ticket resolved (responded) at D: met iff D < breach — D one second either side of it."""
    calendar = BusinessCalendar.china()
    tickets, targets = _random_tickets(seed, 60)
    breach = compute_sla(calendar, tickets, targets, np.datetime64(START, "s"))
    for offset in (-1, 0):
        done_res = np.where(np.isnat(breach.resolution_breach), tickets.created + np.timedelta64(3 * DAY, "s"), breach.resolution_breach)
        done_resp = np.where(np.isnat(breach.response_breach), tickets.created + np.timedelta64(3600, "s"), breach.response_breach)
        done_res = np.maximum(done_res + np.timedelta64(offset, "s"), tickets.created)
        done_resp = np.maximum(done_resp + np.timedelta64(offset, "s"), tickets.created)
        finished = TicketArrays(
            created=tickets.created,
            first_response=done_resp,
            resolved=done_res,
            pause_ticket=tickets.pause_ticket,
            pause_start=tickets.pause_start,
            pause_end=tickets.pause_end,
        )
        later = compute_sla(calendar, finished, targets, np.datetime64(START + 300 * DAY, "s"))
        # The breach instants do not depend on when (or whether) the ticket was done.
        assert np.array_equal(later.response_breach, breach.response_breach, equal_nan=True)
        assert np.array_equal(later.resolution_breach, breach.resolution_breach, equal_nan=True)
        for status, instant, done in (
            (later.response_status, breach.response_breach, done_resp),
            (later.resolution_status, breach.resolution_breach, done_res),
        ):
            decided = status != Status.NA
            predicted = np.where(np.isnat(instant) | (done < instant), Status.MET, Status.BREACHED)
            assert np.array_equal(status[decided], predicted[decided])


@pytest.mark.parametrize(
    ("pauses", "expected"),
    [
        ([], "2024-09-02T10:00:01"),  # 3,601st working second ends at 10:00:01
        ([("2024-09-02T09:59:59", "2024-09-02T10:30:00")], "2024-09-02T10:30:02"),  # 3,599 s before, 2 after
        ([("2024-09-02T10:00:01", "2024-09-02T10:30:00")], "2024-09-02T10:00:01"),  # starts at the breach: too late
        ([("2024-09-02T09:30:00", "2024-09-02T09:40:00"), ("2024-09-02T09:35:00", "2024-09-02T10:05:00")], "2024-09-02T10:35:01"),
        ([("2024-09-02T08:00:00", "2024-09-02T09:10:00")], "2024-09-02T10:10:01"),  # clipped to creation
        ([("2024-09-02T10:00:00", "2024-09-02T10:30:00")], "2024-09-02T10:30:01"),  # starts in the last second before the breach
        ([("2024-09-02T11:50:00", "2024-09-02T14:00:00")], "2024-09-02T10:00:01"),  # after the breach
        ([("2024-09-02T09:59:59", None)], None),  # still open before the target: the clock stopped
        ([("2024-09-02T11:00:00", None)], "2024-09-02T10:00:01"),  # open, but after the breach
        ([("2024-09-02T09:50:00", "2024-09-02T11:55:00")], "2024-09-02T13:35:01"),  # 3,000 s; 300 s to noon; 301 s after lunch
    ],
)
def test_resolution_breach_by_hand(pauses: list[tuple[str, str | None]], expected: str | None) -> None:
    """Created Monday 2024-09-02 09:00 (Asia/Shanghai), resolution target 1 h, China 5×8."""
    tickets = TicketArrays(
        created=np.array([ts("2024-09-02T09:00:00")], dtype=np.int64).astype("M8[s]"),
        first_response=np.array(["NaT"], dtype="M8[s]"),
        resolved=np.array(["NaT"], dtype="M8[s]"),
        pause_ticket=np.zeros(len(pauses), dtype=np.int64),
        pause_start=np.array([ts(p[0]) for p in pauses], dtype=np.int64).astype("M8[s]"),
        pause_end=np.array([np.datetime64("NaT") if p[1] is None else np.datetime64(ts(p[1]), "s") for p in pauses], dtype="M8[s]"),
    )
    targets = SlaTargets(response_seconds=np.array([900]), resolution_seconds=np.array([3600]))
    result = compute_sla(BusinessCalendar.china(), tickets, targets, np.datetime64(ts("2024-09-02T09:00:00"), "s"))
    want = np.datetime64("NaT") if expected is None else np.datetime64(ts(expected), "s")
    assert np.array_equal(result.resolution_breach, np.array([want], dtype="M8[s]"), equal_nan=True)
    assert result.response_breach[0] == np.datetime64(ts("2024-09-02T09:15:01"), "s")
