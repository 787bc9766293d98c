"""Ticket KPIs, periods and attainment, each checked against a second, naive computation.

The reference implementation below loops over tickets with plain dicts and Fractions and
knows nothing of the vectorized code; the module under test must agree with it exactly.
"""

from __future__ import annotations

import doctest
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsqm.core import kpi
from opsqm.core.kpi import (
    KPI_DEFINITIONS,
    ORG_GROUP,
    TICKET_KPIS,
    Granularity,
    KpiCode,
    KpiValue,
    Period,
    TicketKpiInput,
    attainment,
    compute_mttr_by_priority,
    compute_org_kpis,
    compute_ticket_kpis,
    period_keys,
    periods_between,
    pool_groups,
)

# Status codes as opsqm.core.sla.Status defines them, written out again on purpose.
NA, PENDING, MET, BREACHED = 0, 1, 2, 3

Ticket = dict[str, Any]


# ------------------------------------------------------------------ reference model


def reference_rate(numerator: int, denominator: int) -> tuple[int, int, float | None]:
    return numerator, denominator, float(Fraction(numerator, denominator)) if denominator else None


def reference_mttr(tickets: list[Ticket]) -> tuple[int, int, float | None]:
    resolved = [t for t in tickets if t["resolved"]]
    total = sum(t["seconds"] for t in resolved)
    hours = float(Fraction(total, len(resolved)) / 3600) if resolved else None
    return total, len(resolved), hours


def reference_cell(tickets: list[Ticket]) -> dict[KpiCode, tuple[int, int, float | None]]:
    decided = (MET, BREACHED)
    resolved = [t for t in tickets if t["resolved"]]
    flagged = [t for t in resolved if t["fcr"] in (0, 1)]
    return {
        KpiCode.RESPONSE_TIMELINESS: reference_rate(
            sum(t["response"] == MET for t in tickets),
            sum(t["response"] in decided for t in tickets),
        ),
        KpiCode.RESOLUTION_TIMELINESS: reference_rate(
            sum(t["resolution"] == MET for t in tickets),
            sum(t["resolution"] in decided for t in tickets),
        ),
        KpiCode.SLA_ATTAINMENT: reference_rate(
            sum(t["response"] == MET and t["resolution"] == MET for t in tickets),
            sum(t["response"] in decided and t["resolution"] in decided for t in tickets),
        ),
        KpiCode.RESOLUTION_RATE: reference_rate(len(resolved), len(tickets)),
        KpiCode.MTTR: reference_mttr(tickets),
        KpiCode.REOPEN_RATE: reference_rate(sum(t["reopened"] for t in resolved), len(resolved)),
        KpiCode.FCR: reference_rate(sum(t["fcr"] == 1 for t in flagged), len(flagged)),
    }


def reference_kpis(tickets: list[Ticket]) -> dict[tuple[int, int], dict]:
    cells: dict[tuple[int, int], list[Ticket]] = defaultdict(list)
    for ticket in tickets:
        cells[(ticket["group"], ticket["period"])].append(ticket)
    return {key: reference_cell(cell) for key, cell in cells.items()}


def reference_mttr_by_priority(tickets: list[Ticket]) -> dict[tuple[int, int, int], tuple]:
    cells: dict[tuple[int, int, int], list[Ticket]] = defaultdict(list)
    for ticket in tickets:
        cells[(ticket["group"], ticket["period"], ticket["priority"])].append(ticket)
    return {key: reference_mttr(cell) for key, cell in cells.items()}


def as_input(tickets: list[Ticket]) -> TicketKpiInput:
    def column(name: str, dtype: Any) -> np.ndarray:
        return np.array([t[name] for t in tickets], dtype=dtype)

    return TicketKpiInput(
        group=column("group", np.int64),
        period=column("period", np.int32),
        priority=column("priority", np.int32),
        response_status=column("response", np.int8),
        resolution_status=column("resolution", np.int8),
        resolved_by_cutoff=column("resolved", bool),
        resolution_seconds=column("seconds", np.int64),
        reopened=column("reopened", bool),
        fcr=column("fcr", np.int8),
    )


def flatten(results: dict) -> dict:
    return {key: {code: (v.numerator, v.denominator, v.value) for code, v in cell.items()} for key, cell in results.items()}


