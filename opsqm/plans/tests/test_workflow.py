"""Generate → edit → submit → approve; revisions after approval; linking a record completes an activity;
reminders and the overdue ladder; the CLI; the Word document."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from opsqm import clock
from opsqm.plans import services
from opsqm.plans.models import ActivityStatus, PlanActivity, PlanStatus


def test_generating_twice_is_refused_and_the_cli_says_so(world):
    plan = services.plan_generate(actor=world.qm, year=2027)
    assert plan.status == PlanStatus.DRAFT and plan.activities.count() >= 20
    with pytest.raises(ValidationError):
        services.plan_generate(actor=world.qm, year=2027)
    with pytest.raises(CommandError):
        call_command("plan_generate", "2027")
    out = io.StringIO()
    call_command("plan_generate", "2028", stdout=out)
    assert "2028" in out.getvalue()


def test_an_approved_plan_changes_only_through_a_recorded_revision(world, approved_plan):
    a = approved_plan.activities.get(cadence_key="satisfaction")
    with clock.frozen_at(dt.datetime(2026, 10, 12, 9)):  # the revision is made before the new due date
        with pytest.raises(ValidationError, match="原因"):
            services.activity_save(actor=world.qm, plan=approved_plan, activity=a, data={"due_date": dt.date(2026, 11, 2)})
        services.activity_save(
            actor=world.qm, plan=approved_plan, activity=a, data={"due_date": dt.date(2026, 11, 2)}, reason="客户年底集中评价"
        )
    approved_plan.refresh_from_db()
    assert approved_plan.revision == 1
    rev = approved_plan.revisions.get()
    assert "2026-11-02" in rev.change and rev.reason == "客户年底集中评价" and rev.by == world.qm


def test_gm_returns_with_a_comment_and_the_quality_manager_resubmits(world):
    plan = services.plan_submit(actor=world.qm, plan=services.plan_generate(actor=world.qm, year=2027))
    with pytest.raises(ValidationError):
        services.plan_return(actor=world.gm, plan=plan, note="")
    plan = services.plan_return(actor=world.gm, plan=plan, note="请增加应急演练")
    assert plan.status == PlanStatus.RETURNED
    services.activity_save(
        actor=world.qm, plan=plan, data=dict(type="other", title="应急演练", owner=world.qm, due_date=dt.date(2027, 9, 15))
    )
    plan = services.plan_approve(actor=world.gm, plan=services.plan_submit(actor=world.qm, plan=plan), note="同意")
    assert [d.kind for d in plan.decisions.all()] == ["submitted", "returned", "submitted", "approved"]
    assert plan.revision == 0  # edits before approval are not revisions


def test_linking_an_audit_marks_the_activity_done_and_a_foreign_record_is_refused(world, approved_plan):
    from opsqm.audits.models import Audit, AuditKind

    audit = Audit.objects.create(
        code="PC-2026-01",
        title="项目检查",
        kind=AuditKind.PROJECT_CHECK,
        criteria="x",
        planned_start=dt.date(2026, 6, 1),
        planned_end=dt.date(2026, 6, 2),
        created_by=world.qm,
    )
    audit.projects.set([world.project_a])
    a = _owned_by(approved_plan.activities.get(cadence_key="audit-mid"), world.spec_b)
    with pytest.raises(ValidationError):  # spec_b (project B) cannot see project A's audit, so cannot link it
        services.activity_link(actor=world.spec_b, activity=a, record=audit)
    a.refresh_from_db()
    done = services.activity_link(actor=world.qm, activity=a, record=audit)
    assert done.status == ActivityStatus.DONE and done.linked_id == audit.pk and "PC-2026-01" in done.linked_label


def _owned_by(activity, user):
    PlanActivity.objects.filter(pk=activity.pk).update(owner=user)
    activity.refresh_from_db()
    return activity


def test_reminders_go_once_n_working_days_ahead_and_overdue_climbs_the_ladder(world, approved_plan):
    from opsqm.notifications.models import Notification

    a = approved_plan.activities.get(cadence_key="satisfaction")  # due 2026-10-08, after 国庆
    assert a not in services.activities_remind(today=dt.date(2026, 9, 24))  # 9-24 → 10-08: more than 3 working days (国庆)
    sent = services.activities_remind(today=dt.date(2026, 9, 30))  # 9-30 → 10-08: 1 working day
    assert a in sent and a not in services.activities_remind(today=dt.date(2026, 9, 30))
    assert Notification.objects.filter(user=a.owner, kind="plan_reminder").exists()
    rows = services.activities_escalate_overdue(today=dt.date(2026, 10, 30))
    a.refresh_from_db()
    assert a.status == ActivityStatus.OVERDUE and any(r.activity_id == a.pk and r.level == 3 for r in rows)
    assert services.activities_escalate_overdue(today=dt.date(2026, 10, 30)) == []  # idempotent
    from opsqm.dashboards.mywork import work_for

    assert any(i.kind == "逾期计划活动" and i.title == a.title for i in work_for(a.owner, dt.date(2026, 10, 30)))
    assert any(i.kind == "逾期计划活动督办" for i in work_for(world.gm, dt.date(2026, 10, 30)))


def test_a_qa_plan_from_the_template_puts_its_checks_into_the_annual_plan(world, approved_plan):
    qa = services.qa_plan_create(actor=world.qm, project=world.project_a, start=dt.date(2026, 1, 20))
    checks = list(qa.checks.select_related("activity", "checklist"))
    assert {c.phase for c in checks} == {"initiation", "planning", "delivery", "monitoring", "closure"}
    assert all(c.activity and c.activity.plan == approved_plan and c.activity.type == "project_check" for c in checks)
    assert qa.reviews.count() == 3
    approved_plan.refresh_from_db()
    assert approved_plan.revision == 1  # one recorded revision for the whole QA plan
    assert approved_plan.revisions.get().change.count("\n") == len(checks)
    with pytest.raises(PermissionDenied):
        services.qa_plan_agree(actor=world.ops_b, qa=qa)
    assert services.qa_plan_agree(actor=world.ops_a, qa=qa).status == "agreed"


def test_the_plan_document_has_the_seed_table(world, approved_plan):
    from docx import Document

    from opsqm.plans.document import render_plan_docx
    from opsqm.plans.selectors import objective_attainment

    doc = Document(io.BytesIO(render_plan_docx(approved_plan, objective_attainment(approved_plan, dt.date(2026, 6, 1)))))
    headers = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    assert ["序号", "活动", "内容", "负责人", "时间", "输出物"] in headers
    table = doc.tables[headers.index(["序号", "活动", "内容", "负责人", "时间", "输出物"])]
    assert len(table.rows) == approved_plan.activities.count() + 1


def test_the_pages_edit_an_approved_plan_only_with_a_reason(world, login, approved_plan):
    c = login(world.qm)
    url = f"/plans/{approved_plan.pk}/objectives/new/"
    data = {
        "indicator": "重大事件恢复及时率",
        "formula": "按时恢复数 ÷ 重大事件数",
        "kpi": "",
        "target": "0.95",
        "unit": "%",
        "higher_is_better": "on",
        "period": "quarter",
        "order": "9",
    }
    page = c.post(url, data).content.decode()
    assert "修改必须填写修订原因" in page
    assert c.post(url, {**data, "reason": "总经办要求增加"}).status_code == 302
    a = approved_plan.activities.get(cadence_key="review")
    edit = f"/plans/{approved_plan.pk}/activities/{a.pk}/edit/"
    form = {
        "type": a.type,
        "title": a.title,
        "content": a.content,
        "owner": a.owner_id,
        "due_date": "2026-12-18",
        "output": a.output,
        "version": a.version,
        "reason": "与年末内审错开",
    }
    assert c.post(edit, form).status_code == 302
    a.refresh_from_db()
    approved_plan.refresh_from_db()
    assert a.due_date == dt.date(2026, 12, 18) and approved_plan.revision == 2
    stale = c.post(edit, {**form, "due_date": "2026-12-21"}).content.decode()  # the old version number
    assert "已被他人修改" in stale
    assert login(world.spec_a).post(edit, form).status_code == 404
