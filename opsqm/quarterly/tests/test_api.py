"""/api/v1/quarterly-reviews/: values from the records, org-wide readers only (as the pages), no N+1."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from opsqm.quarterly import services
from opsqm.quarterly.models import QuarterlyReview


def _open(world, quarter=1):
    day = {1: dt.date(2026, 3, 31), 2: dt.date(2026, 6, 30), 3: dt.date(2026, 9, 30)}[quarter]
    return services.review_open(actor=world.qm, year=2026, quarter=quarter, today=day)


def test_the_review_gives_period_status_submissions_and_the_analysis(world, api_client):
    review = _open(world)
    QuarterlyReview.objects.filter(pk=review.pk).update(analysis="指标整体达标", requirements="加强变更管理")
    client = api_client(world.gm)
    rows = client.get("/api/v1/quarterly-reviews/").json()["results"]
    assert [r["id"] for r in rows] == [review.pk]
    detail = client.get(f"/api/v1/quarterly-reviews/{review.pk}/").json()
    assert (detail["period"], detail["year"], detail["quarter"], detail["status"]) == ("2026-Q1", 2026, 1, review.status)
    assert detail["status_label"] == str(QuarterlyReview.Status(review.status).label)
    expected = sorted((s.project.code, s.status) for s in review.submissions.select_related("project"))
    assert sorted((s["project"], s["status"]) for s in detail["submissions"]) == expected
    assert {"PA", "PB"} <= {p for p, _ in expected}
    assert (detail["analysis"], detail["requirements"]) == ("指标整体达标", "加强变更管理")


def test_the_outsider_gets_nothing_and_an_om_manager_only_their_own_submission_without_the_analysis(world, api_client):
    review = _open(world)
    QuarterlyReview.objects.filter(pk=review.pk).update(analysis="公司级分析", requirements="公司级要求")
    for user in (world.outsider, world.auditor):
        client = api_client(user)
        listing = client.get("/api/v1/quarterly-reviews/")
        assert listing.status_code == 200 and listing.json()["results"] == []
        response = client.get(f"/api/v1/quarterly-reviews/{review.pk}/")
        assert response.status_code == 404 and "公司级分析" not in response.content.decode()
    own = {s.project.code: s for s in review.submissions.select_related("project", "owner")}
    for user, code in ((world.ops_a, "PA"), (world.ops_b, "PB")):
        client = api_client(user)
        rows = client.get("/api/v1/quarterly-reviews/").json()["results"]
        assert [r["id"] for r in rows] == [review.pk]
        detail = client.get(f"/api/v1/quarterly-reviews/{review.pk}/")
        body = detail.json()
        assert [(s["id"], s["project"], s["status"]) for s in body["submissions"]] == [(own[code].pk, code, own[code].status)]
        assert body["analysis"] is None and body["requirements"] is None
        assert "公司级" not in detail.content.decode()
    assert api_client().get("/api/v1/quarterly-reviews/").status_code in (401, 403)


def test_the_query_count_does_not_grow_with_the_reviews(world, api_client):
    client = api_client(world.qm)
    _open(world, 1)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/quarterly-reviews/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    _open(world, 2)
    _open(world, 3)
    assert len(client.get("/api/v1/quarterly-reviews/").json()["results"]) == 3
    assert count() == before


def test_the_schema_documents_the_quarterly_review_paths(world, api_client):
    schema = api_client(world.qm).get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/quarterly-reviews/" in schema and "/api/v1/quarterly-reviews/{id}/" in schema


def test_an_external_reviewer_gets_no_review_and_no_endpoint_accepts_a_write(world, api_client):
    from django.utils import timezone

    from conftest import make_user
    from opsqm.accounts.models import ExternalGrant
    from opsqm.accounts.roles import Role

    review = _open(world)
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
    assert client.get("/api/v1/quarterly-reviews/").json()["results"] == []
    assert client.get(f"/api/v1/quarterly-reviews/{review.pk}/").status_code == 404
    qm = api_client(world.qm)
    for url in (
        "/api/v1/quarterly-reviews/",
        "/api/v1/plans/",
        "/api/v1/plan-activities/",
        "/api/v1/management-reviews/",
        "/api/v1/documents/",
    ):
        assert qm.post(url, {"title": "x"}, format="json").status_code == 405
    assert qm.patch(f"/api/v1/quarterly-reviews/{review.pk}/", {"analysis": "x"}, format="json").status_code == 405
    review.refresh_from_db()
    assert review.analysis == ""