def random_tickets(seed: int, count: int, groups: list[int], periods: list[int]) -> list[Ticket]:
    rng = np.random.default_rng(seed)
    tickets = []
    for _ in range(count):
        resolved = bool(rng.random() < 0.7)
        # Some unresolved tickets carry seconds: resolved after the cut-off, must be ignored.
        seconds = int(rng.integers(0, 400_000)) if resolved or rng.random() < 0.2 else -1
        tickets.append(
            {
                "group": int(rng.choice(groups)),
                "period": int(rng.choice(periods)),
                "priority": int(rng.integers(0, 4)),
                "response": int(rng.integers(0, 4)),
                "resolution": int(rng.integers(0, 4)),
                "resolved": resolved,
                "seconds": seconds,
                "reopened": bool(rng.random() < 0.1),
                "fcr": int(rng.integers(-1, 2)),
            }
        )
    return tickets


def ticket(**overrides: Any) -> Ticket:
    base = {
        "group": 1, "period": 202603, "priority": 0, "response": MET, "resolution": MET,
        "resolved": True, "seconds": 3600, "reopened": False, "fcr": -1,
    }  # fmt: skip
    return base | overrides


# ------------------------------------------------------------- ticket KPI agreement


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_matches_the_naive_reference_on_random_tickets(seed: int) -> None:
    tickets = random_tickets(seed, 3000, groups=[3, 8, 11, 40], periods=[202601, 202602, 202612])
    assert flatten(compute_ticket_kpis(as_input(tickets))) == reference_kpis(tickets)


@pytest.mark.parametrize("seed", [4, 5])
def test_mttr_by_priority_matches_the_naive_reference(seed: int) -> None:
    tickets = random_tickets(seed, 2000, groups=[1, 2], periods=[20261, 20262])
    computed = {key: (v.numerator, v.denominator, v.value) for key, v in compute_mttr_by_priority(as_input(tickets)).items()}
    assert computed == reference_mttr_by_priority(tickets)


def resolution_fields(resolved: bool, seconds: int, late: bool) -> dict[str, Any]:
    if resolved:
        return {"resolved": True, "seconds": seconds}
    return {"resolved": False, "seconds": seconds if late else -1}


ticket_strategy = st.builds(
    lambda group, period, priority, response, resolution, fields, reopened, fcr: {
        "group": group,
        "period": period,
        "priority": priority,
        "response": response,
        "resolution": resolution,
        **fields,
        "reopened": reopened,
        "fcr": fcr,
    },  # fmt: skip
    group=st.sampled_from([0, 1, 2, -7, 10**12]),
    period=st.sampled_from([202512, 202601, 202603]),
    priority=st.integers(0, 3),
    response=st.integers(0, 3),
    resolution=st.integers(0, 3),
    fields=st.builds(resolution_fields, st.booleans(), st.integers(0, 10**8), st.booleans()),
    reopened=st.booleans(),
    fcr=st.integers(-1, 1),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(ticket_strategy, max_size=40))
def test_it_matches_the_naive_reference_for_any_tickets(tickets: list[Ticket]) -> None:
    data = as_input(tickets)
    assert flatten(compute_ticket_kpis(data)) == reference_kpis(tickets)
    pooled = [t | {"group": ORG_GROUP} for t in tickets]
    assert flatten(compute_org_kpis(data)) == reference_kpis(pooled)
    by_priority = compute_mttr_by_priority(data)
    assert {k: (v.numerator, v.denominator, v.value) for k, v in by_priority.items()} == (reference_mttr_by_priority(tickets))


def test_it_handles_group_ids_too_sparse_to_pack() -> None:
    tickets = random_tickets(6, 300, groups=[-(2**62), 5, 2**62], periods=[202601, 202602])
    assert flatten(compute_ticket_kpis(as_input(tickets))) == reference_kpis(tickets)


def test_it_sums_resolution_seconds_exactly_beyond_float_precision() -> None:
    # 2**40 s × 5000 tickets passes 2**53, where float sums start to round.
    tickets = [ticket(seconds=2**40 + i) for i in range(5000)]
    mttr = compute_ticket_kpis(as_input(tickets))[(1, 202603)][KpiCode.MTTR]
    assert mttr.numerator == 5000 * 2**40 + sum(range(5000))
    assert (mttr.numerator, mttr.denominator, mttr.value) == reference_mttr(tickets)


