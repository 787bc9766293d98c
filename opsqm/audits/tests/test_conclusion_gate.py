"""Concluding needs every item assessed (or 不适用/未评估 with a reason); 本节全部符合; honest closed-audit text."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from opsqm.audits import services
from opsqm.audits.models import AuditItemResult, ItemResult
from opsqm.audits.selectors import unresolved_items
from opsqm.audits.tests.helpers import run_to


def test_it_refuses_to_conclude_with_items_left_and_says_how_many(world, plan):
    audit = run_to(world, plan(), "onsite")
    left = AuditItemResult.objects.filter(audit=audit, assessable=True).count()
    assert left > 0
    with pytest.raises(ValidationError) as exc:
        services.audit_conclude(actor=world.auditor, audit=audit, conclusion="x", rating="effective")
    assert f"还有 {left} 个条目未评估" in exc.value.messages[0]


def test_not_applicable_or_not_assessed_needs_a_reason(world, plan):
    audit = run_to(world, plan(), "onsite")
    item = AuditItemResult.objects.filter(audit=audit, assessable=True).first()
    with pytest.raises(ValidationError):
        services.audit_item_assess(
            actor=world.auditor, item=item, result=ItemResult.NOT_APPLICABLE, notes=" ", expected_version=item.version
        )
    services.audit_item_assess(
        actor=world.auditor, item=item, result=ItemResult.NOT_APPLICABLE, notes="本项目不涉及", expected_version=item.version
    )
    assert not unresolved_items(audit).filter(pk=item.pk).exists()


def test_section_all_conform_fills_only_the_unassessed_items_of_that_checklist(world, plan):
    audit = run_to(world, plan(), "onsite")
    checklist = audit.checklists.first()
    items = list(AuditItemResult.objects.filter(audit=audit, audit_checklist=checklist, assessable=True).order_by("pk"))
    services.audit_item_assess(
        actor=world.auditor, item=items[0], result=ItemResult.MINOR_NC, notes="缺培训记录", expected_version=items[0].version
    )
    n = services.audit_items_conform_rest(actor=world.auditor, audit=audit, audit_checklist_id=checklist.pk)
    assert n == len(items) - 1
    assert AuditItemResult.objects.get(pk=items[0].pk).result == ItemResult.MINOR_NC
    assert not unresolved_items(audit).exists()
    audit = services.audit_conclude(actor=world.auditor, audit=audit, conclusion="基本有效", rating="basically")
    assert audit.stage == "concluded"


def test_the_detail_page_shows_the_count_and_disables_concluding(world, plan, login):
    audit = run_to(world, plan(), "onsite")
    body = login(world.auditor).get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()
    left = unresolved_items(audit).count()
    assert f"还有 {left} 个条目未评估" in body
    assert 'name="conclude" disabled' in body


def test_an_outsider_cannot_fill_a_section(world, plan, login):
    audit = run_to(world, plan(), "onsite")
    checklist = audit.checklists.first()
    response = login(world.outsider).post(reverse("audits:audit_conform_rest", args=[audit.pk, checklist.pk]))
    assert response.status_code == 404
    assert unresolved_items(audit).exists()


def test_the_planner_is_not_notified_about_her_own_audit(world, plan):
    from opsqm.notifications.models import Notification

    plan(lead=world.qm, members=[world.auditor])  # she plans it and leads it herself
    assert Notification.objects.filter(user=world.auditor, title__contains="您被安排参加审核").exists()
    assert not Notification.objects.filter(user=world.qm, title__contains="您被安排参加审核").exists()


def test_the_finding_title_is_the_auditors_nonconformity_statement_prefilled_from_the_note(world, plan):
    from opsqm.findings.models import Finding

    audit = run_to(world, plan(), "onsite")
    first, second = AuditItemResult.objects.filter(audit=audit, assessable=True).order_by("pk")[:2]
    services.audit_item_assess(
        actor=world.auditor,
        item=first,
        result=ItemResult.MINOR_NC,
        notes="抽查 5 人，2 人无培训记录。\n详见附件。",
        expected_version=first.version,
    )
    services.audit_item_assess(
        actor=world.auditor,
        item=second,
        result=ItemResult.MAJOR_NC,
        notes="值班表只有一人",
        nonconformity="关键岗位无备份人员",
        expected_version=second.version,
    )
    for checklist in audit.checklists.all():
        services.audit_items_conform_rest(actor=world.auditor, audit=audit, audit_checklist_id=checklist.pk)
    services.audit_conclude(actor=world.auditor, audit=audit, conclusion="基本有效", rating="basically")
    titles = set(Finding.objects.filter(source_type="audits.audititemresult").values_list("title", flat=True))
    assert titles == {"抽查 5 人，2 人无培训记录。", "关键岗位无备份人员"}
