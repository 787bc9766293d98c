"""Staged visibility (issue 7): a large SQLite import writes its new tickets in short transactions,
hidden from every reader until its last transaction; the result equals the one-transaction path.

The thresholds are lowered so that a small file takes the staged path."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from django.utils import timezone

from opsqm.kpis.models import KpiCounter
from opsqm.kpis.tests.test_counters import _by_hand
from opsqm.kpis.tests.test_counters import _stored as _counters
from opsqm.tickets import bulk, stage_runs, staging
from opsqm.tickets.models import StagedImport, Ticket, TicketPause
from opsqm.tickets.selectors import project_overview
from opsqm.tickets.tests.helpers import CANONICAL_CSV, run_import

pytestmark = pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="only SQLite stages (PostgreSQL hides an import in its transaction)"
)

HEADER = CANONICAL_CSV.split("\n", 1)[0]
FIELDS = [
    "number",
    "priority",
    "status",
    "created_at",
    "first_response_at",
    "resolved_at",
    "reopen_count",
    "first_contact_resolution",
    "response_seconds",
    "resolution_seconds",
    "paused_seconds",
    "response_status",
    "resolution_status",
    "response_due",
    "resolution_due",
]


def _csv(rows: int, seed: int = 7, prefix: str = "S") -> bytes:
    """Tickets over Jan–May 2026 (month edges in Beijing time included): open, paused, reopened."""
    rnd = random.Random(seed)
    lines = [HEADER]
    start = dt.datetime(2025, 12, 31, 17, 0)  # 2026-01-01 01:00 Beijing: a UTC-year edge
    for i in range(rows):
        created = start + dt.timedelta(hours=rnd.randrange(0, 24 * 140), minutes=rnd.randrange(60))
        resp = created + dt.timedelta(minutes=rnd.randrange(1, 300)) if rnd.random() < 0.9 else None
        solved = created + dt.timedelta(hours=rnd.randrange(1, 60)) if rnd.random() < 0.85 else None
        pause = ""
        if solved and rnd.random() < 0.2:
            p0 = created + dt.timedelta(minutes=30)
            if p0 + dt.timedelta(minutes=20) < solved:
                pause = f"{p0:%Y-%m-%d %H:%M:%S}/{p0 + dt.timedelta(minutes=20):%Y-%m-%d %H:%M:%S}"
        fmt = lambda v: f"{v:%Y-%m-%d %H:%M:%S}" if v else ""  # noqa: E731
        lines.append(
            f"{prefix}{i},P{rnd.randrange(1, 5)},{fmt(created)},{fmt(resp)},{fmt(solved)},{pause},"
            f"{'已关闭' if solved else '处理中'},{rnd.choice([0, 0, 0, 1])},{rnd.choice(['是', '否', ''])}"
        )
    return ("\n".join(lines) + "\n").encode()


def _tickets(project) -> list[tuple]:
    return sorted(Ticket.objects.filter(project=project).values_list(*FIELDS))


def _pauses(project) -> list[tuple]:
    return sorted(TicketPause.objects.filter(ticket__project=project).values_list("ticket__number", "start", "end"))


@pytest.fixture
def small_stages(monkeypatch):
    monkeypatch.setattr(staging, "MIN_NEW_ROWS", 10)
    monkeypatch.setattr(staging, "CHUNK", 7)
    monkeypatch.setattr(stage_runs, "RUN_STRIDE", 1)  # windows of exactly 7 rows
    monkeypatch.setattr(staging, "PAUSE_BETWEEN", 0)


def _raw_count(project) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM tickets_ticket WHERE project_id = %s", [project.pk])
        return cursor.fetchone()[0]


def test_a_staged_import_hides_its_rows_until_the_end_and_equals_the_one_transaction_path(
    sla_world, small_stages, monkeypatch, django_capture_on_commit_callbacks
):
    w = sla_world
    content = _csv(60)
    seen: list[tuple[int, int]] = []
    real = staging.between_chunks

    def watch() -> None:
        listed = project_overview(w.qm).get(pk=w.project_a.pk).ticket_count  # the tickets index page's count
        seen.append((Ticket.objects.filter(project=w.project_a).count() + listed, _raw_count(w.project_a)))
        real()

    monkeypatch.setattr(staging, "between_chunks", watch)
    record = run_import(django_capture_on_commit_callbacks, w.qm, w.project_a, "a.csv", content)
    assert record.status == "succeeded", record.message
    # 60 stage rows in chunks of 7: 9 short transactions, each adding rows nobody could see yet.
    assert len(seen) == 9
    assert all(visible == 0 for visible, _raw in seen)
    assert [raw for _v, raw in seen] == sorted(raw for _v, raw in seen) and seen[-1][1] == 60
    assert not StagedImport.objects.exists()

    monkeypatch.setattr(staging, "MIN_NEW_ROWS", 10**9)  # project B: the one-transaction path
    seen.clear()
    record = run_import(django_capture_on_commit_callbacks, w.qm, w.project_b, "b.csv", content)
    assert record.status == "succeeded", record.message and not seen

    assert Ticket.objects.filter(project=w.project_a).count() == 60
    assert _tickets(w.project_a) == _tickets(w.project_b)
    assert _pauses(w.project_a) == _pauses(w.project_b) and _pauses(w.project_a)
    for project in (w.project_a, w.project_b):  # counters equal a count of the stored tickets by hand
        assert _counters(project) == _by_hand(project) and _by_hand(project)


def test_a_file_in_creation_order_is_staged_as_it_comes_with_the_same_result(
    sla_world, small_stages, monkeypatch, django_capture_on_commit_callbacks
):
    """Rows already in creation order (as most exports are) are staged without reordering; the
    tickets, pauses and counters equal those of the same rows shuffled and of the one-transaction path."""
    w = sla_world
    header, *rows = _csv(60).decode().splitlines()
    rows.sort(key=lambda line: line.split(",")[2])  # created_at, as text in one format: its order
    in_order = ("\n".join([header, *rows]) + "\n").encode()
    assert run_import(django_capture_on_commit_callbacks, w.qm, w.project_a, "a.csv", in_order).status == "succeeded"
    monkeypatch.setattr(staging, "MIN_NEW_ROWS", 10**9)  # project B: the one-transaction path
    assert run_import(django_capture_on_commit_callbacks, w.qm, w.project_b, "b.csv", _csv(60)).status == "succeeded"
    assert _tickets(w.project_a) == _tickets(w.project_b)
    assert _pauses(w.project_a) == _pauses(w.project_b) and _pauses(w.project_a)
    for project in (w.project_a, w.project_b):
        assert _counters(project) == _by_hand(project) and _by_hand(project)


@pytest.mark.parametrize("staged", [True, False])
def test_a_re_import_with_new_and_changed_rows_keeps_exact_counters(
    sla_world, small_stages, monkeypatch, django_capture_on_commit_callbacks, staged
):
    """New tickets counted from the stage, changed ones' months recounted: staged or in one transaction."""
    w = sla_world
    if not staged:
        monkeypatch.setattr(staging, "MIN_NEW_ROWS", 10**9)
    first = _csv(30)
    assert run_import(django_capture_on_commit_callbacks, w.qm, w.project_a, "a.csv", first).status == "succeeded"
    lines = first.decode().splitlines()
    # Change some stored tickets (one moves to another month), and add 40 new ones.
    changed = [lines[0]] + [line.replace(",P1,", ",P3,").replace(",0,", ",1,") for line in lines[1:]]
    moved = changed[1].split(",")
    moved[2] = "2026-05-30 09:00:00"
    moved[3] = moved[4] = ""
    changed[1] = ",".join(moved)
    extra = _csv(40, seed=11, prefix="N").decode().splitlines()[1:]
    second = ("\n".join(changed + extra) + "\n").encode()
    record = run_import(django_capture_on_commit_callbacks, w.qm, w.project_a, "a2.csv", second)
    assert record.status == "succeeded", record.message
    assert Ticket.objects.filter(project=w.project_a).count() == 70
    assert _counters(w.project_a) == _by_hand(w.project_a)


