"""A project's first large import on PostgreSQL COPYs its tickets straight into the ticket table
(`opsqm.tickets.first_import`): the result must equal the staged path's field by field, and a
bad file must leave nothing behind, whatever batch its problem is in.

The thresholds are lowered and the reader cut into 7-row batches, so a small file takes the path
across several batches."""

from __future__ import annotations

import functools

import pytest
from django.db import connection  # noqa: F401 (named by the skipif condition below)

from opsqm.kpis.models import KpiCounter
from opsqm.kpis.tests.test_counters import _by_hand
from opsqm.kpis.tests.test_counters import _stored as _counters
from opsqm.tickets import first_import, services, staging
from opsqm.tickets.models import Ticket, TicketPause
from opsqm.tickets.tests.helpers import run_import
from opsqm.tickets.tests.test_staging import FIELDS, _csv, _pauses, _raw_count

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="only PostgreSQL COPYs a first import straight in")


@pytest.fixture
def first_path(monkeypatch):
    """Small files take the first-import path; the reader yields 7 rows at a time. Returns the
    projects each first-import call wrote."""
    monkeypatch.setattr(staging, "MIN_NEW_ROWS", 10)
    monkeypatch.setattr(services, "iter_ticket_batches", functools.partial(services.iter_ticket_batches, chunk_rows=7))
    used: list[int] = []
    real = first_import.write

    def spy(*, project_id: int, **kwargs) -> int:
        used.append(project_id)
        return real(project_id=project_id, **kwargs)

    monkeypatch.setattr(first_import, "write", spy)
    return used


def _tickets(project) -> list[tuple]:
    return sorted(Ticket.objects.filter(project=project).values_list(*FIELDS, "type", "title", "contact", "row_hash", "source"))


def test_a_first_import_equals_the_staged_path_and_a_re_import_finds_every_row_unchanged(
    sla_world, first_path, monkeypatch, django_capture_on_commit_callbacks
):
    w = sla_world
    content = _csv(60)
    record = run_import(django_capture_on_commit_callbacks, w.qm, w.project_a, "a.csv", content)
    assert record.status == "succeeded", record.message
    assert first_path == [w.project_a.pk] and record.created_count == 60

    monkeypatch.setattr(staging, "MIN_NEW_ROWS", 10**9)  # project B: the staged path
    assert run_import(django_capture_on_commit_callbacks, w.qm, w.project_b, "b.csv", content).status == "succeeded"
    assert first_path == [w.project_a.pk]

    # Field by field, SLA results, content hashes and cut-off included; pauses; counters by hand.
    assert _tickets(w.project_a) == _tickets(w.project_b) and len(_tickets(w.project_a)) == 60
    assert not Ticket.objects.filter(project=w.project_a, sla_cutoff__isnull=True).exists()
    assert _pauses(w.project_a) == _pauses(w.project_b) and _pauses(w.project_a)
    for project in (w.project_a, w.project_b):
        assert _counters(project) == _by_hand(project) and _by_hand(project)

    again = run_import(django_capture_on_commit_callbacks, w.qm, w.project_a, "a2.csv", content)
    assert (again.status, again.created_count, again.updated_count, again.unchanged_count) == ("succeeded", 0, 0, 60)
    assert first_path == [w.project_a.pk]  # the project has tickets now: the general path


def test_duplicate_numbers_in_different_batches_are_reported_by_row_and_nothing_is_written(
    sla_world, first_path, django_capture_on_commit_callbacks
):
    w = sla_world
    lines = _csv(40).decode().splitlines()
    lines[35] = lines[3].split(",", 1)[0] + "," + lines[35].split(",", 1)[1]  # row 36 repeats row 4's number (S2)
    record = run_import(django_capture_on_commit_callbacks, w.qm, w.project_a, "dup.csv", ("\n".join(lines) + "\n").encode())
    assert record.status == "failed" and first_path == [w.project_a.pk]
    assert "重复" in record.message and "36" in record.message, record.message
    assert _raw_count(w.project_a) == 0 and not TicketPause.objects.exists()
    assert not KpiCounter.objects.filter(project=w.project_a).exists()


def test_a_bad_row_in_a_later_batch_leaves_nothing(sla_world, first_path, django_capture_on_commit_callbacks):
    w = sla_world
    lines = _csv(40).decode().splitlines()
    fields = lines[30].split(",")
    fields[2] = "2026-13-45 25:00:00"
    lines[30] = ",".join(fields)
    record = run_import(django_capture_on_commit_callbacks, w.qm, w.project_a, "bad.csv", ("\n".join(lines) + "\n").encode())
    assert record.status == "failed" and first_path == [w.project_a.pk]
    assert "31" in record.message, record.message
    assert _raw_count(w.project_a) == 0 and not KpiCounter.objects.filter(project=w.project_a).exists()


def test_a_number_another_writer_stored_meanwhile_fails_the_import_whole(
    sla_world, first_path, monkeypatch, django_capture_on_commit_callbacks
):
    w = sla_world
    lines = _csv(40).decode().splitlines()
    first = run_import(django_capture_on_commit_callbacks, w.qm, w.project_a, "one.csv", ("\n".join([lines[0], lines[20]]) + "\n").encode())
    assert first.status == "succeeded" and first_path == []  # one row: the general path
    before = _tickets(w.project_a)
    # As if that ticket had been pushed between the emptiness check and the COPY.
    monkeypatch.setattr(first_import, "applies", lambda project_id, expected_rows: True)
    record = run_import(django_capture_on_commit_callbacks, w.qm, w.project_a, "all.csv", _csv(40))
    assert record.status == "failed" and first_path == [w.project_a.pk]
    assert "其他来源" in record.message, record.message
    assert _tickets(w.project_a) == before and _raw_count(w.project_a) == 1
