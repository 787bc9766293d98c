"""Open tickets counted in SQL from their breach instants (opsqm.kpis.open_status) agree with
the SLA engine run over the same tickets at the same cut-off — on a China 5×8 calendar, with
overlapping, still-open and pre-creation pauses, tickets stored in shuffled id order by the
writer at an earlier cut-off, and cut-offs before, at and after now."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from opsqm.core.kpi import TICKET_KPIS, KpiCode, Period
from opsqm.kpis import open_status
from opsqm.kpis.counters import stored_cells
from opsqm.kpis.drilldown import DENOMINATOR_ONLY, EXCLUDED, NUMERATOR, _category_open
from opsqm.kpis.evaluation import evaluate, open_cells, open_rows
from opsqm.kpis.selectors import _projects_by_tz, drill_down
from opsqm.tickets.models import Calendar, SlaAgreement, SlaPriority, Ticket, TicketPause
from opsqm.tickets.services import sla_recompute_project

H = 3600
TARGETS = {"P1": (900, 4 * H), "P2": (2 * H, 8 * H), "P3": (4 * H, 27_000), "P4": (8 * H, 40 * H)}


# How many clocks turn between the stored cut-off (three days before) and each test cut-off
# depends on the working days in between, so the world sits at a fixed Wednesday afternoon
# (Beijing time) in the past: anchored to the real now, the suite found 2 turned tickets at
# -30 h on a Monday.
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(dt.UTC)


@pytest.fixture
def open_world(world):
    project = world.project_a
    agreement = SlaAgreement.objects.create(project=project, calendar=Calendar.objects.get(code="cn-5x8"))
    for order, (code, (resp, res)) in enumerate(TARGETS.items()):
        SlaPriority.objects.create(agreement=agreement, code=code, name=code, response_seconds=resp, resolution_seconds=res, order=order)
    rng = random.Random(20261129)
    now = NOW
    specs = []
    for i in range(160):
        created = now - dt.timedelta(seconds=rng.randint(0, 12 * 86_400))
        roll = rng.random()
        first = None if roll < 0.3 else created + dt.timedelta(seconds=rng.randint(0, 30 * H))  # some in the future
        priority = rng.choice([*TARGETS, "X9"])  # X9: no target
        specs.append((f"O-{i:03d}", created, first, priority))
    rng.shuffle(specs)  # ids do not follow creation time
    for number, created, first, priority in specs:
        ticket = Ticket.objects.create(
            project=project,
            number=number,
            priority=priority,
            created_at=created,
            first_response_at=first,
            updated_at=created,
            reopen_count=rng.choice([0, 0, 1]),
            first_contact_resolution=rng.choice([None, True, False]),
        )
        for _ in range(rng.choice([0, 0, 1, 2])):
            start = created + dt.timedelta(seconds=rng.randint(-H, 3 * 86_400))
            end = None if rng.random() < 0.3 else start + dt.timedelta(seconds=rng.randint(60, 2 * 86_400))
            TicketPause.objects.create(ticket=ticket, start=start, end=end)
    sla_recompute_project(project=project, cutoff=now - dt.timedelta(days=3))  # stored as of three days ago
    world.now = now
    return world


def _engine_cells(year: int, by_tz, cutoff: dt.datetime):
    """The second computation: every ticket not resolved by `cutoff` read and run through the engine."""
    return {k: v.tolist() for k, v in open_cells(evaluate(open_rows(year, by_tz, cutoff), cutoff), year, cutoff).items()}


def _kept_plus_sql(year: int, by_tz, cutoff: dt.datetime):
    """What the pages count (selectors.year_data, at `cutoff`): the kept counters (open tickets
    as of their stored cut-off), plus what turned since (SQL), plus the rest (created after
    the stored cut-off) evaluated by the engine."""
    merged = dict(stored_cells(year))
    rest = open_cells(evaluate(open_rows(year, by_tz, None), cutoff), year, cutoff)
    for part in (open_status.flip_cells(year, by_tz, cutoff), rest):
        for key, vector in part.items():
            merged[key] = merged.get(key, 0) + vector
    return {k: v.tolist() for k, v in merged.items()}


@pytest.mark.parametrize("shift_hours", [-30, -1, 0, 5, 26, 24 * 9])
def test_sql_counts_equal_the_engine_at_the_same_cutoff(open_world, shift_hours):
    cutoff = open_world.now + dt.timedelta(hours=shift_hours)
    by_tz = _projects_by_tz([open_world.project_a.pk])
    years = {timezone.localtime(t).year for t in Ticket.objects.values_list("created_at", flat=True)}
    for year in years:
        assert _kept_plus_sql(year, by_tz, cutoff) == _engine_cells(year, by_tz, cutoff)
    kept = Ticket.objects.filter(open_status.OPEN_Q)
    turned = kept.filter(open_status.turned_q(cutoff)).count()
    assert kept.count() > 100 and 5 < turned < kept.count()  # through SQL, some turned since the stored cut-off


def test_the_drill_down_puts_each_open_ticket_where_the_engine_does(open_world, login):
    project = open_world.project_a
    client = login(open_world.qm)
    months = sorted({(c.year, c.month) for c in (timezone.localtime(t) for t in Ticket.objects.values_list("created_at", flat=True))})
    for year, month in months:
        period = Period(year, month=month)
        for code in TICKET_KPIS:
            result = drill_down([project], period, code, None, None)
            rows = open_rows(year, _projects_by_tz([project.pk]), result.cutoff)  # every open ticket, by the engine
            evaluated = evaluate(rows, result.cutoff)
            categories = _category_open(code, evaluated)
            in_period = np.array(
                [
                    timezone.localtime(t).month == month
                    for t in Ticket.objects.filter(pk__in=rows.ids.tolist()).order_by("id").values_list("created_at", flat=True)
                ]
            )
            order = np.argsort(rows.ids)
            for name in (NUMERATOR, DENOMINATOR_ONLY, EXCLUDED):
                expected = {int(rows.ids[i]) for i in order[in_period] if categories[i] == name}
                listed = set(result.querysets[name].values_list("pk", flat=True))
                assert listed == expected, (code, name)
                assert len(listed) == result.counts[name], (code, name)
        # The page lists them with their statuses as of now.
        response = client.get(reverse("kpis:drill", args=[str(project.pk), KpiCode.RESOLUTION_TIMELINESS.value, period.key]) + "?show=den")
        assert response.status_code == 200


def test_sql_and_engine_agree_to_the_second_at_breach_instants(open_world):
    """Stored two hours ago by the writer, then: first responses that arrived after the stored
    cut-off (one before, one at its breach instant), and cut-offs exactly at stored breach
    instants and one second before — the edges of every comparison."""
    project = open_world.project_a
    stored_at = open_world.now - dt.timedelta(hours=2)
    sla_recompute_project(project=project, cutoff=stored_at)
    kept = Ticket.objects.filter(project=project).filter(open_status.OPEN_Q)
    waiting = list(kept.filter(response_status=1, response_breach_at__gt=stored_at + dt.timedelta(minutes=20)).order_by("id")[:4])
    assert len(waiting) == 4
    for i, ticket in enumerate(waiting):  # answered after the stored cut-off: no writer ran since
        at = stored_at + dt.timedelta(minutes=10) if i < 2 else ticket.response_breach_at - dt.timedelta(seconds=i % 2)
        Ticket.objects.filter(pk=ticket.pk).update(first_response_at=at)
    by_tz = _projects_by_tz([project.pk])
    instants = list(kept.filter(resolution_status=1, resolution_breach_at__gt=stored_at).values_list("resolution_breach_at", flat=True)[:4])
    instants += list(kept.filter(response_status=1, response_breach_at__gt=stored_at).values_list("response_breach_at", flat=True)[:4])
    instants += [w.response_breach_at for w in waiting[2:]]
    assert len(instants) == 10
    for instant in instants:
        for cutoff in (instant - dt.timedelta(seconds=1), instant):
            for year in {timezone.localtime(t).year for t in Ticket.objects.values_list("created_at", flat=True)}:
                assert _kept_plus_sql(year, by_tz, cutoff) == _engine_cells(year, by_tz, cutoff), cutoff
