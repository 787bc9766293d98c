"""/api/v1/plans/ and /api/v1/plan-activities/: values from the records, the plan page's visibility, no N+1."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opsqm import clock
from opsqm.plans import services
from opsqm.plans.models import ActivityStatus, ActivityType, PlanActivity


def _add_b_activity(world, plan, title="PB 项目检查", day=11):
    with clock.frozen_at(dt.datetime(2026, 5, 4, 9)):
        return services.activity_save(
            actor=world.qm,
            plan=plan,
            projects=[world.project_b],
            reason="增加项目乙检查",
            data=dict(type=ActivityType.PROJECT_CHECK, title=title, owner=world.spec_b, due_date=dt.date(2026, 5, day), output="检查记录"),
        )


@pytest.fixture
def b_activity(world, approved_plan):
    return _add_b_activity(world, approved_plan)


def _all(client, url):
    rows, page = [], client.get(url)
    assert page.status_code == 200, page.content
    while True:
        data = page.json()
        rows += data["results"]
        if not data["next"]:
            return rows
        page = client.get(data["next"])


def test_the_plan_list_and_detail_give_the_plans_values(world, api_client, approved_plan):
    client = api_client(world.qm)
    rows = _all(client, "/api/v1/plans/")
    assert [(r["id"], r["year"], r["title"], r["status"], r["status_label"], r["revision"]) for r in rows] == [
        (approved_plan.pk, 2026, approved_plan.title, "approved", "已批准", approved_plan.revision)
    ]
    detail = client.get(f"/api/v1/plans/{approved_plan.pk}/").json()
    objectives = list(approved_plan.objectives.order_by("order", "id"))
    assert [o["indicator"] for o in detail["objectives"]] == [o.indicator for o in objectives]
    assert all({"actual", "actual_display", "target_display", "attained", "source"} <= set(o) for o in detail["objectives"])
    expected = list(PlanActivity.objects.filter(plan=approved_plan).order_by("due_date", "id"))
    assert [a["id"] for a in detail["activities"]] == [a.pk for a in expected]
    first, record = detail["activities"][0], expected[0]
    today = services.today()
    assert first["type"] == record.type and first["owner"] == record.owner.username
    assert first["due_date"] == record.due_date.isoformat()
    assert first["status"] == (ActivityStatus.OVERDUE if record.status != "done" and record.due_date < today else record.status)


def test_a_foreign_projects_activity_is_absent_for_the_wrong_project_and_the_outsider(world, api_client, approved_plan, b_activity):
    for user in (world.spec_a, world.ops_a, world.outsider):
        client = api_client(user)
        detail = client.get(f"/api/v1/plans/{approved_plan.pk}/").json()
        assert b_activity.pk not in [a["id"] for a in detail["activities"]]
        assert b_activity.pk not in [a["id"] for a in _all(client, "/api/v1/plan-activities/")]
        assert client.get(f"/api/v1/plan-activities/{b_activity.pk}/").status_code == 404
    client = api_client(world.spec_b)
    assert b_activity.pk in [a["id"] for a in client.get(f"/api/v1/plans/{approved_plan.pk}/").json()["activities"]]
    assert client.get(f"/api/v1/plan-activities/{b_activity.pk}/").json()["projects"] == ["PB"]


def _reviewer(world, valid_days=30):
    from django.utils import timezone

    from conftest import make_user
    from opsqm.accounts.models import ExternalGrant
    from opsqm.accounts.roles import Role

    user = make_user("ext", Role.EXTERNAL_REVIEWER, "外审")
    grant = ExternalGrant.objects.create(
        user=user,
        purpose="ITSS 评审",
        valid_from=timezone.now() - dt.timedelta(days=40),
        valid_until=timezone.now() + dt.timedelta(days=valid_days),
        granted_by=world.qm,
    )
    grant.projects.set([world.project_a])
    return user


@pytest.mark.parametrize("valid_days", [30, -1])
def test_an_external_reviewer_valid_or_expired_and_an_anonymous_client_see_no_plan(world, api_client, approved_plan, valid_days):
    client = api_client(_reviewer(world, valid_days))
    listing = client.get("/api/v1/plans/")
    assert listing.status_code in (200, 401, 403)
    if listing.status_code == 200:
        assert listing.json()["results"] == []
        assert _all(client, "/api/v1/plan-activities/") == []
    assert client.get(f"/api/v1/plans/{approved_plan.pk}/").status_code in (401, 403, 404)
    assert api_client().get("/api/v1/plans/").status_code in (401, 403)


def test_the_activity_filters_year_status_and_mine_match_a_second_computation(world, api_client, approved_plan, b_activity):
    client = api_client(world.spec_b)
    today = services.today()
    visible = [
        a for a in PlanActivity.objects.all() if not a.projects.exclude(pk=world.project_b.pk).exists() or a.owner_id == world.spec_b.pk
    ]
    for status in ActivityStatus.values:
        got = {a["id"] for a in _all(client, f"/api/v1/plan-activities/?year=2026&status={status}")}
        assert got == {a.pk for a in visible if a.shown_status(today) == status}
    mine = {a["id"] for a in _all(client, "/api/v1/plan-activities/?mine=1")}
    assert b_activity.pk in mine
    assert mine == {a.pk for a in visible if a.owner_id == world.spec_b.pk or a.projects.filter(pk=world.project_b.pk).exists()}
    assert _all(client, "/api/v1/plan-activities/?year=2031") == []
    assert client.get("/api/v1/plan-activities/?status=bogus").status_code == 400


def test_the_query_count_does_not_grow_with_the_activities(world, api_client, approved_plan, b_activity):
    client = api_client(world.qm)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = (count("/api/v1/plan-activities/"), count(f"/api/v1/plans/{approved_plan.pk}/"))
    for day in (12, 13, 14, 15, 18):
        _add_b_activity(world, approved_plan, title=f"PB 检查 {day}", day=day)
    assert (count("/api/v1/plan-activities/"), count(f"/api/v1/plans/{approved_plan.pk}/")) == before


def test_the_schema_documents_the_plan_paths(world, api_client):
    schema = api_client(world.qm).get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/plans/", "/api/v1/plans/{id}/", "/api/v1/plan-activities/", "/api/v1/plan-activities/{id}/"):
        assert path in schema
