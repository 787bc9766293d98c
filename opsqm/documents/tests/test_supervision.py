"""System-operation supervision: feedback on procedures, collection rounds, review of each item."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from opsqm.documents import services
from opsqm.documents.models import FeedbackStatus, VersionStatus
from opsqm.documents.mywork import items_for
from opsqm.findings.models import ImprovementItem

pytestmark = pytest.mark.django_db


def test_a_round_asks_named_people_until_they_answer(world, procedure):
    r = services.round_open(actor=world.qm, period="2026-11", due_date=dt.date(2026, 11, 20), participants=[world.ops_a, world.spec_b])
    assert "体系运行反馈征集" in [i.kind for i in items_for(world.ops_a, dt.date(2026, 11, 5))]
    f = services.feedback_give(actor=world.ops_a, document=procedure, difficulty="审核记录表字段太多")
    assert f.round == r
    assert "体系运行反馈征集" not in [i.kind for i in items_for(world.ops_a, dt.date(2026, 11, 5))]
    with pytest.raises(ValidationError):
        services.round_open(actor=world.qm, period="2026-11", due_date=dt.date(2026, 11, 20), participants=[world.ops_a])
    with pytest.raises(PermissionDenied):
        services.round_open(actor=world.ops_a, period="2026-12", due_date=dt.date(2026, 12, 20), participants=[world.ops_a])


def test_empty_feedback_is_refused(world, procedure):
    with pytest.raises(ValidationError):
        services.feedback_give(actor=world.ops_a, document=procedure, difficulty="  ")


def test_accepted_feedback_becomes_an_improvement_item(world, procedure):
    f = services.feedback_give(actor=world.ops_a, document=procedure, suggestion="增加远程审核的做法")
    f = services.feedback_accept(
        actor=world.qm, feedback=f, outcome="improvement", owner=world.spec_a, due_date=dt.date(2026, 12, 31), target="程序文件覆盖远程审核"
    )
    item = ImprovementItem.objects.get()
    assert f.status == FeedbackStatus.ACCEPTED and f.improvement == item
    assert item.owner == world.spec_a and "增加远程审核的做法" in item.description


def test_accepted_feedback_can_become_a_draft_revision_of_the_document(world, procedure):
    f = services.feedback_give(actor=world.ops_a, document=procedure, missing="缺少审核员回避要求")
    f = services.feedback_accept(actor=world.qm, feedback=f, outcome="revision", revision_label="A/2")
    assert f.revision.status == VersionStatus.DRAFT and f.revision.document == procedure and "回避" in f.revision.change_note


def test_a_rejection_needs_a_reason_that_the_giver_sees(world, procedure, login):
    f = services.feedback_give(actor=world.ops_a, document=procedure, difficulty="表格太长")
    with pytest.raises(ValidationError):
        services.feedback_reject(actor=world.qm, feedback=f, reason="")
    services.feedback_reject(actor=world.qm, feedback=f, reason="表格为 ITSS 评审要求的最少字段")
    page = login(world.ops_a).get(reverse("documents:feedback_detail", args=[f.pk]))
    assert "表格为 ITSS 评审要求的最少字段" in page.content.decode()


def test_anonymous_feedback_hides_the_giver_from_everyone_else(world, procedure, login):
    f = services.feedback_give(actor=world.ops_a, document=procedure, difficulty="评审会议太频繁", anonymous=True)

    def giver_shown(page: str) -> str:
        return page.split("反馈人</dt>")[1].split("</dd>")[0]

    reviewer_page = login(world.qm).get(reverse("documents:feedback_detail", args=[f.pk])).content.decode()
    assert "匿名" in giver_shown(reviewer_page) and world.ops_a.display_name not in giver_shown(reviewer_page)
    list_page = login(world.qm).get(reverse("documents:feedback_list")).content.decode()
    assert world.ops_a.display_name not in list_page
    own_page = login(world.ops_a).get(reverse("documents:feedback_detail", args=[f.pk])).content.decode()
    assert world.ops_a.display_name in giver_shown(own_page)


def test_other_staff_cannot_open_someone_elses_feedback_or_review_it(world, procedure, login):
    f = services.feedback_give(actor=world.ops_a, document=procedure, difficulty="x")
    assert login(world.outsider).get(reverse("documents:feedback_detail", args=[f.pk])).status_code == 404
    response = login(world.ops_b).post(reverse("documents:feedback_detail", args=[f.pk]), {"step": "reject", "reason": "no"})
    assert response.status_code == 404
    f.refresh_from_db()
    assert f.status == FeedbackStatus.SUBMITTED
