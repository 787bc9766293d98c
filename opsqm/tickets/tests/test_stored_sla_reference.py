"""Stored SLA results of an import, checked a second way: the core tests' minute-walking
reference calendar (holidays taken from the `holidays` package, not from our table)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np

from opsqm.core.tests.test_calendars import _china_reference
from opsqm.core.tests.test_sla import _reference_net
from opsqm.tickets.models import ImportStatus, SlaStatus, Ticket
from opsqm.tickets.tests.conftest import DEFAULT_PRIORITIES
from opsqm.tickets.tests.helpers import run_import

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _text(t: int) -> str:
    return dt.datetime.fromtimestamp(t, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def test_imported_tickets_store_the_seconds_a_brute_force_count_gives(sla_world, django_capture_on_commit_callbacks):
    rng = np.random.default_rng(20241001)
    base = int(dt.datetime(2024, 9, 26, 8, 0, tzinfo=SHANGHAI).timestamp())  # across 国庆 2024 and its 调休 weekends
    rows, expected = [], {}
    ref = _china_reference()
    targets = {p.code: (p.response_seconds, p.resolution_seconds) for p in DEFAULT_PRIORITIES}
    for i in range(40):
        created = base + int(rng.integers(0, 10 * 86400))
        first = created + int(rng.integers(0, 2 * 86400))
        resolved = first + int(rng.integers(0, 4 * 86400))
        pauses = []
        for _ in range(int(rng.integers(0, 3))):  # may overlap each other and run past the resolution
            start = created + int(rng.integers(0, max(1, resolved - created)))
            pauses.append((start, start + int(rng.integers(60, 86400))))
        priority = f"P{int(rng.integers(1, 5))}"
        number = f"R{i:02d}"
        pause_text = ";".join(f"{_text(a)}/{_text(b)}" for a, b in pauses)
        rows.append(f"{number},{priority},{_text(created)},{_text(first)},{_text(resolved)},{pause_text}")
        response = ref.business(created, first)
        resolution = _reference_net(ref, created, resolved, [(a, min(b, resolved)) for a, b in pauses])
        expected[number] = (response, resolution, targets[priority])
    content = "ticket_no,priority,created_at,first_response_at,resolved_at,pauses\n" + "\n".join(rows) + "\n"

    record = run_import(django_capture_on_commit_callbacks, sla_world.qm, sla_world.project_a, "random.csv", content.encode())

    assert record.status == ImportStatus.SUCCEEDED, record.message
    stored = {t.number: t for t in Ticket.objects.filter(project=sla_world.project_a)}
    for number, (response, resolution, (response_target, resolution_target)) in expected.items():
        t = stored[number]
        assert (t.response_seconds, t.resolution_seconds) == (response, resolution), number
        assert t.response_status == (SlaStatus.MET if response <= response_target else SlaStatus.BREACHED), number
        assert t.resolution_status == (SlaStatus.MET if resolution <= resolution_target else SlaStatus.BREACHED), number
    # The sample exercises both outcomes and real pauses, so the comparison can fail.
    assert {SlaStatus.MET, SlaStatus.BREACHED} <= {t.resolution_status for t in stored.values()}
    assert any(t.paused_seconds for t in stored.values())
