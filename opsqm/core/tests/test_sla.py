"""SLA engine: hand-computed golden tickets, pause merging, and a brute-force check.

Calendar for the golden tickets: China 5×8, 09:00-12:00 and 13:30-18:00 (7.5 h a day).
All times below are Asia/Shanghai wall times unless they say otherwise.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsqm.core.calendars import BusinessCalendar
from opsqm.core.sla import SlaResult, SlaTargets, Status, TicketArrays, compute_sla, merge_pauses
from opsqm.core.tests.test_calendars import ReferenceCalendar, _china_reference, ts

NAT = None
H = 3600


def at(text: str | None) -> int | None:
    return None if text is None else ts(text)


def utc(values: list[int | None]) -> np.ndarray:
    return np.array([np.datetime64("NaT") if v is None else np.datetime64(v, "s") for v in values], dtype="M8[s]")


def tickets(rows: list[tuple], pauses: list[tuple] = ()) -> TicketArrays:
    """rows: (created, first_response, resolved); pauses: (ticket, start, end)."""
    return TicketArrays(
        created=utc([at(r[0]) for r in rows]),
        first_response=utc([at(r[1]) for r in rows]),
        resolved=utc([at(r[2]) for r in rows]),
        pause_ticket=np.array([p[0] for p in pauses], dtype=np.int64),
        pause_start=utc([at(p[1]) for p in pauses]),
        pause_end=utc([at(p[2]) for p in pauses]),
    )


def targets(pairs: list[tuple[int, int]]) -> SlaTargets:
    return SlaTargets(
        response_seconds=np.array([p[0] for p in pairs], dtype=np.int64),
        resolution_seconds=np.array([p[1] for p in pairs], dtype=np.int64),
    )


@pytest.fixture(scope="module")
def china() -> BusinessCalendar:
    return BusinessCalendar.china()


CUTOFF = np.datetime64(ts("2024-03-15T10:00:00"), "s")  # a Friday morning

GOLDEN_ROWS = [
    # 0: created Fri 17:30, answered Mon 09:15, resolved Mon 15:00.
    ("2024-03-01T17:30:00", "2024-03-04T09:15:00", "2024-03-04T15:00:00"),
    # 1: overlapping pauses, one before creation, one past resolution.
    ("2024-03-04T09:00:00", "2024-03-04T09:10:00", "2024-03-06T12:00:00"),
    # 2: resolved without a first response.
    ("2024-03-05T16:00:00", NAT, "2024-03-05T17:00:00"),
    # 3: open at the cut-off, created an hour before it.
    ("2024-03-15T09:00:00", NAT, NAT),
    # 4: answered only after the cut-off.
    ("2024-03-14T17:00:00", "2024-03-15T11:00:00", NAT),
    # 5: resolved after the cut-off, with a closed and a still-open pause.
    ("2024-03-14T09:00:00", "2024-03-14T09:30:00", "2024-03-15T12:00:00"),
    # 6: no targets at all.
    ("2024-03-07T09:00:00", "2024-03-07T09:05:00", "2024-03-07T09:30:00"),
    # 7: bad data, resolved before created.
    ("2024-03-06T10:00:00", NAT, "2024-03-06T09:00:00"),
    # 8: empty and reversed pause rows are ignored.
    ("2024-03-07T09:00:00", "2024-03-07T09:01:00", "2024-03-07T10:00:00"),
]
GOLDEN_PAUSES = [
    (1, "2024-03-04T10:00:00", "2024-03-04T14:00:00"),
    (1, "2024-03-04T11:00:00", "2024-03-05T10:00:00"),
    (1, "2024-03-06T11:30:00", "2024-03-06T13:00:00"),
    (1, "2024-03-04T08:00:00", "2024-03-04T09:30:00"),
    (5, "2024-03-14T13:30:00", "2024-03-14T18:00:00"),
    (5, "2024-03-15T09:30:00", NAT),
    (8, "2024-03-07T09:30:00", "2024-03-07T09:30:00"),
    (8, "2024-03-07T09:50:00", "2024-03-07T09:40:00"),
]
GOLDEN_TARGETS = [
    (1800, 4 * H),
    (1800, 10 * H),
    (H, H),
    (2 * H, 1800),
    (2 * H, 8 * H),
    (H, 3 * H),
    (-1, -1),
    (0, 0),
    (H, H),
]


@pytest.fixture(scope="module")
def golden(china) -> SlaResult:
    return compute_sla(china, tickets(GOLDEN_ROWS, GOLDEN_PAUSES), targets(GOLDEN_TARGETS), CUTOFF)


def test_golden_response_times(golden):
    assert golden.response_seconds.tolist() == [
        1800 + 900,  # 0: Fri 17:30-18:00, Mon 09:00-09:15
        600,  # 1
        H,  # 2: responded at its resolution, 16:00-17:00
        -1,  # 3: not yet
        -1,  # 4: 11:00 is after the 10:00 cut-off
        1800,  # 5
        300,  # 6
        0,  # 7: resolved "before" created counts as nothing, never negative
        60,  # 8
    ]
    assert golden.response_elapsed.tolist()[3:5] == [H, H + H]  # 4: Thu 17-18 and Fri 09-10


def test_golden_resolution_times_and_pauses(golden):
    # 1: gross Mon 09:00 → Wed 12:00 = 7.5 + 7.5 + 3 = 18 h. Pauses after clipping to
    #    [created, resolved) and merging: 09:00-09:30, Mon 10:00 → Tue 10:00 (2 + 4.5 + 1
    #    = 7.5 h), Wed 11:30-12:00: 8.5 h in all, so 9.5 h net.
    # 5: unresolved at the cut-off: gross Thu 09:00 → Fri 10:00 = 8.5 h; pauses Thu
    #    13:30-18:00 (4.5 h) and the open one Fri 09:30-10:00 (0.5 h): 3.5 h net.
    assert golden.resolution_seconds.tolist() == [
        1800 + 3 * H + 5400,  # 0: Fri 17:30-18:00, Mon 09:00-12:00, 13:30-15:00
        int(9.5 * H),
        H,
        -1,
        -1,
        -1,
        1800,
        0,
        H,  # 8: no pause counted
    ]
    assert golden.paused_seconds.tolist() == [0, int(8.5 * H), 0, 0, 0, 5 * H, 0, 0, 0]
    assert golden.resolution_elapsed.tolist()[3:6] == [H, 2 * H, int(3.5 * H)]


def test_golden_statuses(golden):
    assert golden.response_status.tolist() == [
        Status.BREACHED,  # 0: 45 min > 30 min
        Status.MET,
        Status.MET,  # 2: exactly the target is met
        Status.PENDING,  # 3: 1 h elapsed of 2 h
        Status.PENDING,  # 4: 2 h elapsed, not more than 2 h
        Status.MET,
        Status.NA,
        Status.MET,  # 7: 0 ≤ 0
        Status.MET,
    ]
    assert golden.resolution_status.tolist() == [
        Status.BREACHED,  # 0: 5 h > 4 h
        Status.MET,  # 1: 9.5 h ≤ 10 h thanks to the pauses
        Status.MET,
        Status.BREACHED,  # 3: 1 h elapsed already beyond 30 min
        Status.PENDING,
        Status.BREACHED,  # 5: 3.5 h net elapsed > 3 h
        Status.NA,
        Status.MET,
        Status.MET,
    ]
    assert golden.response_status.dtype == np.int8 and golden.resolution_status.dtype == np.int8


def _shanghai_text(values: np.ndarray) -> list[str | None]:
    return [
        None if np.isnat(v) else (datetime(1970, 1, 1) + timedelta(seconds=int(v.astype(np.int64)) + 8 * H)).isoformat() for v in values
    ]


def test_golden_deadlines_ignore_pauses(golden):
    assert _shanghai_text(golden.response_deadline) == [
        "2024-03-01T18:00:00",  # 0: 30 min ends exactly at Friday's close
        "2024-03-04T09:30:00",
        "2024-03-05T17:00:00",
        "2024-03-15T11:00:00",
        "2024-03-15T10:00:00",  # 4: Thu 17-18, then Fri 09-10
        "2024-03-14T10:00:00",
        None,  # 6: no target
        "2024-03-06T10:00:00",  # 7: a zero target is due at creation
        "2024-03-07T10:00:00",
    ]
    assert _shanghai_text(golden.resolution_deadline) == [
        "2024-03-04T14:00:00",  # 0: 0.5 h Fri, 3 h Mon morning, 0.5 h after lunch
        "2024-03-05T11:30:00",  # 1: 7.5 h Mon + 2.5 h Tue, the pauses do not move it
        "2024-03-05T17:00:00",
        "2024-03-15T09:30:00",
        "2024-03-15T17:30:00",  # 4: 1 h Thu + 3 h + 4 h Fri
        "2024-03-14T12:00:00",
        None,
        "2024-03-06T10:00:00",
        "2024-03-07T10:00:00",
    ]
    assert golden.response_deadline.dtype == np.dtype("M8[s]")


def test_merge_pauses_unions_overlapping_and_touching_intervals():
    ticket = np.array([2, 0, 0, 0, 1, 1, 2])
    start = utc([10, 0, 5, 20, 7, 3, 12])
    end = utc([11, 6, 20, 25, 9, 3, 15])
    merged = merge_pauses(ticket, start, end)
    assert merged[0].tolist() == [0, 1, 2, 2]
    assert merged[1].astype(np.int64).tolist() == [0, 7, 10, 12]
    assert merged[2].astype(np.int64).tolist() == [25, 9, 11, 15]
    empty = merge_pauses(np.array([], np.int64), utc([]), utc([]))
    assert [len(a) for a in empty] == [0, 0, 0]


def test_merge_pauses_never_joins_pauses_of_different_tickets():
    # Ticket 0's long pause must not swallow ticket 1's that starts inside it.
    merged = merge_pauses(np.array([0, 1, 1]), utc([0, 5, 50]), utc([100, 10, 60]))
    assert merged[0].tolist() == [0, 1, 1]
    assert merged[2].astype(np.int64).tolist() == [100, 10, 60]


PAUSE_ROWS = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 40), st.integers(-5, 15)), max_size=12)


@settings(max_examples=150, deadline=None)
@given(rows=PAUSE_ROWS)
def test_merged_pauses_cover_exactly_the_union_and_are_disjoint(rows):
    ticket = np.array([r[0] for r in rows], dtype=np.int64)
    start = utc([r[1] for r in rows])
    end = utc([r[1] + r[2] for r in rows])
    merged_ticket, merged_start, merged_end = merge_pauses(ticket, start, end)
    covered = {(t, x) for t, a, n in rows for x in range(a, a + n)}
    merged = list(zip(merged_ticket.tolist(), merged_start.astype(np.int64).tolist(), merged_end.astype(np.int64).tolist()))
    assert {(t, x) for t, a, b in merged for x in range(a, b)} == covered
    assert merged == sorted(merged)
    for (t0, _, b0), (t1, a1, _) in zip(merged, merged[1:]):
        assert t0 != t1 or b0 < a1  # touching intervals would have been joined


def test_it_rejects_inconsistent_arrays(china):
    rows = tickets([("2024-03-01T09:00:00", NAT, NAT)], [(3, "2024-03-01T09:00:00", "2024-03-01T10:00:00")])
    with pytest.raises(ValueError, match="pause_ticket"):
        compute_sla(china, rows, targets([(H, H)]), CUTOFF)
    with pytest.raises(ValueError, match="targets"):
        compute_sla(china, tickets([("2024-03-01T09:00:00", NAT, NAT)]), targets([]), CUTOFF)


def test_it_handles_no_tickets(china):
    result = compute_sla(china, tickets([]), targets([]), CUTOFF)
    assert result.response_seconds.shape == (0,) and result.resolution_deadline.shape == (0,)


# ------------------------------------------------------------------ brute force


def _reference_net(ref: ReferenceCalendar, t0: int, t1: int, pauses: list[tuple[int, int]]) -> int:
    """Working seconds in [t0, t1) outside every pause, cut at minute and pause edges."""
    if t1 <= t0:
        return 0
    cuts = {t0, t1} | {x for a, b in pauses for x in (a, b) if t0 < x < t1}
    cuts |= set(range((t0 // 60 + 1) * 60, t1, 60))
    edges = sorted(cuts)
    total = 0
    for a, b in zip(edges, edges[1:]):
        if ref.works_at(a) and not any(p0 <= a < p1 for p0, p1 in pauses):
            total += b - a
    return total


def _reference_status(target: int, done: bool, elapsed: int) -> Status:
    if target < 0:
        return Status.NA
    if done:
        return Status.MET if elapsed <= target else Status.BREACHED
    return Status.BREACHED if elapsed > target else Status.PENDING


def test_compute_sla_matches_brute_force_on_random_tickets(china):
    ref = _china_reference()
    rng = np.random.default_rng(2024_10_01)
    base = ts("2024-09-26T08:00:00")  # runs across the 国庆 holiday and its 调休 days
    cut = base + 12 * 86400
    count = 60
    created = [base + int(rng.integers(0, 11 * 86400)) for _ in range(count)]

    def maybe_after(t: int, p_missing: float) -> int | None:
        return None if rng.random() < p_missing else t + int(rng.integers(-600, 4 * 86400))

    first = [maybe_after(c, 0.3) for c in created]
    resolved = [maybe_after(c, 0.3) for c in created]
    pauses = []
    for i, c in enumerate(created):
        for _ in range(int(rng.integers(0, 4))):
            start = c + int(rng.integers(-7200, 3 * 86400))
            end = None if rng.random() < 0.15 else start + int(rng.integers(-1800, 86400))
            pauses.append((i, start, end))
    goals = [(int(rng.choice([-1, 0, 1800, 4 * H])), int(rng.choice([-1, 2 * H, 8 * H, 16 * H]))) for _ in created]
    arrays = TicketArrays(
        created=utc(created),
        first_response=utc(first),
        resolved=utc(resolved),
        pause_ticket=np.array([p[0] for p in pauses], dtype=np.int64),
        pause_start=utc([p[1] for p in pauses]),
        pause_end=utc([p[2] for p in pauses]),
    )
    result = compute_sla(china, arrays, targets(goals), np.datetime64(cut, "s"))

    for i, c in enumerate(created):
        happened = lambda t: t is not None and t <= cut  # noqa: E731
        is_resolved = happened(resolved[i])
        response_at = first[i] if happened(first[i]) else (resolved[i] if is_resolved else None)
        response = ref.business(c, response_at) if response_at is not None else None
        response_elapsed = response if response is not None else ref.business(c, cut)
        stop = resolved[i] if is_resolved else cut
        own = [(max(a, c), min(cut if b is None else b, stop)) for t, a, b in pauses if t == i]
        own = [(a, b) for a, b in own if a < b]
        net = _reference_net(ref, c, stop, own)
        paused = ref.business(c, stop) - net if stop > c else 0
        assert result.response_seconds[i] == (response if response is not None else -1), i
        assert result.response_elapsed[i] == response_elapsed, i
        assert result.resolution_seconds[i] == (net if is_resolved else -1), i
        assert result.resolution_elapsed[i] == net, i
        assert result.paused_seconds[i] == paused, i
        assert result.response_status[i] == _reference_status(goals[i][0], response is not None, response_elapsed), i
        assert result.resolution_status[i] == _reference_status(goals[i][1], is_resolved, net), i
        for goal, deadline in ((goals[i][0], result.response_deadline[i]), (goals[i][1], result.resolution_deadline[i])):
            expected = None if goal < 0 else ref.deadline(c, goal)
            assert (None if np.isnat(deadline) else int(deadline.astype(np.int64))) == expected, i
