from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np

from opsqm.core.kpi import TICKET_KPIS, KpiCode, Period
from opsqm.kpis import selectors
from opsqm.kpis.tests.conftest import STORED_CUTOFF, independent_kpis
from opsqm.tickets.models import Ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _local_period(ticket: Ticket, period: Period) -> bool:
    return period.contains(ticket.created_at.astimezone(SHANGHAI).date())


def _db_pairs(data, projects, period) -> dict[str, tuple[int, int]]:
    counters = selectors.counters_for(data, projects, period)
    return {
        code.value: (int(selectors.kpi_value(code, counters).numerator), selectors.kpi_value(code, counters).denominator)
        for code in TICKET_KPIS
    }


def _check(kpi_world, cutoff: dt.datetime | None, at: dt.datetime) -> None:
    data = selectors.year_data(2026, cutoff)
    tickets = list(Ticket.objects.all())
    for period in [Period(2026, quarter=1), Period(2026, month=1), Period(2026, month=2), Period(2026, month=3)]:
        in_period = [t for t in tickets if _local_period(t, period) and t.created_at <= at]
        for project in (kpi_world.project_a, kpi_world.project_b):
            expected = independent_kpis([t for t in in_period if t.project_id == project.pk], at)
            assert _db_pairs(data, [project.pk], period) == expected, (project.code, period.key)
        # Org pools the tickets of all projects.
        assert _db_pairs(data, None, period) == independent_kpis(in_period, at), period.key


def test_it_matches_an_independent_computation_as_of_now(kpi_world):
    data = selectors.year_data(2026)
    _check(kpi_world, None, data.cutoff)


def test_it_matches_an_independent_computation_at_a_historical_cutoff(kpi_world):
    cutoff = selectors.parse_cutoff("2026-01-10")  # end of the local day: 2026-01-10 15:59:59 UTC
    assert cutoff == dt.datetime(2026, 1, 10, 15, 59, 59, tzinfo=dt.UTC)
    _check(kpi_world, cutoff, cutoff)


def test_a_ticket_pending_at_the_stored_cutoff_counts_as_breached_once_overdue(kpi_world):
    a5 = Ticket.objects.get(number="A-5")
    assert a5.resolution_status == 1  # stored pending at STORED_CUTOFF (4 h target, 4 h elapsed)
    at_store = selectors.year_data(2026, STORED_CUTOFF)
    march = Period(2026, month=3)
    value = selectors.kpi_value(KpiCode.RESOLUTION_TIMELINESS, selectors.counters_for(at_store, [a5.project_id], march))
    assert (value.numerator, value.denominator, value.value) == (0, 0, None)
    later = selectors.year_data(2026, STORED_CUTOFF + dt.timedelta(hours=1))
    value = selectors.kpi_value(KpiCode.RESOLUTION_TIMELINESS, selectors.counters_for(later, [a5.project_id], march))
    assert (value.numerator, value.denominator) == (0, 1)


def test_tickets_are_bucketed_by_local_creation_month(kpi_world):
    data = selectors.year_data(2026)
    feb = selectors.counters_for(data, [kpi_world.project_a.pk], Period(2026, month=2))
    assert feb[selectors.C["created"]] == 1  # A-4, created 2026-01-31 UTC but 02-01 in Shanghai


def test_mttr_is_in_business_hours_per_priority(kpi_world):
    data = selectors.year_data(2026)
    q1 = Period(2026, quarter=1)
    p1 = selectors.kpi_value(KpiCode.MTTR, selectors.counters_for(data, [kpi_world.project_a.pk], q1, "P1"))
    assert p1.denominator == 2 and p1.value == (3 + 5) / 2


def test_a_new_open_ticket_counts_at_once(kpi_world):
    data = selectors.year_data(2026)
    before = selectors.counters_for(data, None, Period(2026, quarter=1))[selectors.C["created"]]
    Ticket.objects.create(project=kpi_world.project_a, number="A-99", priority="P1", created_at=kpi_world.jan, updated_at=kpi_world.jan)
    after = selectors.counters_for(selectors.year_data(2026), None, Period(2026, quarter=1))[selectors.C["created"]]
    assert after == before + 1


def test_core_and_page_counters_agree_on_the_stored_statuses(kpi_world):
    """Cross-check with opsqm.core.kpi on the stored statuses of settled tickets."""
    from opsqm.core.kpi import TicketKpiInput, compute_ticket_kpis, period_keys

    rows = list(
        Ticket.objects.filter(resolved_at__lte=STORED_CUTOFF).values_list(
            "project_id",
            "created_at",
            "response_status",
            "resolution_status",
            "resolution_seconds",
            "reopen_count",
            "first_contact_resolution",
        )
    )
    created = np.array([r[1].replace(tzinfo=None) for r in rows], dtype="datetime64[s]")
    core = compute_ticket_kpis(
        TicketKpiInput(
            group=np.array([r[0] for r in rows]),
            period=period_keys(created, "Asia/Shanghai", "quarter"),
            priority=np.zeros(len(rows), dtype=np.int32),
            response_status=np.array([r[2] for r in rows]),
            resolution_status=np.array([r[3] for r in rows]),
            resolved_by_cutoff=np.ones(len(rows), dtype=bool),
            resolution_seconds=np.array([r[4] for r in rows]),
            reopened=np.array([r[5] >= 1 for r in rows]),
            fcr=np.array([-1 if r[6] is None else int(r[6]) for r in rows]),
        )
    )
    data = selectors.year_data(2026)
    b = kpi_world.project_b.pk  # all of B's tickets are settled
    mine = selectors.counters_for(data, [b], Period(2026, quarter=1))
    for code in TICKET_KPIS:
        if code is KpiCode.RESOLUTION_RATE:
            continue
        theirs = core[(b, 20261)][code]
        ours = selectors.kpi_value(code, mine)
        assert (ours.numerator, ours.denominator) == (theirs.numerator, theirs.denominator), code


def test_drill_down_lists_add_up_to_the_kpi_counters(kpi_world):
    from opsqm.org.models import Project

    projects = list(Project.objects.all())
    for cutoff in (None, STORED_CUTOFF):
        for code in TICKET_KPIS:
            for scope, pooled in (([kpi_world.project_a], False), (projects, True)):
                result = selectors.drill_down(scope, Period(2026, quarter=1), code, None, cutoff, pooled=pooled)
                listed = {name: qs.count() for name, qs in result.querysets.items()}
                assert listed == result.counts, (code, cutoff, pooled)
                all_ids = [pk for qs in result.querysets.values() for pk in qs.values_list("pk", flat=True)]
                assert len(all_ids) == len(set(all_ids))  # each ticket in exactly one list
