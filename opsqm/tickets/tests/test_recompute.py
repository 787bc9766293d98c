from __future__ import annotations

import datetime as dt

from opsqm.tickets.models import Calendar, SlaStatus, Ticket
from opsqm.tickets.services import PriorityData, calendar_exception_add, sla_agreement_save, sla_recompute_project
from opsqm.tickets.tests.conftest import DEFAULT_PRIORITIES
from opsqm.tickets.tests.helpers import CANONICAL_CSV, run_import


def test_changing_the_calendar_or_targets_recomputes_stored_results(sla_world, django_capture_on_commit_callbacks):
    w = sla_world
    run_import(django_capture_on_commit_callbacks, w.spec_a, w.project_a, "t.csv", CANONICAL_CSV.encode())
    t2 = Ticket.objects.get(number="T2")
    assert (t2.resolution_seconds, t2.resolution_status) == (7200, SlaStatus.MET)
    agreement = w.project_a.sla
    with django_capture_on_commit_callbacks(execute=True):
        sla_agreement_save(
            actor=w.spec_a,
            project=w.project_a,
            calendar=Calendar.objects.get(code="7x24"),
            priorities=DEFAULT_PRIORITIES,
            pause_statuses=[],
            expected_version=agreement.version,
        )
    t2.refresh_from_db()
    # Friday 17:00 → Monday 10:00 around the clock is 65 hours > the 8 h target.
    assert (t2.resolution_seconds, t2.resolution_status) == (65 * 3600, SlaStatus.BREACHED)
    agreement.refresh_from_db()
    tighter = [PriorityData("P1", "紧急", 600, 3600)] + DEFAULT_PRIORITIES[1:]
    with django_capture_on_commit_callbacks(execute=True):
        sla_agreement_save(
            actor=w.spec_a,
            project=w.project_a,
            calendar=Calendar.objects.get(code="cn-5x8"),
            priorities=tighter,
            pause_statuses=[],
            expected_version=agreement.version,
        )
    t1 = Ticket.objects.get(number="T1")
    assert (t1.response_status, t1.resolution_status) == (SlaStatus.BREACHED, SlaStatus.BREACHED)


def test_a_calendar_exception_recomputes_projects_using_it(sla_world, django_capture_on_commit_callbacks):
    from opsqm.tickets.services import CalendarData, calendar_create

    w = sla_world
    cal = calendar_create(
        actor=w.qm,
        data=CalendarData(
            code="cust",
            name="客户日历",
            kind="weekly",
            time_zone="Asia/Shanghai",
            weekly_slots=dict.fromkeys(range(5), ((32400, 64800),)),
            use_china_holidays=False,
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        sla_agreement_save(
            actor=w.qm,
            project=w.project_a,
            calendar=cal,
            priorities=DEFAULT_PRIORITIES,
            pause_statuses=[],
            expected_version=w.project_a.sla.version,
        )
    run_import(django_capture_on_commit_callbacks, w.spec_a, w.project_a, "t.csv", CANONICAL_CSV.encode())
    assert Ticket.objects.get(number="T2").resolution_seconds == 7200
    with django_capture_on_commit_callbacks(execute=True):
        calendar_exception_add(actor=w.qm, calendar=cal, date=dt.date(2026, 3, 9), kind="holiday")
    # Monday 2026-03-09 is now a day off: only Friday 17:00–18:00 counts so far.
    t2 = Ticket.objects.get(number="T2")
    assert t2.resolution_seconds == 3600


def test_recompute_with_a_cutoff_marks_open_tickets_pending_or_breached(sla_world, django_capture_on_commit_callbacks):
    w = sla_world
    run_import(django_capture_on_commit_callbacks, w.spec_a, w.project_a, "t.csv", CANONICAL_CSV.encode())
    # T3 (P1, 4 h) opened Friday 2026-02-13 17:00; at Saturday 09:30 only 1.5 h have elapsed.
    cutoff = dt.datetime(2026, 2, 14, 1, 30, tzinfo=dt.UTC)
    assert sla_recompute_project(project=w.project_a, cutoff=cutoff) == 3
    t3 = Ticket.objects.get(number="T3")
    assert t3.resolution_status == SlaStatus.PENDING and t3.sla_cutoff == cutoff
    assert Ticket.objects.get(number="T1").resolution_status == SlaStatus.PENDING  # not created yet at that cut-off


def test_sla_results_selector_evaluates_any_cutoff_without_storing(sla_world, django_capture_on_commit_callbacks):
    from opsqm.core.sla import Status
    from opsqm.tickets.selectors import sla_results

    w = sla_world
    run_import(django_capture_on_commit_callbacks, w.spec_a, w.project_a, "t.csv", CANONICAL_CSV.encode())
    cutoff = dt.datetime(2026, 2, 14, 1, 30, tzinfo=dt.UTC)
    result = sla_results([w.project_a.pk], cutoff)[w.project_a.pk]
    t3 = Ticket.objects.get(number="T3")
    i = list(result.ids).index(t3.pk)
    assert result.resolution_status[i] == Status.PENDING
    assert t3.resolution_status == SlaStatus.BREACHED  # stored value untouched


def test_recompute_sla_command_recomputes_a_project(sla_world, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    w = sla_world
    run_import(django_capture_on_commit_callbacks, w.spec_a, w.project_a, "t.csv", CANONICAL_CSV.encode())
    Ticket.objects.update(response_seconds=None)
    out = StringIO()
    call_command("recompute_sla", "--project", "PA", stdout=out)
    assert "PA：3 张工单" in out.getvalue()
    assert Ticket.objects.get(number="T1").response_seconds == 1200
