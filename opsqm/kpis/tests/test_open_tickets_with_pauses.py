"""Open tickets with pauses, stored in an order that is not their id order, evaluated right on
every KPI page and drill-down (issue 8). Checked against plain arithmetic on a 7×24 calendar."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from opsqm.core.kpi import TICKET_KPIS, KpiCode, Period
from opsqm.kpis import selectors
from opsqm.kpis.counters import kpi_counters_refresh
from opsqm.kpis.evaluation import OpenRows, dt64, evaluate, pause_positions
from opsqm.kpis.tests.conftest import TARGETS, _agreement
from opsqm.tickets.models import Ticket, TicketPause
from opsqm.tickets.services import sla_recompute_project

H = dt.timedelta(hours=1)
MET, BREACHED, PENDING = 2, 3, 1

# (number, created h before now, first response h after created, resolved h after created or None,
#  pauses as (start h, end h or None) after created). P1: response 1 h, resolution 4 h.
SPECS = [
    ("T-A", 9, 0.5, None, [(1, 7)]),  # 9 h − 6 h paused = 3 h: pending
    ("T-B", 8, 0.5, None, []),  # 8 h: breached
    ("T-C", 7, 2.0, None, [(2, None)]),  # response breached; paused since +2 h: pending
    ("T-D", 6, 0.5, None, [(1, 2)]),  # 5 h: breached
    ("T-E", 5, 0.5, 4.5, [(0.5, 3.5)]),  # resolved after the stored cut-off, 1.5 h net: met
    ("T-F", 4.5, 0.2, None, [(0.5, 1), (0.8, 2)]),  # overlapping pauses merged: 4.5 − 1.5 = 3 h: pending
    ("T-G", 11, 0.1, None, [(3, 4), (6, 10)]),  # 11 − 5 = 6 h: breached
]


def _overlap(a0, a1, b0, b1) -> float:
    return max(0.0, (min(a1, b1) - max(a0, b0)).total_seconds())


def _paused(created, pauses, stop) -> float:
    """Seconds of the union of the pauses within [created, stop), by brute force over minutes."""
    minutes = int((stop - created).total_seconds() // 60)
    count = 0
    for m in range(minutes):
        at = created + dt.timedelta(minutes=m)
        if any(s <= at < (e or stop) for s, e in pauses):
            count += 1
    return count * 60.0


def independent(tickets, now) -> dict[str, tuple]:
    """Per ticket: (response status, resolution status, resolved, resolution seconds)."""
    out = {}
    for t in tickets:
        resp_target, res_target = TARGETS[t.priority]
        pauses = [(p.start, p.end) for p in t.pauses.all()]
        responded = t.first_response_at or t.resolved_at
        if responded is not None and responded <= now:
            rs = MET if (responded - t.created_at).total_seconds() <= resp_target else BREACHED
        else:
            rs = BREACHED if (now - t.created_at).total_seconds() > resp_target else PENDING
        if t.resolved_at is not None and t.resolved_at <= now:
            net = (t.resolved_at - t.created_at).total_seconds() - _paused(t.created_at, pauses, t.resolved_at)
            out[t.number] = (rs, MET if net <= res_target else BREACHED, True, int(net))
        else:
            net = (now - t.created_at).total_seconds() - _paused(t.created_at, pauses, now)
            out[t.number] = (rs, BREACHED if net > res_target else PENDING, False, -1)
    return out


def expected_kpis(statuses) -> dict[KpiCode, tuple[int, int]]:
    rows = list(statuses.values())
    decided = (MET, BREACHED)
    resolved = [r for r in rows if r[2]]
    return {
        KpiCode.RESPONSE_TIMELINESS: (sum(r[0] == MET for r in rows), sum(r[0] in decided for r in rows)),
        KpiCode.RESOLUTION_TIMELINESS: (sum(r[1] == MET for r in rows), sum(r[1] in decided for r in rows)),
        KpiCode.SLA_ATTAINMENT: (sum(r[0] == MET and r[1] == MET for r in rows), sum(r[0] in decided and r[1] in decided for r in rows)),
        KpiCode.RESOLUTION_RATE: (len(resolved), len(rows)),
        KpiCode.MTTR: (sum(r[3] for r in resolved), len(resolved)),
        KpiCode.REOPEN_RATE: (0, len(resolved)),
        KpiCode.FCR: (0, 0),
    }


@pytest.fixture
def paused_world(world):
    """SPECS in project A, inserted newest first (ids run against creation time), their SLA
    stored by the writer as of one minute after creation (an import that ran while they were open)."""
    _agreement(world.project_a)
    now = timezone.now().replace(microsecond=0)
    for number, ago, resp_h, res_h, pauses in sorted(SPECS, key=lambda s: s[1]):  # newest first → lower id
        created = now - ago * H
        ticket = Ticket.objects.create(
            project=world.project_a,
            number=number,
            priority="P1",
            created_at=created,
            first_response_at=created + resp_h * H,
            resolved_at=None if res_h is None else created + res_h * H,
            updated_at=created,
        )
        for start_h, end_h in pauses:
            TicketPause.objects.create(ticket=ticket, start=created + start_h * H, end=None if end_h is None else created + end_h * H)
        sla_recompute_project(project=world.project_a, cutoff=created + dt.timedelta(minutes=1), ticket_ids=[ticket.pk])
    kpi_counters_refresh(project_id=world.project_a.pk)
    world.now = now
    return world


def _periods_of(tickets) -> dict[Period, list]:
    groups: dict[Period, list] = {}
    for t in tickets:
        local = timezone.localtime(t.created_at).date()
        groups.setdefault(Period(local.year, month=local.month), []).append(t)
    return groups


def test_pauses_land_on_their_own_tickets_whatever_the_row_order():
    ids = np.array([40, 7, 19, 3], dtype=np.int64)
    found, position = pause_positions(ids, np.array([3, 40, 19, 19, 99], dtype=np.int64))
    assert found.tolist() == [True, True, True, True, False]
    assert ids[position].tolist() == [3, 40, 19, 19]


def test_the_evaluation_does_not_depend_on_the_order_of_the_rows(paused_world):
    tickets = list(Ticket.objects.filter(project=paused_world.project_a).prefetch_related("pauses"))
    expected = independent(tickets, paused_world.now)
    random.Random(8).shuffle(tickets)
    pauses = [(t.pk, p.start, p.end) for t in tickets for p in t.pauses.all()]
    random.Random(9).shuffle(pauses)
    rows = OpenRows(
        ids=np.array([t.pk for t in tickets]),
        project=np.array([t.project_id for t in tickets]),
        priority=[t.priority for t in tickets],
        created=dt64([t.created_at for t in tickets]),
        first_response=dt64([t.first_response_at for t in tickets]),
        resolved=dt64([t.resolved_at for t in tickets]),
        reopened=np.zeros(len(tickets), bool),
        fcr=np.full(len(tickets), -1, np.int8),
        months=np.zeros(len(tickets), np.int64),
        pause_ticket=np.array([p[0] for p in pauses]),
        pause_start=dt64([p[1] for p in pauses]),
        pause_end=dt64([p[2] for p in pauses]),
    )
    result = evaluate(rows, paused_world.now)
    got = {
        t.number: (
            int(result.response_status[i]),
            int(result.resolution_status[i]),
            bool(result.resolved[i]),
            int(result.resolution_seconds[i]),
        )
        for i, t in enumerate(tickets)
    }
    assert got == expected


def test_kpi_values_of_open_paused_tickets_match_a_second_computation(paused_world):
    tickets = list(Ticket.objects.filter(project=paused_world.project_a).prefetch_related("pauses"))
    for period, members in _periods_of(tickets).items():
        data = selectors.year_data(period.year)
        expected = expected_kpis(independent(members, data.cutoff))
        counters = selectors.counters_for(data, [paused_world.project_a.pk], period)
        got = {
            code: (int(selectors.kpi_value(code, counters).numerator), selectors.kpi_value(code, counters).denominator)
            for code in TICKET_KPIS
        }
        assert got == expected


def test_every_kpi_page_shows_the_second_computations_values(paused_world, login):
    client = login(paused_world.qm)
    tickets = list(Ticket.objects.filter(project=paused_world.project_a).prefetch_related("pauses"))
    for period, members in _periods_of(tickets).items():
        expected = expected_kpis(independent(members, timezone.now()))
        query = f"?granularity=month&year={period.year}&period={period.key}"
        overview = client.get(reverse("kpis:overview") + query)
        assert overview.status_code == 200
        (row,) = [r for r in overview.context["rows"] if not r.is_org and r.scope.pk == paused_world.project_a.pk]
        shown = {c.code: (int(c.value.numerator), c.value.denominator) for c in row.cells if c.code in TICKET_KPIS}
        assert shown == expected
        page = client.get(reverse("kpis:project", args=[paused_world.project_a.pk]) + f"?granularity=month&year={period.year}")
        assert page.status_code == 200
        (rows,) = [rows for p, rows in page.context["sections"] if p == period]
        shown = {c.code: (int(c.value.numerator), c.value.denominator) for c in rows[0].cells if c.code in TICKET_KPIS}
        assert shown == expected


def test_every_drill_down_lists_each_open_ticket_where_the_second_computation_puts_it(paused_world, login):
    client = login(paused_world.qm)
    tickets = list(Ticket.objects.filter(project=paused_world.project_a).prefetch_related("pauses"))
    for period, members in _periods_of(tickets).items():
        statuses = independent(members, timezone.now())
        for code in (KpiCode.RESPONSE_TIMELINESS, KpiCode.RESOLUTION_TIMELINESS, KpiCode.SLA_ATTAINMENT, KpiCode.RESOLUTION_RATE):
            listed = {}
            for show in ("num", "den", "out"):
                url = reverse("kpis:drill", args=[str(paused_world.project_a.pk), code.value, period.key])
                response = client.get(url + f"?show={show}")
                assert response.status_code == 200
                listed[show] = {row["ticket"].number for row in response.context["tickets"]}
            if code is KpiCode.RESPONSE_TIMELINESS:
                pick = [lambda s: s[0] == MET, lambda s: s[0] == BREACHED]
            elif code is KpiCode.RESOLUTION_TIMELINESS:
                pick = [lambda s: s[1] == MET, lambda s: s[1] == BREACHED]
            elif code is KpiCode.SLA_ATTAINMENT:
                pick = [
                    lambda s: s[0] == MET and s[1] == MET,
                    lambda s: s[0] in (MET, BREACHED) and s[1] in (MET, BREACHED) and BREACHED in s[:2],
                ]
            else:
                pick = [lambda s: s[2], lambda s: not s[2]]
            want_num = {n for n, s in statuses.items() if pick[0](s)}
            want_den = {n for n, s in statuses.items() if pick[1](s)}
            assert listed["num"] == want_num, code
            assert listed["den"] == want_den, code
            assert listed["out"] == set(statuses) - want_num - want_den, code


def test_an_outsider_cannot_drill_into_the_paused_tickets(paused_world, login):
    client = login(paused_world.outsider)
    period = Period.of(timezone.localdate(), "month")
    url = reverse("kpis:drill", args=[str(paused_world.project_a.pk), "resolution_timeliness", period.key])
    assert client.get(url).status_code == 404


def test_the_drill_down_and_the_ticket_list_name_sla_statuses_alike(paused_world, login):
    from opsqm.tickets.models import SlaStatus

    client = login(paused_world.qm)
    period = _periods_of(list(Ticket.objects.filter(number="T-A")))
    (key,) = [p.key for p in period]
    drill = client.get(
        reverse("kpis:drill", args=[str(paused_world.project_a.pk), "resolution_timeliness", key]) + "?show=out"
    ).content.decode()
    tickets = client.get(reverse("tickets:ticket_list", args=[paused_world.project_a.pk])).content.decode()
    for page in (drill, tickets):
        assert str(SlaStatus.PENDING.label) in page
        assert "待定" not in page
