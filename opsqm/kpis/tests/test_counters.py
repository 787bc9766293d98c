"""The counters kept on write: a partial (by month) refresh equals a full recount, both equal a
count of the settled tickets done by hand, and open tickets are never in them."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db.models import Q

from opsqm.core.kpi import COUNTERS
from opsqm.kpis.counters import kpi_counters_refresh, month_dates, stored_cells
from opsqm.kpis.models import KpiCounter
from opsqm.kpis.tests.conftest import STORED_CUTOFF
from opsqm.tickets.models import Ticket

C = {name: i for i, name in enumerate(COUNTERS)}


def _by_hand(project) -> dict[tuple[int, str], dict[str, int]]:
    out: dict[tuple[int, str], dict[str, int]] = {}
    for t in Ticket.objects.filter(project=project):
        resolved = (
            t.resolved_at is not None and t.sla_cutoff is not None and t.resolution_seconds is not None and t.resolved_at <= t.sla_cutoff
        )
        # Open tickets are kept as they stood at their stored cut-off (if created by then).
        kept_open = t.resolved_at is None and t.sla_cutoff is not None and t.created_at <= t.sla_cutoff
        if not (resolved or kept_open):
            continue
        local = t.created_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
        cell = out.setdefault((local.year * 100 + local.month, t.priority), dict.fromkeys(COUNTERS, 0))
        rs, ss = t.response_status, t.resolution_status
        cell["created"] += 1
        cell["resp_met"] += rs == 2
        cell["resp_decided"] += rs in (2, 3)
        cell["res_met"] += ss == 2
        cell["res_decided"] += ss in (2, 3)
        cell["both_met"] += rs == 2 and ss == 2
        cell["both_decided"] += rs in (2, 3) and ss in (2, 3)
        if not resolved:
            continue
        cell["resolved"] += 1
        cell["reopened"] += t.reopen_count >= 1
        cell["fcr_known"] += t.first_contact_resolution is not None
        cell["fcr_yes"] += t.first_contact_resolution is True
        cell["res_seconds"] += t.resolution_seconds
    return out


def _stored(project) -> dict[tuple[int, str], dict[str, int]]:
    return {(month, prio): {k: int(v[C[k]]) for k in COUNTERS} for (pk, month, prio), v in stored_cells(2026, [project.pk]).items()}


def test_the_kept_counters_equal_a_count_by_hand(kpi_world):
    for project in (kpi_world.project_a, kpi_world.project_b):
        assert _stored(project) == _by_hand(project)


def test_a_refresh_of_some_months_leaves_the_others_and_equals_a_full_recount(kpi_world):
    project = kpi_world.project_a
    before = _stored(project)
    t = Ticket.objects.get(number="A-1")
    t.reopen_count = 3  # January
    t.save()
    kpi_counters_refresh(project_id=project.pk, months=[dt.date(2026, 2, 1)])
    assert _stored(project) == before  # January not asked for: unchanged
    kpi_counters_refresh(
        project_id=project.pk, months=month_dates(np.array([t.created_at.replace(tzinfo=None)], dtype="datetime64[s]"), project.time_zone)
    )
    partial = _stored(project)
    assert partial != before
    kpi_counters_refresh(project_id=project.pk)
    assert _stored(project) == partial == _by_hand(project)


def test_open_tickets_are_kept_as_they_stood_at_their_stored_cutoff(kpi_world):
    """A-4 (overdue both ways) and A-5 (resolution pending then) are both in the kept counters."""
    assert Ticket.objects.filter(resolved_at__isnull=True).count() == 2
    total = sum(r.created for r in KpiCounter.objects.all())
    resolved = Ticket.objects.filter(resolved_at__isnull=False, resolved_at__lte=STORED_CUTOFF).count()
    assert total == resolved + 2
    a4 = KpiCounter.objects.get(project=kpi_world.project_a, month=202602, priority="P2")
    assert (a4.created, a4.resolved, a4.resp_decided, a4.resp_met, a4.res_decided, a4.res_met) == (1, 0, 1, 0, 1, 0)


def test_a_recount_of_a_project_without_tickets_leaves_no_counters(kpi_world):
    assert KpiCounter.objects.filter(project=kpi_world.project_b).exists()
    Ticket.objects.filter(project=kpi_world.project_b).delete()
    kpi_counters_refresh(project_id=kpi_world.project_b.pk)
    assert not KpiCounter.objects.filter(project=kpi_world.project_b).exists()


def test_a_push_that_moves_a_ticket_to_another_month_recounts_both_months(kpi_world):
    from opsqm.tickets.services import tickets_push

    project = kpi_world.project_a
    outcome = tickets_push(
        actor=kpi_world.qm,
        project=project,
        items=[
            {
                "ticket_no": "A-1",
                "priority": "P1",
                "created_at": "2026-02-10T10:00:00",
                "first_response_at": "2026-02-10T10:10:00",
                "resolved_at": "2026-02-10T11:00:00",
            }
        ],
    )
    assert outcome.ok, outcome.message
    assert _stored(project) == _by_hand(project)
    assert _stored(project)[(202602, "P1")]["created"] == 1


def test_the_split_is_the_partial_index_and_its_two_halves_cover_every_ticket_once(kpi_world):
    """LIVE_SQL is textually the partial index's WHERE (SQLite uses the index only then); the kept
    tickets (settled_q) and the rest (REST_SQL) split the tickets in two; the live ones are the
    rest plus the open tickets with a pending clock."""
    import importlib

    from opsqm.kpis.counters import LIVE_SQL, REST_SQL, settled_q

    migration = importlib.import_module("opsqm.kpis.migrations.0004_unsettled_index_breach_instants")
    rest_migration = importlib.import_module("opsqm.kpis.migrations.0005_rest_index")
    assert migration.LIVE_INDEX.endswith(f"WHERE {LIVE_SQL}") and rest_migration.REST_INDEX.endswith(f"WHERE {REST_SQL}")
    every = set(Ticket.objects.values_list("pk", flat=True))
    kept = set(Ticket.objects.filter(settled_q()).values_list("pk", flat=True))
    rest = set(Ticket.objects.extra(where=[REST_SQL]).values_list("pk", flat=True))
    live = set(Ticket.objects.extra(where=[LIVE_SQL]).values_list("pk", flat=True))
    assert kept.isdisjoint(rest) and kept | rest == every
    pending = set(
        Ticket.objects.filter(resolved_at__isnull=True, sla_cutoff__isnull=False)
        .filter(Q(response_status=1) | Q(resolution_status=1))
        .values_list("pk", flat=True)
    )
    assert live == rest | pending
    assert Ticket.objects.get(number="A-5").pk in live and Ticket.objects.get(number="A-4").pk not in live


def test_each_turn_arm_is_its_partial_index(db):
    """Each clock arm of the turned-ticket query repeats its partial index's WHERE textually and
    ranges over the index's column after the project (SQLite uses a partial index only then)."""
    import importlib

    from opsqm.kpis.open_status import TURN_ARMS

    migration = importlib.import_module("opsqm.kpis.migrations.0006_turn_indexes")
    assert [(where, instant) for _name, instant, where in migration.INDEXES] == list(TURN_ARMS)
    for sql, (where, instant) in zip(migration.CREATE, TURN_ARMS):
        assert sql.endswith(f"WHERE {where}") and f"tickets_ticket (project_id, {instant}, " in sql


def test_the_indexes_django_does_not_know_of_survive_every_migration(db):
    """The live and rest tickets' partial indexes (both databases) and SQLite's created_at index are made by
    raw SQL; an SQLite table rebuild in a later migration would drop them without a word."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tickets_ticket'")
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'tickets_ticket'")
        names = {row[0] for row in cursor.fetchall()}
    assert {
        "kpis_ticket_live",
        "kpis_ticket_rest",
        "kpis_turn_response_breach",
        "kpis_turn_first_response",
        "kpis_turn_resolution_breach",
    } <= names
    assert ("ticket_created" in names) is (connection.vendor == "sqlite")
