"""Due dates are checked by the services, so the API refuses what the pages refuse (issue 12), and a page
form posted without the version it was loaded with is refused instead of being taken as version 0.

The findings tests run on the business day 2026-10-28 (conftest `_business_day`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from opsqm import clock
from opsqm.findings import services
from opsqm.findings.models import Finding

BUSINESS_DAY = dt.date(2026, 10, 28)


def _post_api(api, world, **extra):
    body = {"title": "接口登记", "description": "通过接口登记的问题", "severity": "minor", "project": world.project_a.pk, **extra}
    return api.post("/api/v1/findings/", body, format="json")


def test_the_api_refuses_an_answer_deadline_in_the_past_with_the_services_message(world, api_client):
    api = api_client(world.spec_a)
    for past in ("2020-01-01", (BUSINESS_DAY - dt.timedelta(days=1)).isoformat()):
        response = _post_api(api, world, due_date=past)
        assert response.status_code == 400, response.content
        assert "答复期限不能早于今天（2026-10-28）" in response.content.decode()
    assert not Finding.objects.exists()
    ok = _post_api(api, world, due_date=BUSINESS_DAY.isoformat())
    assert ok.status_code == 201 and ok.json()["due_date"] == "2026-10-28"
    assert _post_api(api_client(world.outsider), world, due_date="2020-01-01").status_code in (400, 403)  # never stored
    assert Finding.objects.count() == 1


def test_an_action_cannot_be_due_before_today_or_before_its_finding_existed(world, make_finding):
    f = services.finding_analyze(actor=world.ops_a, finding=make_finding(), cause="原因")
    with pytest.raises(ValidationError, match="完成期限不能早于今天"):
        services.action_create(
            actor=world.ops_a, finding=f, description="x", owner=world.ops_a, due_date=BUSINESS_DAY - dt.timedelta(days=30)
        )
    back_dated = dt.datetime(2026, 10, 1, 10)  # a replay that places the action before the finding was registered
    with pytest.raises(ValidationError, match="完成期限不能早于问题登记日期（2026-10-28）"):
        services.action_create(
            actor=world.ops_a,
            finding=f,
            description="x",
            owner=world.ops_a,
            due_date=dt.date(2026, 10, 5),
            now=timezone.make_aware(back_dated),
        )
    a = services.action_create(actor=world.ops_a, finding=f, description="x", owner=world.ops_a, due_date=BUSINESS_DAY)
    with clock.frozen_at(dt.datetime(2026, 11, 20, 9)):  # later the action is overdue: other edits still work
        a = services.action_update(
            actor=world.ops_a, action=a, data={"description": "改写", "due_date": a.due_date}, expected_version=a.version
        )
        with pytest.raises(ValidationError, match="完成期限不能早于今天（2026-11-20）"):
            services.action_update(actor=world.ops_a, action=a, data={"due_date": dt.date(2026, 11, 19)}, expected_version=a.version)


def test_the_page_shows_the_services_message_for_a_past_deadline(world, login, make_finding):
    f = make_finding()
    loaded_version = f.version
    client = login(world.spec_a)
    form = {
        "title": f.title,
        "severity": f.severity,
        "owner": world.ops_a.pk,
        "description": f.description,
        "due_date": "2020-05-01",
        "version": f.version,
    }
    page = client.post(reverse("findings:edit", args=[f.pk]), form).content.decode()
    assert "答复期限不能早于今天（2026-10-28）" in page
    f.refresh_from_db()
    assert f.due_date != dt.date(2020, 5, 1) and f.version == loaded_version
    assert login(world.spec_b).post(reverse("findings:edit", args=[f.pk]), form).status_code == 404  # wrong project


def test_a_page_form_without_its_version_is_refused_not_taken_as_version_zero(world, login, make_finding):
    f = make_finding()
    loaded_version = f.version
    client = login(world.spec_a)
    form = {
        "title": "改过的标题",
        "severity": f.severity,
        "owner": world.ops_a.pk,
        "description": f.description,
        "due_date": f.due_date.isoformat(),
    }
    page = client.post(reverse("findings:edit", args=[f.pk]), form).content.decode()
    assert "页面缺少记录的版本信息" in page
    f.refresh_from_db()
    assert f.title != "改过的标题"
    assert client.post(reverse("findings:edit", args=[f.pk]), {**form, "version": f.version}).status_code == 302
    f.refresh_from_db()
    assert f.title == "改过的标题" and f.version == loaded_version + 1
