"""Two writers of one project at the same time (PostgreSQL): the counters end equal to a count
by hand — the project row serializes the recounts, so no unique-constraint clash, no lost rows."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from opsqm.kpis.tests.conftest import _agreement
from opsqm.kpis.tests.test_counters import _by_hand, _stored

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _only_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency test: run with DATABASE_URL=postgres://…")


def test_two_concurrent_pushes_into_one_project_keep_exact_counters(world):
    from opsqm.tickets.services import tickets_push

    _agreement(world.project_a)
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def push(prefix: str, day: int) -> None:
        try:
            items = [
                {
                    "ticket_no": f"{prefix}-{i}",
                    "priority": "P1",
                    "created_at": f"2026-0{1 + i % 3}-{day:02d}T10:00:00",
                    "first_response_at": f"2026-0{1 + i % 3}-{day:02d}T10:20:00",
                    "resolved_at": f"2026-0{1 + i % 3}-{day:02d}T12:00:00",
                }
                for i in range(30)
            ]
            start.wait()
            outcome = tickets_push(actor=world.qm, project=world.project_a, items=items)
            assert outcome.ok, outcome.message
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=push, args=("X", 5)), threading.Thread(target=push, args=("Y", 6))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert _stored(world.project_a) == _by_hand(world.project_a)
    assert sum(cell["created"] for cell in _stored(world.project_a).values()) == 60
