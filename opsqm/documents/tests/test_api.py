"""/api/v1/documents/: values from the records, the pages' visibility, only a download URL, no N+1."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from opsqm.accounts.models import ExternalGrant
from opsqm.accounts.roles import Role
from opsqm.documents import services
from opsqm.documents.models import DocumentType
from opsqm.documents.tests.conftest import PDF, pdf, publish

pytestmark = pytest.mark.django_db


def _reviewer(world, valid_days):
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


def test_the_document_gives_code_type_status_versions_and_a_checked_download_url_never_the_content(world, api_client, login, procedure):
    v1 = publish(world, procedure, "A/0", day=dt.date(2026, 3, 1))
    draft = services.version_create(actor=world.qm, document=procedure, label="A/1", change_note="修订", uploaded_file=pdf())
    procedure.next_review_date = dt.date(2027, 3, 1)
    procedure.save(update_fields=["next_review_date"])
    client = api_client(world.spec_a)
    detail = client.get(f"/api/v1/documents/{procedure.pk}/")
    body = detail.json()
    assert (body["code"], body["title"], body["type"], body["status"]) == ("QP-07", "内部审核程序", DocumentType.PROCEDURE, "effective")
    assert body["next_review_date"] == "2027-03-01" and body["owner"] == "qm"
    assert body["effective_version"]["id"] == v1.pk and body["effective_version"]["effective_date"] == "2026-03-01"
    assert [(v["id"], v["label"], v["status"]) for v in body["versions"]] == [(draft.pk, "A/1", "draft"), (v1.pk, "A/0", "effective")]
    url = body["effective_version"]["download_url"]
    assert url.endswith(reverse("records:evidence_download", args=[v1.file_id]))
    assert PDF not in detail.content and b"%PDF" not in detail.content
    assert [r["code"] for r in client.get("/api/v1/documents/").json()["results"]] == ["QP-07"]
    # the URL is the pages' access-checked download (a signed-in session), not an API route
    assert login(world.spec_a).get(url).status_code == 200


@pytest.mark.parametrize("valid_days", [30, -1])
def test_an_external_reviewer_valid_or_expired_sees_no_document_nor_its_file(world, api_client, procedure, valid_days):
    v = publish(world, procedure, "A/0")
    client = api_client(_reviewer(world, valid_days))
    listing = client.get("/api/v1/documents/")
    assert listing.status_code in (200, 401, 403)
    if listing.status_code == 200:
        assert listing.json()["results"] == []
    assert client.get(f"/api/v1/documents/{procedure.pk}/").status_code in (401, 403, 404)
    assert client.get(reverse("records:evidence_download", args=[v.file_id])).status_code in (302, 401, 403, 404)
    assert api_client().get("/api/v1/documents/").status_code in (401, 403)


def test_the_query_count_does_not_grow_with_documents_and_versions(world, api_client, procedure):
    client = api_client(world.outsider)
    publish(world, procedure, "A/0")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/documents/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(3):
        doc = services.document_create(
            actor=world.qm, code=f"WI-0{i}", title=f"作业指导书 {i}", doc_type=DocumentType.WORK_INSTRUCTION, owner=world.qm
        )
        publish(world, doc, "A/0")
    services.version_create(actor=world.qm, document=procedure, label="A/1", change_note="修订", uploaded_file=pdf())
    assert len(client.get("/api/v1/documents/").json()["results"]) == 4
    assert count() == before


def test_the_schema_documents_the_document_paths(world, api_client):
    schema = api_client(world.qm).get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/documents/" in schema and "/api/v1/documents/{id}/" in schema
