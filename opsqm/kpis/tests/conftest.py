"""Small ticket data for the KPI tests: two projects on a 7×24 calendar (business seconds are
plain seconds, so the tests can check the SLA statuses with simple arithmetic)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from opsqm.kpis.counters import kpi_counters_refresh
from opsqm.tickets.models import Calendar, SlaAgreement, SlaPriority, Ticket

UTC = dt.UTC
HOUR = 3600
# Targets (response, resolution) in seconds.
TARGETS = {"P1": (1 * HOUR, 4 * HOUR), "P2": (4 * HOUR, 24 * HOUR)}
# Stored SLA results are as of this instant (the "import"); views evaluate at now.
STORED_CUTOFF = dt.datetime(2026, 3, 20, 0, 0, tzinfo=UTC)


def _agreement(project: Any) -> None:
    if not Calendar.objects.filter(code="7x24").exists():
        # A transactional test that ran before flushed the calendars the migration created.
        import importlib

        from django.apps import apps

        importlib.import_module("opsqm.tickets.migrations.0002_builtin_calendars").create_builtins(apps, None)
    agreement = SlaAgreement.objects.create(project=project, calendar=Calendar.objects.get(code="7x24"))
    for order, (code, (resp, resol)) in enumerate(TARGETS.items()):
        SlaPriority.objects.create(agreement=agreement, code=code, name=code, response_seconds=resp, resolution_seconds=resol, order=order)


def _t(
    project: Any,
    number: str,
    priority: str,
    created: dt.datetime,
    response_h: float | None,
    resolve_h: float | None,
    reopen: int = 0,
    fcr: bool | None = None,
) -> Ticket:
    return Ticket.objects.create(
        project=project,
        number=number,
        priority=priority,
        title=f"工单 {number}",
        created_at=created,
        first_response_at=None if response_h is None else created + dt.timedelta(hours=response_h),
        resolved_at=None if resolve_h is None else created + dt.timedelta(hours=resolve_h),
        reopen_count=reopen,
        first_contact_resolution=fcr,
        updated_at=created,
    )


@pytest.fixture
def kpi_world(world) -> Any:
    """Tickets of project A and B in Jan–Mar 2026 (Asia/Shanghai), stored as of STORED_CUTOFF."""
    a, b = world.project_a, world.project_b
    _agreement(a)
    _agreement(b)
    jan = dt.datetime(2026, 1, 10, 2, 0, tzinfo=UTC)
    # Created 2026-01-31 17:00 UTC = 2026-02-01 01:00 in Shanghai: a February ticket.
    edge = dt.datetime(2026, 1, 31, 17, 0, tzinfo=UTC)
    mar = dt.datetime(2026, 3, 19, 20, 0, tzinfo=UTC)  # 4 h before the stored cut-off
    _t(a, "A-1", "P1", jan, 0.5, 3, fcr=True)  # both met
    _t(a, "A-2", "P1", jan, 2, 5, reopen=1, fcr=False)  # both breached, reopened
    _t(a, "A-3", "P2", jan, 1, 20)  # both met, no FCR flag
    _t(a, "A-4", "P2", edge, 5, None)  # response breached, unresolved (breached)
    _t(a, "A-5", "P1", mar, 0.2, None)  # resolution pending at stored cut-off
    _t(a, "A-6", "X9", jan, 1, 2)  # no target: NA both
    _t(b, "B-1", "P1", jan, 0.5, 2, fcr=True)
    _t(b, "B-2", "P2", jan, 8, 30)
    for ticket in Ticket.objects.all():
        _store_sla(ticket, STORED_CUTOFF)
    refresh_counters(world)
    world.jan, world.edge, world.mar = jan, edge, mar
    return world


def refresh_counters(world: Any) -> None:
    """The fixtures write tickets through the ORM, not a writer: count them like a writer would."""
    for project in (world.project_a, world.project_b):
        kpi_counters_refresh(project_id=project.pk)


def _store_sla(ticket: Ticket, cutoff: dt.datetime) -> None:
    """Store SLA results as an import at `cutoff` would (7×24: business time = clock time)."""
    target = TARGETS.get(ticket.priority)
    responded = ticket.first_response_at or ticket.resolved_at
    ticket.response_status = independent_status(ticket.created_at, responded, target and target[0], cutoff)
    ticket.resolution_status = independent_status(ticket.created_at, ticket.resolved_at, target and target[1], cutoff)
    if responded is not None and responded <= cutoff:
        ticket.response_seconds = int((responded - ticket.created_at).total_seconds())
    if ticket.resolved_at is not None and ticket.resolved_at <= cutoff:
        ticket.resolution_seconds = int((ticket.resolved_at - ticket.created_at).total_seconds())
    ticket.paused_seconds = 0
    # 7×24 and no pauses: a clock is breached from target + 1 s after creation on.
    ticket.response_breach_at = None if target is None else ticket.created_at + dt.timedelta(seconds=target[0] + 1)
    ticket.resolution_breach_at = None if target is None else ticket.created_at + dt.timedelta(seconds=target[1] + 1)
    ticket.sla_cutoff = ticket.sla_computed_at = cutoff
    ticket.save()


def independent_status(created: dt.datetime, done: dt.datetime | None, target: int | None, cutoff: dt.datetime) -> int:
    """SLA status on a 7×24 calendar by plain arithmetic: 0 NA, 1 pending, 2 met, 3 breached."""
    if target is None:
        return 0
    if done is not None and done <= cutoff:
        return 2 if (done - created).total_seconds() <= target else 3
    return 3 if (cutoff - created).total_seconds() > target else 1


def independent_kpis(tickets: list[Ticket], cutoff: dt.datetime) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) of every ticket KPI by plain loops over ticket rows."""
    counts = {
        k: [0, 0]
        for k in ("response_timeliness", "resolution_timeliness", "sla_attainment", "resolution_rate", "mttr", "reopen_rate", "fcr")
    }
    for t in tickets:
        target = TARGETS.get(t.priority)
        responded = t.first_response_at or t.resolved_at
        rs = independent_status(t.created_at, responded, target and target[0], cutoff)
        ss = independent_status(t.created_at, t.resolved_at, target and target[1], cutoff)
        resolved = t.resolved_at is not None and t.resolved_at <= cutoff
        if rs in (2, 3):
            counts["response_timeliness"][1] += 1
            counts["response_timeliness"][0] += rs == 2
        if ss in (2, 3):
            counts["resolution_timeliness"][1] += 1
            counts["resolution_timeliness"][0] += ss == 2
        if rs in (2, 3) and ss in (2, 3):
            counts["sla_attainment"][1] += 1
            counts["sla_attainment"][0] += rs == 2 and ss == 2
        counts["resolution_rate"][1] += 1
        counts["resolution_rate"][0] += resolved
        if resolved:
            counts["mttr"][1] += 1
            counts["mttr"][0] += int((t.resolved_at - t.created_at).total_seconds())
            counts["reopen_rate"][1] += 1
            counts["reopen_rate"][0] += t.reopen_count >= 1
            if t.first_contact_resolution is not None:
                counts["fcr"][1] += 1
                counts["fcr"][0] += bool(t.first_contact_resolution)
    return {k: (int(v[0]), int(v[1])) for k, v in counts.items()}


def now() -> dt.datetime:
    return timezone.now()
