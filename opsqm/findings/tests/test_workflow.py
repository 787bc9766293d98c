from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opsqm.findings import services
from opsqm.findings.models import ActionEscalation, CorrectiveAction, Finding, FindingEvent
from opsqm.findings.selectors import findings_for_source
from opsqm.findings.tests.conftest import TODAY
from opsqm.notifications.models import Notification
from opsqm.records.locking import StaleEditError

S = Finding.Status
A = CorrectiveAction.Status


def test_it_numbers_findings_and_defaults_the_owner_to_the_ops_manager(world, make_finding):
    f1, f2 = make_finding(), make_finding()
    assert f1.code.startswith("NC-") and f1.code.endswith("-0001") and f2.code.endswith("-0002")
    assert f1.owner == world.ops_a and f1.status == S.OPEN and f1.due_date is not None
    assert FindingEvent.objects.filter(finding=f1, kind=FindingEvent.Kind.CREATED).exists()


def test_it_escalates_a_major_finding_to_gm_office_at_once(world, make_finding, mailoutbox, django_capture_on_commit_callbacks):
    world.gm.email = "gm@example.cn"
    world.gm.save()
    with django_capture_on_commit_callbacks(execute=True):
        f = make_finding(severity=Finding.Severity.MAJOR)
    assert f.escalated_to_gm_at is not None
    assert Notification.objects.filter(user=world.gm, kind="finding_major", url=f"/findings/{f.pk}/").count() == 1
    gm_mail = [m for m in mailoutbox if "gm@example.cn" in m.to]
    assert len(gm_mail) == 1 and f.code in gm_mail[0].subject
    assert FindingEvent.objects.filter(finding=f, kind=FindingEvent.Kind.ESCALATED_GM).exists()


def test_it_refuses_a_major_finding_row_without_escalation_at_db_level(world):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(code="NC-X", title="t", description="d", severity="major", raised_by=world.qm, raised_at=timezone.now())


def test_it_runs_the_whole_improvement_process_to_closed(world, implemented):
    f, a = implemented()
    assert f.status == S.IMPLEMENTED
    services.action_verify(actor=world.spec_a, action=a, effective=True, note="抽查一周备份均成功")
    f.refresh_from_db()
    assert f.status == S.CLOSED and f.closed_at is not None
    kinds = list(f.events.values_list("kind", flat=True))
    assert kinds == ["created", "analyzed", "action_planned", "implemented", "verified_effective", "closed"]
    assert all(e.actor_id for e in f.events.all())


def test_it_refuses_to_plan_an_action_before_cause_analysis(world, make_finding):
    f = make_finding()
    with pytest.raises(ValidationError, match="原因分析"):
        services.action_create(actor=world.ops_a, finding=f, description="x", owner=world.ops_a, due_date=TODAY)


def test_it_refuses_to_verify_an_action_not_yet_implemented(world, make_finding):
    f = services.finding_analyze(actor=world.ops_a, finding=make_finding(), cause="c")
    a = services.action_create(actor=world.ops_a, finding=f, description="x", owner=world.ops_a, due_date=TODAY)
    with pytest.raises(ValidationError, match="尚未实施"):
        services.action_verify(actor=world.spec_a, action=a, effective=True)


def test_it_refuses_to_close_a_minor_finding_without_a_verified_action(world, implemented, make_finding):
    f = services.finding_analyze(actor=world.ops_a, finding=make_finding(), cause="c")
    with pytest.raises(ValidationError, match="验证有效"):
        services.finding_close(actor=world.spec_a, finding=f, note="没问题了")
    f2, _ = implemented()
    with pytest.raises(ValidationError, match="未完成或未验证"):
        services.finding_close(actor=world.spec_a, finding=f2, note="没问题了")


def test_it_refuses_implementation_by_anyone_but_the_action_owner_and_double_implementation(world, implemented, make_finding):
    f = services.finding_analyze(actor=world.ops_a, finding=make_finding(), cause="c")
    a = services.action_create(actor=world.ops_a, finding=f, description="x", owner=world.ops_a, due_date=TODAY)
    with pytest.raises(PermissionDenied):
        services.action_implement(actor=world.spec_a, action=a, note="n")
    _, done = implemented()
    with pytest.raises(ValidationError, match="不能重复"):
        services.action_implement(actor=world.ops_a, action=done, note="again")


def test_it_refuses_self_verification_by_the_implementer_and_by_the_owner(world, make_finding):
    # spec_a plans an action for themselves and implements it: they may not verify it.
    f = services.finding_analyze(actor=world.spec_a, finding=make_finding(), cause="c")
    a = services.action_create(actor=world.spec_a, finding=f, description="x", owner=world.spec_a, due_date=TODAY)
    a = services.action_implement(actor=world.spec_a, action=a, note="done")
    with pytest.raises(PermissionDenied, match="不能验证自己"):
        services.action_verify(actor=world.spec_a, action=a, effective=True)
    # The owner check holds even if someone else recorded the implementation.
    CorrectiveAction.objects.filter(pk=a.pk).update(implemented_by=world.ops_a)
    a.refresh_from_db()
    with pytest.raises(PermissionDenied, match="不能验证自己"):
        services.action_verify(actor=world.spec_a, action=a, effective=True)
    services.action_verify(actor=world.qm, action=a, effective=True)


