"""The incident sweep: resolved tickets past the delay get an invitation, by rule (sampling, types,
priorities, one per contact per N days), once, and by email when there is an address."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from opsqm.surveys import services
from opsqm.surveys.models import IncidentRule, Invitation, Level
from opsqm.surveys.tests.helpers import simple_template
from opsqm.tickets.models import Ticket

NOW = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)


def _ticket(project, n, *, resolved_hours_ago, email="", phone="", type_="事件", priority="P3"):
    created = NOW - dt.timedelta(hours=resolved_hours_ago + 5)
    return Ticket.objects.create(
        project=project,
        number=f"T{n}",
        priority=priority,
        type=type_,
        contact=f"用户{n}",
        contact_email=email,
        contact_phone=phone,
        created_at=created,
        resolved_at=NOW - dt.timedelta(hours=resolved_hours_ago),
        updated_at=NOW,
    )


@pytest.fixture
def rule(world):
    simple_template(Level.INCIDENT)
    return IncidentRule.objects.create(project=None, sampling_pct=100, delay_hours=2, validity_days=7, contact_days=30)


def test_a_resolved_ticket_past_the_delay_gets_one_emailed_invitation(world, rule):
    due = _ticket(world.project_a, 1, resolved_hours_ago=3, email="u1@example.com")
    _ticket(world.project_a, 2, resolved_hours_ago=1, email="u2@example.com")  # still inside the delay
    _ticket(world.project_a, 3, resolved_hours_ago=24 * 9, email="u3@example.com")  # outside the validity window
    _ticket(world.project_a, 4, resolved_hours_ago=3)  # nobody to ask
    stats = services.survey_sweep(now=NOW)
    assert stats["created"] == 1
    inv = Invitation.objects.get()
    assert inv.ticket_id == due.pk and inv.status == Invitation.Status.SENT and inv.expires_at == NOW + dt.timedelta(days=7)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["u1@example.com"] and "邀请您参加" in mail.outbox[0].subject
    assert "/s/" in mail.outbox[0].body and "用户1" in mail.outbox[0].body
    assert services.survey_sweep(now=NOW + dt.timedelta(minutes=5))["created"] == 0  # a second run adds nothing


def test_one_invitation_per_contact_per_period(world, rule):
    _ticket(world.project_a, 1, resolved_hours_ago=3, phone="13900000001")
    _ticket(world.project_a, 2, resolved_hours_ago=4, phone="13900000001")
    assert services.survey_sweep(now=NOW)["created"] == 1
    _ticket(world.project_a, 3, resolved_hours_ago=3, phone="13900000001")
    assert services.survey_sweep(now=NOW + dt.timedelta(days=1))["created"] == 0
    assert Invitation.objects.get().status == Invitation.Status.PENDING  # phone only: the link is copied, not emailed


def test_types_priorities_and_sampling_follow_the_project_rule(world, rule):
    IncidentRule.objects.create(project=world.project_b, sampling_pct=100, ticket_types=["服务请求"], priorities=["P1"])
    _ticket(world.project_b, 1, resolved_hours_ago=3, email="a@example.com", type_="服务请求", priority="P1")
    _ticket(world.project_b, 2, resolved_hours_ago=3, email="b@example.com", type_="事件", priority="P1")
    _ticket(world.project_b, 3, resolved_hours_ago=3, email="c@example.com", type_="服务请求", priority="P3")
    assert services.survey_sweep(now=NOW)["created"] == 1
    assert Invitation.objects.get().ticket.number == "T1"


def test_the_sampling_rate_is_honoured_and_stable(world, rule):
    rule.sampling_pct = 30
    rule.save()
    for n in range(200):
        _ticket(world.project_a, n, resolved_hours_ago=3, email=f"u{n}@example.com")
    created = services.survey_sweep(now=NOW)["created"]
    expected = sum(1 for t in Ticket.objects.all() if services._sampled(t.pk, 30))  # the same draw, recomputed
    assert created == expected and 30 <= created <= 90
    assert services.survey_sweep(now=NOW)["created"] == 0


def test_the_sweep_command_reports_what_it_did(world, rule):
    from io import StringIO

    from django.core.management import call_command

    _ticket(world.project_a, 1, resolved_hours_ago=3, email="u1@example.com")
    out = StringIO()
    call_command("survey_sweep", stdout=out)  # real clock: the ticket above is in the past relative to now only if NOW < now
    assert "新建邀请" in out.getvalue()


def test_an_unanswered_incident_invitation_is_reminded_once(world, rule):
    _ticket(world.project_a, 1, resolved_hours_ago=3, email="u1@example.com")
    services.survey_sweep(now=NOW)
    mail.outbox.clear()
    assert services.survey_sweep(now=NOW + dt.timedelta(days=1))["reminded"] == 0
    assert services.survey_sweep(now=NOW + dt.timedelta(days=3))["reminded"] == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith("【提醒】")
    assert services.survey_sweep(now=NOW + dt.timedelta(days=4))["reminded"] == 0
    assert Invitation.objects.get().reminder_count == 1
