"""/api/v1/management-reviews/: values from the records, the pages' visibility, no N+1."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opsqm.reviews import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world, review):
    review = services.review_assemble_inputs(actor=world.mgmt, review=review, as_of=dt.date(2026, 11, 30))
    first = review.agenda.order_by("position").first()
    return services.review_record_meeting(
        actor=world.mgmt, review=review, attended=[world.qm, world.mgmt], conclusion="体系运行有效", minutes={first.pk: "措施完成 2 项"}
    )


def _action(world, review, owner, decision="增加一名二线工程师"):
    return services.review_action_create(
        actor=world.mgmt, review=review, kind="resource", decision=decision, owner=owner, due_date=dt.date(2027, 3, 31)
    )


def test_the_review_gives_year_status_meeting_and_actions(world, api_client, held):
    action = _action(world, held, world.ops_a)
    detail = api_client(world.qm).get(f"/api/v1/management-reviews/{held.pk}/").json()
    held.refresh_from_db()
    assert (detail["year"], detail["status"], detail["place"], detail["chair"]) == (2026, held.status, "一号会议室", "gm")
    assert detail["planned_date"] == "2026-12-20" and detail["conclusion"] == "体系运行有效"
    assert sorted(detail["attendees"]) == ["mgmt", "ops_a", "qm"] and sorted(detail["attended"]) == ["mgmt", "qm"]
    assert [a["position"] for a in detail["agenda"]] == list(held.agenda.order_by("position").values_list("position", flat=True))
    assert "措施完成 2 项" in [a["minutes"] for a in detail["agenda"]]
    assert [(a["code"], a["owner"], a["due_date"], a["status"]) for a in detail["actions"]] == [
        (action.code, "ops_a", "2027-03-31", action.status)
    ]


def test_the_outsider_and_the_uninvited_get_nothing_and_an_action_owner_sees_the_review(world, api_client, held):
    for user in (world.outsider, world.ops_b, world.auditor):
        client = api_client(user)
        assert client.get("/api/v1/management-reviews/").json()["results"] == []
        assert client.get(f"/api/v1/management-reviews/{held.pk}/").status_code == 404
    _action(world, held, world.ops_b)
    assert [r["id"] for r in api_client(world.ops_b).get("/api/v1/management-reviews/").json()["results"]] == [held.pk]
    assert api_client().get("/api/v1/management-reviews/").status_code in (401, 403)


def test_the_query_count_does_not_grow_with_reviews_and_actions(world, api_client, held):
    client = api_client(world.qm)
    _action(world, held, world.ops_a)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/management-reviews/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(3):
        _action(world, held, world.qm, decision=f"措施 {i}")
    services.review_create(
        actor=world.mgmt, year=2027, planned_date=dt.date(2027, 12, 20), place="会议室", chair=world.gm, attendees=[world.qm, world.ops_b]
    )
    assert len(client.get("/api/v1/management-reviews/").json()["results"]) == 2
    assert count() == before


def test_the_schema_documents_the_management_review_paths(world, api_client):
    schema = api_client(world.qm).get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/management-reviews/" in schema and "/api/v1/management-reviews/{id}/" in schema


def test_an_external_reviewer_with_a_grant_sees_no_management_review(world, api_client, held):
    from django.utils import timezone

    from conftest import make_user
    from opsqm.accounts.models import ExternalGrant
    from opsqm.accounts.roles import Role

    reviewer = make_user("ext", Role.EXTERNAL_REVIEWER, "外审")
    grant = ExternalGrant.objects.create(
        user=reviewer,
        purpose="ITSS 评审",
        valid_from=timezone.now() - dt.timedelta(days=1),
        valid_until=timezone.now() + dt.timedelta(days=30),
        granted_by=world.qm,
    )
    grant.projects.set([world.project_a])
    client = api_client(reviewer)
    assert client.get("/api/v1/management-reviews/").json()["results"] == []
    assert client.get(f"/api/v1/management-reviews/{held.pk}/").status_code == 404
