"""Due dates are checked against their context on the pages; owners hear about verification and closing."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from opsqm.findings import services
from opsqm.findings.models import CorrectiveAction, Finding
from opsqm.notifications.models import Notification


def test_a_new_finding_with_an_answer_deadline_in_the_past_is_rejected_in_chinese(world, login):
    response = login(world.spec_a).post(
        reverse("findings:create"),
        {
            "title": "测试",
            "severity": "minor",
            "source": "manual",
            "project": world.project_a.pk,
            "due_date": "2020-01-10",
            "description": "说明",
        },
    )
    assert response.status_code == 200
    assert "答复期限不能早于今天" in response.content.decode()
    assert not Finding.objects.filter(title="测试").exists()


def test_an_action_due_before_the_finding_existed_is_rejected(world, login, make_finding):
    f = services.finding_analyze(actor=world.ops_a, finding=make_finding(), cause="原因")
    before = (timezone.localtime(f.raised_at) - dt.timedelta(days=30)).date()
    response = login(world.ops_a).post(
        reverse("findings:action_create", args=[f.pk]),
        {"description": "措施", "owner": world.ops_a.pk, "due_date": before.isoformat(), "version": Finding.objects.get(pk=f.pk).version},
    )
    assert response.status_code == 200
    assert "完成期限不能早于" in response.content.decode()
    assert not CorrectiveAction.objects.filter(finding=f).exists()


def test_an_action_due_today_or_later_is_accepted(world, login, make_finding):
    f = services.finding_analyze(actor=world.ops_a, finding=make_finding(), cause="原因")
    login(world.ops_a).post(
        reverse("findings:action_create", args=[f.pk]),
        {
            "description": "措施",
            "owner": world.ops_a.pk,
            "due_date": timezone.localdate().isoformat(),
            "version": Finding.objects.get(pk=f.pk).version,
        },
    )
    assert CorrectiveAction.objects.filter(finding=f).count() == 1


def test_the_owner_hears_that_the_action_was_verified_and_the_finding_closed(world, implemented):
    f, a = implemented()
    Notification.objects.all().delete()
    services.action_verify(actor=world.spec_a, action=a, effective=True, note="告警已生效")
    titles = list(Notification.objects.filter(user=world.ops_a).values_list("title", flat=True))
    assert any("已验证有效" in t for t in titles)
    assert any("问题已关闭" in t for t in titles)
    assert not Notification.objects.filter(user=world.spec_a).exists()  # the verifier is not told what she did


def test_the_major_finding_form_asks_for_confirmation_before_notifying_the_general_office(world, login):
    body = login(world.spec_a).get(reverse("findings:create")).content.decode()
    assert 'data-confirm-when="severity=major"' in body and "立即通知总经办" in body


def test_my_work_shows_the_local_date_of_an_implementation(world, login, implemented, monkeypatch):
    from opsqm.findings import mywork

    f, a = implemented()
    # 23:30 UTC is already the next day in Beijing.
    CorrectiveAction.objects.filter(pk=a.pk).update(implemented_at=dt.datetime(2026, 11, 28, 23, 30, tzinfo=dt.UTC))
    items = mywork.items_for(world.spec_a, timezone.localdate())
    assert any("实施于 2026-11-29" in i.note for i in items)
