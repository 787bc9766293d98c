"""客户投诉: handling, return visit, closure; its finding closes only after a satisfied visit; overdue ones in 我的待办."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opsqm.dashboards.mywork import work_for
from opsqm.findings import services as fs
from opsqm.findings.models import Finding
from opsqm.surveys import services
from opsqm.surveys.models import Complaint


@pytest.fixture
def complaint(world):
    return services.complaint_create(
        actor=world.spec_a,
        data={
            "received_at": timezone.now() - dt.timedelta(days=20),
            "channel": "phone",
            "project": world.project_a,
            "contact": "王主任",
            "content": "机房空调故障 3 小时无人处理",
            "severity": "general",
            "handler": world.ops_a,
            "deadline_days": 3,
        },
    )


def test_an_overdue_complaint_is_in_the_handlers_and_ops_managers_work(world, complaint):
    today = timezone.localdate()
    assert any(i.kind == "客户投诉逾期" and complaint.code in i.title for i in work_for(world.ops_a, today))
    assert not any(complaint.code in i.title for i in work_for(world.ops_b, today))


def test_a_complaint_closes_only_after_a_satisfied_visit_and_acceptance(world, complaint):
    with pytest.raises(ValidationError):
        services.complaint_visit(
            actor=world.spec_a, complaint=complaint, visit_date=timezone.localdate(), visit_by="李质量", result="satisfied"
        )
    c = services.complaint_update(
        actor=world.ops_a, complaint=complaint, data={"handling": "已更换压缩机"}, expected_version=complaint.version
    )
    with pytest.raises(ValidationError):
        services.complaint_close(actor=world.spec_a, complaint=c)
    c = services.complaint_visit(
        actor=world.spec_a, complaint=c, visit_date=timezone.localdate(), visit_by="李质量", result="satisfied", accepted=True
    )
    c = services.complaint_close(actor=world.spec_a, complaint=c)
    assert c.status == Complaint.Status.CLOSED


def test_a_finding_from_a_complaint_cannot_close_before_a_satisfied_return_visit(world, complaint):
    f = services.finding_from_complaint(actor=world.spec_a, complaint=complaint)
    assert f.source == Finding.Source.COMPLAINT and f.source_url.endswith(f"/complaints/{complaint.pk}/")
    assert services.finding_from_complaint(actor=world.spec_a, complaint=complaint).pk == f.pk  # proposed once
    f = fs.finding_analyze(actor=world.ops_a, finding=f, cause="夜间值守无人")
    a = fs.action_create(actor=world.ops_a, finding=f, description="增加夜间值守", owner=world.ops_a, due_date=timezone.localdate())
    fs.action_implement(actor=world.ops_a, action=a, note="已排班")
    fs.action_verify(actor=world.spec_a, action=a, effective=True, note="核查有效")
    f.refresh_from_db()
    assert f.status == Finding.Status.IMPLEMENTED  # not closed: the complaint has no satisfied visit yet
    with pytest.raises(ValidationError, match="回访"):
        fs.finding_close(actor=world.spec_a, finding=f, note="关闭")
    c = services.complaint_update(actor=world.ops_a, complaint=Complaint.objects.get(pk=complaint.pk), data={"handling": "已处理"})
    services.complaint_visit(
        actor=world.spec_a, complaint=c, visit_date=timezone.localdate(), visit_by="李质量", result="satisfied", accepted=True
    )
    f = fs.finding_close(actor=world.spec_a, finding=Finding.objects.get(pk=f.pk), note="回访满意")
    assert f.status == Finding.Status.CLOSED


def test_an_outsider_cannot_register_or_see_a_complaint(world, complaint, login):
    with pytest.raises(PermissionDenied):
        services.complaint_create(
            actor=world.ops_b, data={"channel": "phone", "project": world.project_a, "contact": "x", "content": "x", "handler": world.ops_b}
        )
    assert login(world.outsider).get(f"/surveys/complaints/{complaint.pk}/").status_code == 404
    assert login(world.spec_b).get(f"/surveys/complaints/{complaint.pk}/").status_code == 404
    assert login(world.spec_a).get(f"/surveys/complaints/{complaint.pk}/").status_code == 200


def test_a_project_without_a_survey_for_six_months_is_in_its_managers_work(world):
    from opsqm.surveys.tests.helpers import campaign

    today = timezone.localdate()
    assert any(i.kind == "项目满意度调查待发起" and "PA" in i.title for i in work_for(world.ops_a, today))
    campaign(world, project=world.project_a, contacts=1)
    assert not any(i.kind == "项目满意度调查待发起" and "PA" in i.title for i in work_for(world.ops_a, today))
    assert not any("PA" in i.title for i in work_for(world.ops_b, today))


def test_a_survey_comment_becomes_a_complaint_linked_to_its_response(world, login):
    from opsqm.surveys.tests.helpers import answer_data, campaign

    c = campaign(world, project=world.project_a, contacts=1)
    inv = c.invitations.get()
    r = services.response_submit(token=services.invitation_token(inv), data=answer_data(c.template, [1, 2], text="三次上门都没修好"))
    client = login(world.spec_a)
    page = client.get(f"/surveys/complaints/new/?response={r.pk}").content.decode()
    assert "三次上门都没修好" in page
    resp = client.post(
        f"/surveys/complaints/new/?response={r.pk}",
        {
            "received_at": "2026-11-20T10:00",
            "channel": "survey",
            "customer": world.customer_a.pk,
            "project": world.project_a.pk,
            "contact": "联系人0",
            "content": r.comment,
            "severity": "general",
            "handler": world.ops_a.pk,
            "deadline_days": 3,
        },
    )
    assert resp.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.response_id == r.pk and complaint.channel == "survey" and complaint.created_by == world.spec_a
    assert login(world.spec_b).get(f"/surveys/complaints/new/?response={r.pk}").status_code == 404