def test_cells_and_kpis_come_out_in_a_stable_order() -> None:
    tickets = [ticket(group=g, period=p) for g, p in [(9, 202602), (2, 202603), (9, 202601)]]
    results = compute_ticket_kpis(as_input(tickets))
    assert list(results) == [(2, 202603), (9, 202601), (9, 202602)]
    assert list(results[(2, 202603)]) == list(TICKET_KPIS)


def test_it_returns_nothing_for_no_tickets() -> None:
    data = as_input([])
    assert compute_ticket_kpis(data) == {}
    assert compute_org_kpis(data) == {}
    assert compute_mttr_by_priority(data) == {}


# ------------------------------------------------------------------- formula cases


def test_an_empty_denominator_has_no_value_rather_than_zero_or_one() -> None:
    tickets = [
        ticket(response=PENDING, resolution=PENDING, resolved=False, seconds=-1, fcr=-1),
        ticket(response=NA, resolution=NA, resolved=False, seconds=-1, fcr=-1),
    ]
    cell = compute_ticket_kpis(as_input(tickets))[(1, 202603)]
    for code in (
        KpiCode.RESPONSE_TIMELINESS,
        KpiCode.RESOLUTION_TIMELINESS,
        KpiCode.SLA_ATTAINMENT,
        KpiCode.MTTR,
        KpiCode.REOPEN_RATE,
        KpiCode.FCR,
    ):
        assert cell[code] == KpiValue(0, 0, None), code
    # Nothing resolved out of two created is a real 0 %, not "—".
    assert cell[KpiCode.RESOLUTION_RATE] == KpiValue(0, 2, 0.0)


def test_sla_attainment_leaves_out_pending_and_no_target_tickets() -> None:
    tickets = [
        ticket(response=MET, resolution=MET),
        ticket(response=MET, resolution=BREACHED),
        ticket(response=BREACHED, resolution=PENDING),  # not decided yet: left out
        ticket(response=NA, resolution=MET),  # no response target: left out
    ]
    cell = compute_ticket_kpis(as_input(tickets))[(1, 202603)]
    assert cell[KpiCode.SLA_ATTAINMENT] == KpiValue(1, 2, 0.5)
    assert cell[KpiCode.RESPONSE_TIMELINESS] == KpiValue(2, 3, 2 / 3)
    assert cell[KpiCode.RESOLUTION_TIMELINESS] == KpiValue(2, 3, 2 / 3)


def test_fcr_counts_only_resolved_tickets_whose_source_has_the_flag() -> None:
    tickets = [
        ticket(fcr=1),
        ticket(fcr=0),
        ticket(fcr=-1),  # source without the flag
        ticket(fcr=1, resolved=False, seconds=-1),  # not resolved
    ]
    cell = compute_ticket_kpis(as_input(tickets))[(1, 202603)]
    assert cell[KpiCode.FCR] == KpiValue(1, 2, 0.5)


def test_mttr_is_in_hours_over_tickets_resolved_by_the_cut_off() -> None:
    tickets = [
        ticket(seconds=3600),
        ticket(seconds=9000),
        ticket(resolved=False, seconds=999_999),  # resolved after the cut-off
        ticket(resolved=False, seconds=-1),
    ]
    cell = compute_ticket_kpis(as_input(tickets))[(1, 202603)]
    assert cell[KpiCode.MTTR] == KpiValue(12600, 2, 1.75)
    assert cell[KpiCode.RESOLUTION_RATE] == KpiValue(2, 4, 0.5)


def test_reopen_rate_counts_resolved_tickets_only() -> None:
    tickets = [
        ticket(reopened=True),
        ticket(),
        ticket(),
        ticket(reopened=True, resolved=False, seconds=-1),  # reopened and still open
    ]
    cell = compute_ticket_kpis(as_input(tickets))[(1, 202603)]
    assert cell[KpiCode.REOPEN_RATE] == KpiValue(1, 3, 1 / 3)