def test_a_failed_staged_import_leaves_nothing(sla_world, small_stages, monkeypatch, django_capture_on_commit_callbacks):
    w = sla_world
    calls = []

    def fail_on_third() -> None:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")

    monkeypatch.setattr(staging, "between_chunks", fail_on_third)
    assert run_import(django_capture_on_commit_callbacks, w.qm, w.project_a, "a.csv", _csv(60)).status == "failed"
    assert _raw_count(w.project_a) == 0
    assert not TicketPause.objects.exists() and not KpiCounter.objects.filter(project=w.project_a).exists()
    assert not StagedImport.objects.exists()


def test_rows_of_a_killed_staged_import_stay_hidden_and_are_purged(
    sla_world, small_stages, monkeypatch, django_capture_on_commit_callbacks
):
    w = sla_world
    calls = []

    def killed_on_third() -> None:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("killed")

    monkeypatch.setattr(staging, "between_chunks", killed_on_third)
    monkeypatch.setattr(staging, "discard", lambda stage_id: None)  # kill -9: no clean-up runs
    run_import(django_capture_on_commit_callbacks, w.qm, w.project_a, "a.csv", _csv(60))
    monkeypatch.undo()
    assert _raw_count(w.project_a) == 21  # three chunks written, none visible
    assert Ticket.objects.filter(project=w.project_a).count() == 0
    assert not w.project_a.tickets.exists()
    assert staging.purge_abandoned() == 0  # still beating a minute ago: left alone
    later = timezone.now() + staging.ABANDONED_AFTER + dt.timedelta(seconds=1)
    assert staging.purge_abandoned(now=later) == 1
    assert _raw_count(w.project_a) == 0 and not StagedImport.objects.exists()


