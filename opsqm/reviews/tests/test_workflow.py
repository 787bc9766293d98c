"""The meeting, decisions as tracked actions, the report and its approval, access."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from opsqm.reviews import services
from opsqm.reviews.models import ActionStatus, InputKey, ReviewAction, ReviewActionEscalation, ReviewStatus
from opsqm.reviews.mywork import items_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world, review):
    review = services.review_assemble_inputs(actor=world.mgmt, review=review, as_of=dt.date(2026, 11, 30))
    first = review.agenda.order_by("position").first()
    return services.review_record_meeting(
        actor=world.mgmt,
        review=review,
        attended=[world.qm, world.mgmt],
        conclusion="体系运行有效",
        minutes={first.pk: "上年度 3 项措施完成 2 项 <b>注意</b>"},
    )


def test_a_decision_becomes_a_tracked_action_in_the_owners_todo_and_climbs_the_overdue_ladder(world, held):
    action = services.review_action_create(
        actor=world.mgmt, review=held, kind="resource", decision="增加一名二线工程师", owner=world.ops_a, due_date=dt.date(2027, 3, 31)
    )
    assert action.code.startswith("MR-2026-")
    assert "管理评审措施" in [i.kind for i in items_for(world.ops_a, dt.date(2027, 1, 1))]
    assert services.review_actions_escalate_overdue(today=dt.date(2027, 3, 31)) == []
    assert [e.level for e in services.review_actions_escalate_overdue(today=dt.date(2027, 4, 8))] == [2]  # 8 days: management rep
    assert services.review_actions_escalate_overdue(today=dt.date(2027, 4, 9)) == []
    assert "逾期评审措施督办" in [i.kind for i in items_for(world.mgmt, dt.date(2027, 4, 9))]
    services.review_action_complete(actor=world.ops_a, action=action, note="已到岗")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and ReviewActionEscalation.objects.count() == 1


def test_the_actions_of_this_review_are_inputs_of_the_next_one(world, held):
    services.review_action_create(
        actor=world.mgmt, review=held, kind="system_change", decision="修订变更管理程序", owner=world.qm, due_date=dt.date(2027, 2, 28)
    )
    nxt = services.review_create(actor=world.mgmt, year=2027, planned_date=dt.date(2027, 12, 20), place="会议室", chair=world.gm)
    nxt = services.review_assemble_inputs(actor=world.mgmt, review=nxt, as_of=dt.date(2027, 6, 30))
    rows = nxt.inputs.get(key=InputKey.PREVIOUS_ACTIONS).data["tables"][0]["rows"]
    assert [r[3] for r in rows] == ["修订变更管理程序"] and rows[0][6] == "逾期未完成"


def test_the_report_is_issued_then_approved_only_by_the_management_representative_and_then_frozen(world, held):
    services.review_action_create(
        actor=world.mgmt, review=held, kind="improvement", decision="建立知识库复核机制", owner=world.qm, due_date=dt.date(2027, 3, 31)
    )
    with pytest.raises(ValidationError):
        services.review_approve_report(actor=world.mgmt, review=held)  # not issued yet
    issued = services.review_issue_report(actor=world.qm, review=held)
    assert issued.status == ReviewStatus.REPORT_ISSUED and issued.report.original_name.endswith(".docx")
    with pytest.raises(PermissionDenied):
        services.review_approve_report(actor=world.qm, review=issued)
    approved = services.review_approve_report(actor=world.mgmt, review=issued)
    assert approved.status == ReviewStatus.APPROVED and approved.approved_by == world.mgmt
    with approved.report.file.open("rb") as f:
        document = f.read()
    xml = zipfile.ZipFile(io.BytesIO(document)).read("word/document.xml").decode()
    assert "建立知识库复核机制" in xml and "孙代表" in xml and "&lt;b&gt;注意&lt;/b&gt;" in xml
    assert any(n.startswith("word/media/") for n in zipfile.ZipFile(io.BytesIO(document)).namelist())  # the findings chart
    for step in (
        lambda: services.review_assemble_inputs(actor=world.mgmt, review=approved, as_of=dt.date(2026, 12, 1)),
        lambda: services.review_action_create(
            actor=world.mgmt, review=approved, kind="resource", decision="x", owner=world.qm, due_date=dt.date(2027, 1, 1)
        ),
        lambda: services.input_annotate(actor=world.qm, section=approved.inputs.first(), text="x"),
    ):
        with pytest.raises(ValidationError):
            step()


def test_the_meeting_needs_assembled_inputs_and_attendance(world, review):
    with pytest.raises(ValidationError):
        services.review_record_meeting(actor=world.mgmt, review=review, attended=[world.qm], minutes={}, conclusion="")
    review = services.review_assemble_inputs(actor=world.mgmt, review=review, as_of=dt.date(2026, 11, 30))
    with pytest.raises(ValidationError):
        services.review_record_meeting(actor=world.mgmt, review=review, attended=[], minutes={}, conclusion="")


def test_only_management_and_the_quality_department_plan_or_decide(world, review):
    with pytest.raises(PermissionDenied):
        services.review_create(actor=world.ops_a, year=2027, planned_date=dt.date(2027, 12, 1), place="x", chair=world.gm)
    with pytest.raises(PermissionDenied):
        services.review_action_create(
            actor=world.ops_a, review=review, kind="resource", decision="x", owner=world.ops_a, due_date=dt.date(2027, 1, 1)
        )


def test_people_outside_the_review_get_404_on_its_pages_report_and_charts(world, held, login):
    issued = services.review_issue_report(actor=world.qm, review=held)
    section = issued.inputs.get(key=InputKey.FINDINGS)
    urls = [
        reverse("reviews:detail", args=[issued.pk]),
        reverse("reviews:section_chart", args=[issued.pk, section.pk]),
        reverse("records:evidence_download", args=[issued.report_id]),
        reverse("reviews:edit", args=[issued.pk]),
    ]
    for user in (world.outsider, world.ops_b, world.auditor):  # ops_b: O&M manager of the other project, not invited
        c = login(user)
        for url in urls:
            assert c.get(url).status_code == 404, (user.username, url)
        assert c.post(reverse("reviews:step", args=[issued.pk, "approve"])).status_code == 404
    assert login(world.ops_a).get(urls[0]).status_code == 200  # invited
    assert login(world.ops_a).get(urls[3]).status_code == 404  # but may not edit the plan
    assert login(world.spec_a).get(urls[2]).status_code == 200  # quality department reads the record


def test_the_decision_form_records_a_tracked_action_with_server_set_fields(world, held, login):
    c = login(world.mgmt)
    response = c.post(
        reverse("reviews:step", args=[held.pk, "action"]),
        {
            "kind": "improvement",
            "decision": "完善值班交接模板",
            "owner": world.ops_a.pk,
            "due_date": "2027-02-28",
            "status": "done",
            "created_by": world.outsider.pk,
            "code": "HACK",
        },
    )
    assert response.status_code == 302
    action = ReviewAction.objects.get()
    assert action.status == ActionStatus.OPEN and action.created_by == world.mgmt and action.code.startswith("MR-2026-")
    page = c.get(reverse("reviews:detail", args=[held.pk])).content.decode()
    assert "完善值班交接模板" in page and "请选择" in page


def test_the_management_representative_plans_a_review_through_the_page_and_others_cannot(world, login):
    from opsqm.reviews.models import ManagementReview

    form = {
        "year": 2027,
        "title": "",
        "planned_date": "2027-12-18",
        "place": "一号会议室",
        "chair": world.gm.pk,
        "attendees": [world.qm.pk, world.ops_a.pk],
        "agenda": "上年度措施\n内审结果\n",
        "changes_text": "新客户 2 家",
        "risks_text": "",
    }
    assert login(world.ops_a).post(reverse("reviews:create"), form).status_code == 404
    response = login(world.mgmt).post(reverse("reviews:create"), form)
    review = ManagementReview.objects.get(year=2027)
    assert response.status_code == 302 and review.title == "2027 年度管理评审" and review.changes_text == "新客户 2 家"
    assert review.organizer == world.mgmt and list(review.agenda.values_list("title", flat=True)) == ["上年度措施", "内审结果"]
    again = login(world.mgmt).post(reverse("reviews:create"), form)
    assert again.status_code == 200 and "已经策划过" in again.content.decode()
