"""The audit's life: each step in order, none skipped, who/when recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opsqm.audits import services
from opsqm.audits.models import AuditItemResult, AuditProgram, AuditStage
from opsqm.audits.tests.helpers import assess, meeting_kwargs, run_to
from opsqm.records.locking import StaleEditError


def test_it_walks_every_stage_and_logs_who_and_when(world, plan):
    audit = plan()
    audit = run_to(world, audit, "followup")
    assert audit.stage == AuditStage.FOLLOWUP
    audit = services.audit_close(actor=world.auditor, audit=audit)
    assert audit.stage == AuditStage.CLOSED
    logs = list(audit.stage_logs.order_by("at", "id").values_list("stage", "by__username"))
    assert [s for s, _ in logs] == [s.value for s in AuditStage]
    assert logs[0][1] == "qm" and all(who == "auditor" for _, who in logs[1:])


def test_it_refuses_to_conclude_before_onsite(world, plan):
    audit = run_to(world, plan(), "opening")
    with pytest.raises(ValidationError) as exc:
        services.audit_conclude(actor=world.auditor, audit=audit, conclusion="x", rating="effective")
    assert "请先完成“现场审核”" in exc.value.messages[0]


def test_it_refuses_the_report_before_the_closing_meeting(world, plan):
    audit = run_to(world, plan(), "concluded")
    with pytest.raises(ValidationError) as exc:
        services.audit_issue_report(actor=world.auditor, audit=audit)
    assert "请先完成“末次会议”" in exc.value.messages[0]


def test_it_refuses_to_repeat_a_step(world, plan):
    audit = run_to(world, plan(), "opening")
    with pytest.raises(ValidationError) as exc:
        services.audit_record_opening(actor=world.auditor, audit=audit, **meeting_kwargs())
    assert "已经完成" in exc.value.messages[0]


def test_an_internal_audit_cannot_start_before_its_program_is_approved(world, plan):
    draft = services.program_create(actor=world.qm, year=2027, title="2027 方案")
    audit = plan(
        program_obj=draft, planned_start=__import__("datetime").date(2027, 6, 1), planned_end=__import__("datetime").date(2027, 6, 2)
    )
    with pytest.raises(ValidationError) as exc:
        services.audit_record_opening(actor=world.auditor, audit=audit, **meeting_kwargs())
    assert "尚未经总经办批准" in exc.value.messages[0]
    services.program_submit(actor=world.qm, program=draft)
    services.program_approve(actor=world.gm, program=AuditProgram.objects.get(pk=draft.pk))
    audit = services.audit_record_opening(actor=world.auditor, audit=audit, **meeting_kwargs())
    assert audit.stage == AuditStage.OPENING


def test_only_gm_office_approves_a_program_and_a_return_needs_a_note(world):
    p = services.program_create(actor=world.qm, year=2028, title="2028 方案")
    p = services.program_submit(actor=world.qm, program=p)
    with pytest.raises(PermissionDenied):
        services.program_approve(actor=world.qm, program=p)
    with pytest.raises(ValidationError):
        services.program_return(actor=world.gm, program=p, note=" ")
    p = services.program_return(actor=world.gm, program=p, note="补充审核日程")
    assert p.status == AuditProgram.Status.RETURNED
    p = services.program_update(actor=world.qm, program=p, data={"objectives": "已补充日程"}, expected_version=p.version)
    p = services.program_submit(actor=world.qm, program=p)
    p = services.program_approve(actor=world.gm, program=p, note="同意")
    assert (p.status, p.approved_by, p.approved_at is not None) == (AuditProgram.Status.APPROVED, world.gm, True)


def test_only_the_lead_moves_stages_and_only_the_team_enters_results(world, plan):
    audit = plan()
    with pytest.raises(PermissionDenied):
        services.audit_record_opening(actor=world.qm, audit=audit, **meeting_kwargs())
    audit = run_to(world, audit, "onsite")
    item = AuditItemResult.objects.filter(audit=audit, assessable=True).first()
    with pytest.raises(PermissionDenied):
        services.audit_item_assess(actor=world.spec_b, item=item, result="conform", notes="", expected_version=item.version)


def test_a_stale_row_edit_is_refused(world, plan):
    audit = run_to(world, plan(), "onsite")
    item = AuditItemResult.objects.filter(audit=audit, assessable=True).first()
    services.audit_item_assess(actor=world.auditor, item=item, result="conform", notes="", expected_version=item.version)
    with pytest.raises(StaleEditError):
        services.audit_item_assess(actor=world.auditor, item=item, result="minor_nc", notes="x", expected_version=item.version)


def test_a_nonconformity_needs_notes(world, plan):
    audit = run_to(world, plan(), "onsite")
    item = AuditItemResult.objects.filter(audit=audit, assessable=True).first()
    with pytest.raises(ValidationError):
        services.audit_item_assess(actor=world.auditor, item=item, result="major_nc", notes=" ", expected_version=item.version)


def test_the_audit_closes_only_when_every_finding_is_closed(world, plan):
    from opsqm.audits.selectors import findings_of_audit

    audit = run_to(world, plan(), "onsite")
    assess(world, audit, {"1.1": "conform", "1.2": "observation"})
    audit = run_to(world, audit, "followup")
    with pytest.raises(ValidationError) as exc:
        services.audit_close(actor=world.auditor, audit=audit)
    assert "未关闭" in exc.value.messages[0]
    from opsqm.findings.services import finding_close

    for f in findings_of_audit(audit):
        finding_close(actor=world.qm, finding=f, note="观察项已跟进")
    assert services.audit_close(actor=world.auditor, audit=audit).stage == AuditStage.CLOSED