def test_the_database_refuses_verifier_equal_to_implementer(world, implemented):
    from django.db import IntegrityError, transaction

    _, a = implemented()
    with pytest.raises(IntegrityError), transaction.atomic():
        CorrectiveAction.objects.filter(pk=a.pk).update(verified_by=world.ops_a)


def test_it_refuses_a_verifier_who_is_not_quality_staff_or_auditor(world, implemented):
    _, a = implemented()
    for who in (world.gm, world.mgmt, world.ops_b, world.spec_b):
        with pytest.raises(PermissionDenied):
            services.action_verify(actor=who, action=a, effective=True)


def test_an_auditor_of_the_project_may_verify(world, implemented):
    from opsqm.org.models import ProjectMembership

    ProjectMembership.objects.create(project=world.project_a, user=world.auditor)
    f, a = implemented()
    services.action_verify(actor=world.auditor, action=a, effective=True)
    f.refresh_from_db()
    assert f.status == S.CLOSED


def test_an_ineffective_verification_reopens_with_the_reason_and_needs_a_new_action(world, implemented):
    f, a = implemented()
    with pytest.raises(ValidationError):
        services.action_verify(actor=world.spec_a, action=a, effective=False, note="")
    services.action_verify(actor=world.spec_a, action=a, effective=False, note="告警未覆盖夜间作业")
    f.refresh_from_db()
    assert f.status == S.REOPENED and f.close_note == "告警未覆盖夜间作业"
    assert Notification.objects.filter(user=world.ops_a, kind="action_ineffective").exists()
    with pytest.raises(ValidationError):
        services.finding_close(actor=world.spec_a, finding=f, note="x")
    a2 = services.action_create(actor=world.ops_a, finding=f, description="夜间作业也告警", owner=world.ops_a, due_date=TODAY)
    assert Finding.objects.get(pk=f.pk).status == S.ACTION_PLANNED
    a2 = services.action_implement(actor=world.ops_a, action=a2, note="ok")
    services.action_verify(actor=world.spec_a, action=a2, effective=True)
    assert Finding.objects.get(pk=f.pk).status == S.CLOSED


def test_an_observation_closes_with_a_note_and_can_be_reopened(world, make_finding):
    f = make_finding(severity=Finding.Severity.OBSERVATION)
    with pytest.raises(ValidationError):
        services.finding_close(actor=world.spec_a, finding=f, note="  ")
    with pytest.raises(PermissionDenied):
        services.finding_close(actor=world.ops_a, finding=f, note="已提醒")
    f = services.finding_close(actor=world.spec_a, finding=f, note="已提醒项目组关注")
    assert f.status == S.CLOSED and f.closed_at
    f = services.finding_reopen(actor=world.qm, finding=f, reason="同类情况再次出现")
    assert f.status == S.REOPENED and f.closed_at is None


def test_a_finding_update_to_major_escalates_then(world, make_finding):
    f = make_finding()
    f = services.finding_update(actor=world.spec_a, finding=f, data={"severity": "major"}, expected_version=f.version)
    assert f.escalated_to_gm_at and Notification.objects.filter(user=world.gm, kind="finding_major").exists()


def test_a_stale_update_is_refused_and_the_first_edit_survives(world, make_finding):
    f = make_finding()
    loaded = f.version
    services.finding_update(actor=world.spec_a, finding=f, data={"title": "第一人修改"}, expected_version=loaded)
    with pytest.raises(StaleEditError, match="已被他人修改"):
        services.finding_update(actor=world.qm, finding=f, data={"title": "第二人修改"}, expected_version=loaded)
    assert Finding.objects.get(pk=f.pk).title == "第一人修改"


def test_an_ops_manager_raises_only_for_own_projects_and_outsiders_not_at_all(world):
    kw = dict(title="t", description="d", severity="minor", source="manual")
    services.finding_create(actor=world.ops_a, project=world.project_a, **kw)
    for actor, project in (
        (world.ops_a, world.project_b),
        (world.ops_a, None),
        (world.outsider, world.project_a),
        (world.spec_a, world.project_b),
        (world.gm, world.project_a),
    ):
        with pytest.raises(PermissionDenied):
            services.finding_create(actor=actor, project=project, **kw)


def test_findings_for_source_returns_the_findings_of_one_source(world):
    kw = dict(title="t", description="d", severity="minor", source="audit", project=world.project_a)
    f = services.finding_create(actor=world.spec_a, source_type="audits.auditresult", source_id=7, **kw)
    services.finding_create(actor=world.spec_a, source_type="audits.auditresult", source_id=8, **kw)
    assert list(findings_for_source("audits.auditresult", "7")) == [f]