def test_an_import_whose_stage_was_purged_meanwhile_fails_whole(sla_world, small_stages, monkeypatch, django_capture_on_commit_callbacks):
    w = sla_world
    real_write = staging.write_new

    def purge_after_writing(stage, **kwargs):
        real_write(stage, **kwargs)
        StagedImport.objects.filter(pk=stage.pk).delete()  # as a purge by another process would

    monkeypatch.setattr(staging, "write_new", purge_after_writing)
    assert run_import(django_capture_on_commit_callbacks, w.qm, w.project_a, "a.csv", _csv(30)).status == "failed"
    assert _raw_count(w.project_a) == 0 and not KpiCounter.objects.filter(project=w.project_a).exists()


@pytest.mark.django_db(transaction=True)
def test_a_large_stage_goes_with_its_connection_and_a_small_one_by_drop(monkeypatch):
    """Closing the connection drops SQLite's temporary database whole; inside a transaction (or
    for a small stage) the tables are dropped one by one and the connection stays."""
    from django.db import transaction

    closed: list[bool] = []
    monkeypatch.setattr(bulk, "CLOSE_TO_DISCARD_ROWS", 10)
    monkeypatch.setattr(connection, "close", lambda: closed.append(True))

    def staged_tables() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_temp_master WHERE type = 'table'")
            return {row[0] for row in cursor.fetchall()}

    bulk.stage_open()
    bulk.drop_stage(10)
    assert closed == [True]
    bulk.stage_open()
    bulk.drop_stage(9)
    assert closed == [True] and not {"opsqm_stage", "opsqm_pause_stage"} & staged_tables()
    with transaction.atomic():
        bulk.stage_open()
        bulk.drop_stage(10)
    assert closed == [True] and not {"opsqm_stage", "opsqm_pause_stage"} & staged_tables()