def test_org_values_pool_tickets_instead_of_averaging_project_rates() -> None:
    tickets = [ticket(group=1)] + [ticket(group=2, response=BREACHED) for _ in range(9)]
    projects = compute_ticket_kpis(as_input(tickets))
    project_rates = [projects[(g, 202603)][KpiCode.RESPONSE_TIMELINESS].value for g in (1, 2)]
    assert project_rates == [1.0, 0.0]  # their mean would be 0.5

    org = compute_org_kpis(as_input(tickets))
    assert list(org) == [(ORG_GROUP, 202603)]
    assert org[(ORG_GROUP, 202603)][KpiCode.RESPONSE_TIMELINESS] == KpiValue(1, 10, 0.1)


def test_pool_groups_keeps_everything_but_the_group() -> None:
    data = as_input(random_tickets(7, 50, groups=[4, 5], periods=[202601]))
    pooled = pool_groups(data)
    assert set(pooled.group.tolist()) == {ORG_GROUP}
    np.testing.assert_array_equal(pooled.resolution_seconds, data.resolution_seconds)
    np.testing.assert_array_equal(pooled.priority, data.priority)


# ------------------------------------------------------------------ input checking


def test_it_rejects_columns_of_different_lengths() -> None:
    data = as_input([ticket(), ticket()])
    with pytest.raises(ValueError, match="differ in length"):
        TicketKpiInput(**{**data.__dict__, "fcr": np.array([1], dtype=np.int8)})


def test_it_rejects_a_resolved_ticket_without_resolution_seconds() -> None:
    with pytest.raises(ValueError, match="no resolution seconds"):
        as_input([ticket(resolved=True, seconds=-1)])


def test_it_rejects_unknown_status_codes_and_float_columns() -> None:
    with pytest.raises(ValueError, match="outside"):
        as_input([ticket(response=4)])
    data = as_input([ticket()])
    with pytest.raises(TypeError, match="integers"):
        TicketKpiInput(**{**data.__dict__, "resolution_seconds": np.array([1.5])})


def test_it_coerces_plain_lists_to_the_documented_dtypes() -> None:
    data = TicketKpiInput(
        group=[1], period=[202603], priority=[2], response_status=[MET],
        resolution_status=[MET], resolved_by_cutoff=[1], resolution_seconds=[60],
        reopened=[0], fcr=[-1],
    )  # fmt: skip
    assert data.group.dtype == np.int64 and data.period.dtype == np.int32
    assert data.response_status.dtype == np.int8 and data.resolved_by_cutoff.dtype == bool


def test_a_kpi_value_with_an_empty_denominator_cannot_carry_a_value() -> None:
    with pytest.raises(ValueError):
        KpiValue(0, 0, 0.0)


# ------------------------------------------------------------------------- periods