# ------------------------------------------------------------------ escalation ladder


@pytest.fixture
def overdue_action(world, make_finding):
    f = services.finding_analyze(actor=world.ops_a, finding=make_finding(), cause="c")
    return services.action_create(actor=world.ops_a, finding=f, description="整改", owner=world.ops_a, due_date=dt.date(2026, 11, 1))


def _levels(action):
    return list(ActionEscalation.objects.filter(action=action).order_by("level").values_list("level", flat=True))


def test_the_ladder_climbs_on_the_configured_days_and_is_idempotent(world, overdue_action):
    due = overdue_action.due_date
    assert services.actions_escalate_overdue(today=due) == []  # not overdue on the due date itself
    rows = services.actions_escalate_overdue(today=due + dt.timedelta(days=1))
    assert _levels(overdue_action) == [0] and list(rows[0].notified.all()) == [world.ops_a]
    assert services.actions_escalate_overdue(today=due + dt.timedelta(days=1)) == []  # same day again: nothing more
    assert services.actions_escalate_overdue(today=due + dt.timedelta(days=2)) == []
    rows = services.actions_escalate_overdue(today=due + dt.timedelta(days=3))
    assert _levels(overdue_action) == [0, 1]
    assert set(rows[0].notified.all()) == {world.ops_a}  # ops_a is both owner and O&M manager
    services.actions_escalate_overdue(today=due + dt.timedelta(days=7))
    row = ActionEscalation.objects.get(action=overdue_action, level=2)
    assert world.mgmt in row.notified.all()
    services.actions_escalate_overdue(today=due + dt.timedelta(days=14))
    services.actions_escalate_overdue(today=due + dt.timedelta(days=14))
    row = ActionEscalation.objects.get(action=overdue_action, level=3)
    assert world.gm in row.notified.all() and row.days_overdue == 14
    assert _levels(overdue_action) == [0, 1, 2, 3]
    overdue_action.refresh_from_db()
    assert overdue_action.escalation_level == 3
    assert Notification.objects.filter(user=world.gm, kind="action_overdue").count() == 1
    assert FindingEvent.objects.filter(action=overdue_action, kind=FindingEvent.Kind.OVERDUE).count() == 4


def test_the_ladder_jumps_to_the_level_reached_and_skips_implemented_actions(world, overdue_action, settings):
    settings.OPSQM_ESCALATION_DAYS = (0, 2, 4, 6)
    services.actions_escalate_overdue(today=overdue_action.due_date + dt.timedelta(days=5))
    assert _levels(overdue_action) == [2]
    services.action_implement(actor=world.ops_a, action=overdue_action, note="done")
    assert services.actions_escalate_overdue(today=overdue_action.due_date + dt.timedelta(days=30)) == []


def test_the_command_takes_a_date(world, overdue_action):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("escalate_overdue", "--today", "2026-11-05", stdout=out)
    assert "新增督办 1 条" in out.getvalue() and _levels(overdue_action) == [1]


def test_the_periodic_task_runs_the_ladder_for_today(world, overdue_action):
    from opsqm.findings.tasks import escalate_overdue_actions

    assert escalate_overdue_actions.call_local() == 1
    assert escalate_overdue_actions.call_local() == 0
    assert _levels(overdue_action) != []


@pytest.mark.django_db
def test_the_answer_deadline_counts_china_working_days():
    from opsqm.findings.services import _add_working_days

    # Raised on Wednesday 2026-09-30: Oct 1-7 is the National Day holiday, Sat Oct 10 a make-up workday.
    assert _add_working_days(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)
    # An ordinary week: Friday + 3 working days is Wednesday.
    assert _add_working_days(dt.date(2026, 11, 20), 3) == dt.date(2026, 11, 25)


@pytest.mark.django_db
def test_the_answer_deadline_uses_an_imported_holiday_year():
    from opsqm.core.calendars import parse_holiday_text
    from opsqm.findings.services import _add_working_days
    from opsqm.tickets.models import HolidayYear

    # A (made-up) 2027 schedule: Mon-Wed 2027-03-01..03 off, Sat 03-06 worked.
    year = parse_holiday_text("2027-03-01~2027-03-03 休\n2027-03-06 班")[0]
    HolidayYear.objects.create(
        year=2027,
        holidays=[d.isoformat() for d in sorted(year.holidays)],
        makeup_workdays=[d.isoformat() for d in sorted(year.makeup_workdays)],
    )
    # From Friday 2027-02-26: Thu 03-04, Fri 03-05, Sat 03-06 (make-up) are the three working days.
    assert _add_working_days(dt.date(2027, 2, 26), 3) == dt.date(2027, 3, 6)