def utc_seconds(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def test_period_keys_use_shanghai_local_time_at_month_and_quarter_ends() -> None:
    instants = [
        "2026-03-31T15:59:59",  # 2026-03-31 23:59:59 local
        "2026-03-31T16:30:00",  # 2026-04-01 00:30 local
        "2025-12-31T15:59:59",  # 2025-12-31 23:59:59 local
        "2025-12-31T16:00:00",  # 2026-01-01 00:00 local
    ]
    seconds = np.array([utc_seconds(text) for text in instants], dtype=np.int64)
    months = period_keys(seconds, "Asia/Shanghai", Granularity.MONTH)
    quarters = period_keys(seconds, "Asia/Shanghai", "quarter")
    assert months.tolist() == [202603, 202604, 202512, 202601]
    assert quarters.tolist() == [20261, 20262, 20254, 20261]
    assert months.dtype == np.int32


def test_period_keys_accept_datetime64_of_any_unit() -> None:
    instants = np.array(["2026-03-31T16:30:00", "2026-03-31T15:59:59.999"], dtype="datetime64[ms]")
    for unit in ("s", "ms", "us", "ns"):
        keys = period_keys(instants.astype(f"datetime64[{unit}]"), "Asia/Shanghai", "month")
        assert keys.tolist() == [202604, 202603]


def test_period_keys_follow_daylight_saving_time() -> None:
    # New York is on EDT (UTC-4) at the end of March: 04:00 UTC on April 1 is local midnight.
    seconds = np.array([utc_seconds("2026-04-01T03:59:59"), utc_seconds("2026-04-01T04:00:00")], dtype=np.int64)
    assert period_keys(seconds, "America/New_York", "month").tolist() == [202603, 202604]
    assert period_keys(seconds, "America/New_York", "quarter").tolist() == [20261, 20262]
    # Berlin is on CEST (UTC+2) then.
    berlin = np.array([utc_seconds("2026-03-31T21:59:59"), utc_seconds("2026-03-31T22:00:00")], dtype=np.int64)
    assert period_keys(berlin, "Europe/Berlin", "month").tolist() == [202603, 202604]


def reference_local_months(seconds: list[int], zone: str) -> list[int]:
    local = [datetime.fromtimestamp(s, ZoneInfo(zone)) for s in seconds]
    return [moment.year * 100 + moment.month for moment in local]


# Zones with DST, half-hour DST (Lord Howe), negative DST (Dublin), frequent changes
# (Casablanca), a skipped day (Apia, 2011-12-30) and Shanghai's own DST years (1986–1991).
DST_CASES = [
    ("Europe/Berlin", "2025-01-01", "2026-12-31"),
    ("America/New_York", "2025-01-01", "2026-12-31"),
    ("America/Sao_Paulo", "2017-10-01", "2019-03-01"),
    ("Australia/Lord_Howe", "2025-01-01", "2026-01-31"),
    ("Europe/Dublin", "2025-01-01", "2025-12-31"),
    ("Africa/Casablanca", "2024-01-01", "2025-12-31"),
    ("Pacific/Apia", "2011-06-01", "2012-06-30"),
    ("Asia/Shanghai", "1986-01-01", "1992-01-01"),
]


@pytest.mark.parametrize(("zone", "first", "last"), DST_CASES)
def test_period_keys_match_zoneinfo_on_a_dense_grid(zone: str, first: str, last: str) -> None:
    # Every half hour and the second before it, so each offset change is hit on both sides.
    grid = np.arange(utc_seconds(f"{first}T00:00:00"), utc_seconds(f"{last}T00:00:00"), 1800)
    seconds = np.concatenate([grid, grid - 1])
    expected = reference_local_months(seconds.tolist(), zone)
    assert period_keys(seconds, zone, "month").tolist() == expected


@settings(max_examples=30, deadline=None)
@given(
    zone=st.sampled_from([case[0] for case in DST_CASES] + ["UTC", "Asia/Kathmandu"]),
    seconds=st.lists(
        st.integers(utc_seconds("1900-01-02T00:00:00"), utc_seconds("2100-12-30T00:00:00")),
        min_size=1,
        max_size=30,
    ),
)
def test_period_keys_match_zoneinfo_for_any_instants(zone: str, seconds: list[int]) -> None:
    months = period_keys(np.array(seconds, dtype=np.int64), zone, "month").tolist()
    assert months == reference_local_months(seconds, zone)
    quarters = period_keys(np.array(seconds, dtype=np.int64), zone, "quarter").tolist()
    assert quarters == [m // 100 * 10 + (m % 100 - 1) // 3 + 1 for m in months]


def test_period_keys_reject_missing_or_fractional_times() -> None:
    with pytest.raises(ValueError, match="NaT"):
        period_keys(np.array(["NaT"], dtype="datetime64[s]"), "Asia/Shanghai", "month")
    with pytest.raises(TypeError):
        period_keys(np.array([1.5]), "Asia/Shanghai", "month")
    assert period_keys(np.array([], dtype=np.int64), "Asia/Shanghai", "month").size == 0


@settings(max_examples=100, deadline=None)
@given(year=st.integers(1, 9999), month=st.integers(1, 12))
def test_period_keys_and_codes_round_trip(year: int, month: int) -> None:
    for period in (Period(year, month=month), Period(year, quarter=(month - 1) // 3 + 1)):
        assert Period.parse(period.key) == period
        assert Period.from_code(period.code, period.granularity) == period
        assert period.contains(period.start_local) and period.contains(period.end_local)
        if year < 9999 or period.end_local.month < 12:
            following = period.next()
            assert following.start_local == period.end_local + timedelta(days=1)
            assert not period.contains(following.start_local)


def test_period_labels_and_bounds() -> None:
    march = Period.parse("2026-03")
    assert (march.key, march.label_zh, march.label_en) == ("2026-03", "2026年3月", "Mar 2026")
    assert (march.start_local, march.end_local) == (date(2026, 3, 1), date(2026, 3, 31))
    q1 = Period.parse("2026-Q1")
    assert (q1.key, q1.label_zh, q1.label_en) == ("2026-Q1", "2026年第1季度", "Q1 2026")
    assert (q1.start_local, q1.end_local) == (date(2026, 1, 1), date(2026, 3, 31))
    assert Period(2024, month=2).end_local == date(2024, 2, 29)
    assert Period(2026, quarter=4).end_local == date(2026, 12, 31)
    assert (march.code, q1.code) == (202603, 20261)


def test_period_of_a_date_and_periods_between() -> None:
    assert Period.of(date(2026, 4, 1), Granularity.QUARTER) == Period(2026, quarter=2)
    assert Period.of(date(2026, 4, 1), "month") == Period(2026, month=4)
    months = periods_between(date(2025, 11, 15), date(2026, 2, 1), Granularity.MONTH)
    assert [p.key for p in months] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    quarters = periods_between(date(2025, 11, 15), date(2026, 2, 1), "quarter")
    assert [p.key for p in quarters] == ["2025-Q4", "2026-Q1"]
    assert periods_between(date(2026, 2, 1), date(2026, 1, 31), "month") == []
    assert sorted([Period(2026, month=2), Period(2025, month=12)])[0] == Period(2025, month=12)


@pytest.mark.parametrize("key", ["2026-3", "2026-13", "2026-Q5", "2026Q1", "26-03", "２０２６-03"])
def test_period_parse_rejects_malformed_keys(key: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(key)


def test_a_period_has_exactly_one_of_month_or_quarter() -> None:
    with pytest.raises(ValueError):
        Period(2026)
    with pytest.raises(ValueError):
        Period(2026, month=3, quarter=1)
    with pytest.raises(TypeError):
        Period(2026, month=True)


def test_periods_want_local_dates_not_datetimes() -> None:
    # datetime.date() of a UTC instant would silently pick the wrong local day.
    with pytest.raises(TypeError):
        Period.of(datetime(2026, 3, 31, 16, 30), "month")
    with pytest.raises(TypeError):
        Period(2026, month=3).contains(datetime(2026, 3, 31, 16, 30))


# ------------------------------------------------------------ catalogue, attainment


def test_the_catalogue_defines_every_kpi_with_its_default_target() -> None:
    assert set(KPI_DEFINITIONS) == set(KpiCode)
    assert all(code is definition.code for code, definition in KPI_DEFINITIONS.items())
    targets = {code: d.default_target for code, d in KPI_DEFINITIONS.items()}
    assert targets == {
        KpiCode.RESPONSE_TIMELINESS: Decimal("0.95"),
        KpiCode.RESOLUTION_TIMELINESS: Decimal("0.90"),
        KpiCode.SLA_ATTAINMENT: Decimal("0.90"),
        KpiCode.RESOLUTION_RATE: Decimal("0.95"),
        KpiCode.MTTR: None,
        KpiCode.REOPEN_RATE: Decimal("0.05"),
        KpiCode.FCR: Decimal("0.70"),
        KpiCode.AVAILABILITY: Decimal("0.995"),
        KpiCode.REPORTS_ON_TIME: Decimal("1"),
        KpiCode.MAJOR_INCIDENTS: Decimal("0"),
        KpiCode.COMPLAINTS: Decimal("2"),
        KpiCode.CUSTOMER_SATISFACTION: Decimal("85"),  # the year's satisfaction rules override it
    }
    lower_better = {c for c, d in KPI_DEFINITIONS.items() if not d.higher_is_better}
    assert lower_better == {KpiCode.MTTR, KpiCode.REOPEN_RATE, KpiCode.MAJOR_INCIDENTS, KpiCode.COMPLAINTS}
    assert KPI_DEFINITIONS[KpiCode.COMPLAINTS].target_window == "year"
    manual = {c for c, d in KPI_DEFINITIONS.items() if d.source == "manual"}
    assert manual == {KpiCode.AVAILABILITY, KpiCode.REPORTS_ON_TIME, KpiCode.MAJOR_INCIDENTS, KpiCode.COMPLAINTS}
    assert {c for c, d in KPI_DEFINITIONS.items() if d.source == "survey"} == {KpiCode.CUSTOMER_SATISFACTION}
    assert KPI_DEFINITIONS[KpiCode.CUSTOMER_SATISFACTION].unit == "分"
    assert TICKET_KPIS == tuple(c for c in KpiCode if c not in manual and c is not KpiCode.CUSTOMER_SATISFACTION)
    with pytest.raises(TypeError):
        KPI_DEFINITIONS[KpiCode.FCR] = KPI_DEFINITIONS[KpiCode.MTTR]  # type: ignore[index]


def test_attainment_for_higher_and_lower_is_better() -> None:
    response = KPI_DEFINITIONS[KpiCode.RESPONSE_TIMELINESS]
    reopen = KPI_DEFINITIONS[KpiCode.REOPEN_RATE]
    assert attainment(response, 0.96, Decimal("0.95")) is True
    assert attainment(response, 0.94, Decimal("0.95")) is False
    assert attainment(reopen, 0.04, Decimal("0.05")) is True
    assert attainment(reopen, 0.06, Decimal("0.05")) is False
    assert attainment(False, 0, Decimal("0")) is True  # no major incident against "≤ 0"
    assert attainment(False, 3, 2) is False
    assert attainment(True, Decimal("0.995"), Decimal("0.995")) is True


def test_a_rate_exactly_on_target_attains_it() -> None:
    # 19/20 as a float is just under Decimal("0.95"); it must still count as 95 %.
    assert 19 / 20 < Decimal("0.95")
    assert attainment(KPI_DEFINITIONS[KpiCode.RESPONSE_TIMELINESS], 19 / 20, Decimal("0.95"))
    assert attainment(KPI_DEFINITIONS[KpiCode.REOPEN_RATE], 1 / 20, Decimal("0.05"))


def test_attainment_is_unknown_without_a_value_or_a_target() -> None:
    definition = KPI_DEFINITIONS[KpiCode.FCR]
    assert attainment(definition, None, Decimal("0.7")) is None
    assert attainment(definition, 0.8, None) is None
    with pytest.raises(TypeError):
        attainment("higher", 0.8, 0.7)  # type: ignore[arg-type]


# ------------------------------------------------------------ module-level promises


def test_status_codes_mirror_the_sla_engine() -> None:
    sla = pytest.importorskip("opsqm.core.sla")
    status = sla.Status
    assert (status.NA, status.PENDING, status.MET, status.BREACHED) == (
        kpi.STATUS_NA, kpi.STATUS_PENDING, kpi.STATUS_MET, kpi.STATUS_BREACHED
    )  # fmt: skip


def test_the_module_examples_run() -> None:
    assert doctest.testmod(kpi).failed == 0


def test_importing_kpi_does_not_load_django() -> None:
    code = "import sys, opsqm.core.kpi; sys.exit('django' in sys.modules)"
    root = Path(__file__).resolve().parents[3]
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0


def test_many_tickets_over_many_groups_fill_every_cell() -> None:
    # Speed is measured in bench/bench_kpi_core.py, not here.
    rng = np.random.default_rng(0)
    n = 200_000
    start = utc_seconds("2025-12-31T16:00:00")
    created = rng.integers(start, start + 365 * 86_400, n)
    resolved = rng.random(n) < 0.8
    periods = period_keys(created, "Asia/Shanghai", Granularity.MONTH)
    data = TicketKpiInput(
        group=rng.integers(1, 51, n),
        period=periods,
        priority=rng.integers(0, 4, n).astype(np.int32),
        response_status=rng.integers(0, 4, n).astype(np.int8),
        resolution_status=rng.integers(0, 4, n).astype(np.int8),
        resolved_by_cutoff=resolved,
        resolution_seconds=np.where(resolved, rng.integers(0, 10**6, n), -1),
        reopened=rng.random(n) < 0.05,
        fcr=rng.integers(-1, 2, n).astype(np.int8),
    )
    results = compute_ticket_kpis(data)
    assert len(results) == 50 * 12
    assert sum(cell[KpiCode.RESOLUTION_RATE].denominator for cell in results.values()) == n
