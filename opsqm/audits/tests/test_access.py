"""Who sees which audit: pages, results, report, API. A foreign audit is a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opsqm.audits.models import AuditItemResult
from opsqm.audits.tests.helpers import assess, run_to


@pytest.fixture
def audit_b(world, plan):
    """An internal audit of project B, reported (every page and download exists)."""
    audit = run_to(world, plan(), "onsite")
    assess(world, audit, {"1.1": "conform", "1.2": "minor_nc", "1.3": "conform", "2": "conform"})
    return run_to(world, audit, "reported")


def _urls(audit) -> list[str]:
    item = AuditItemResult.objects.filter(audit=audit, assessable=True).first()
    return [
        reverse("audits:audit_detail", args=[audit.pk]),
        reverse("audits:audit_results", args=[audit.pk]),
        reverse("audits:audit_progress", args=[audit.pk]),
        reverse("audits:audit_report_download", args=[audit.pk, "docx"]),
        reverse("audits:audit_report_download", args=[audit.pk, "xlsx"]),
        reverse("records:evidence_download", args=[audit.report_docx_id]),
        f"/api/v1/audits/{audit.pk}/",
    ] + [reverse("audits:audit_item_save", args=[audit.pk, item.pk])]


def test_spec_a_reaches_nothing_of_a_project_b_audit(world, audit_b, login, api_client):
    client = login(world.spec_a)
    for url in _urls(audit_b)[:6]:
        assert client.get(url).status_code == 404, url
    assert client.post(_urls(audit_b)[-1], {"result": "conform", "notes": "", "version": 1}).status_code == 404
    for name in ("audit_opening", "audit_start_onsite", "audit_conclude", "audit_closing", "audit_issue_report", "audit_close"):
        assert client.post(reverse(f"audits:{name}", args=[audit_b.pk])).status_code == 404, name
    assert api_client(world.spec_a).get(f"/api/v1/audits/{audit_b.pk}/").status_code == 404
    assert api_client(world.spec_a).get("/api/v1/audits/").json()["count"] == 0
    assert audit_b.code not in client.get(reverse("audits:audit_list")).content.decode()


def test_an_outsider_reaches_nothing(world, audit_b, login, api_client):
    client = login(world.outsider)
    for url in _urls(audit_b)[:6]:
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("audits:program_list")).status_code == 404
    assert api_client(world.outsider).get(f"/api/v1/audits/{audit_b.pk}/").status_code == 404


def test_project_people_and_the_team_read_the_audit(world, audit_b, login, api_client):
    for user in (world.ops_b, world.spec_b, world.auditor, world.qm, world.gm):
        client = login(user)
        for url in _urls(audit_b)[:6]:
            assert client.get(url).status_code == 200, (user, url)
    data = api_client(world.ops_b).get(f"/api/v1/audits/{audit_b.pk}/").json()
    assert data["code"] == audit_b.code and len(data["results"]) == 5 and data["conformance_rate"] == 0.75


def test_project_people_cannot_enter_results(world, plan, login):
    audit = run_to(world, plan(), "onsite")
    item = AuditItemResult.objects.filter(audit=audit, assessable=True).first()
    response = login(world.ops_b).post(
        reverse("audits:audit_item_save", args=[audit.pk, item.pk]), {"result": "conform", "notes": "", "version": item.version}
    )
    assert "只有审核组成员" in response.content.decode()
    item.refresh_from_db()
    assert item.result == "not_assessed"


def test_org_level_audits_are_visible_to_quality_staff_and_auditors_only(world, plan, login):
    audit = plan(kind="org_check", projects=[], scope_org=True)
    url = reverse("audits:audit_detail", args=[audit.pk])
    assert login(world.spec_a).get(url).status_code == 200
    assert login(world.ops_a).get(url).status_code == 404
    assert login(world.outsider).get(url).status_code == 404


def test_an_audit_that_also_covers_a_foreign_project_stays_hidden(world, plan, login):
    audit = plan(kind="project_check", projects=[world.project_a, world.project_b])
    assert login(world.spec_a).get(reverse("audits:audit_detail", args=[audit.pk])).status_code == 404


def test_planning_pages_are_for_the_quality_manager(world, login):
    assert login(world.spec_a).get(reverse("audits:audit_create")).status_code == 404
    assert login(world.qm).get(reverse("audits:audit_create")).status_code == 200
    assert login(world.auditor).get(reverse("audits:report_template")).status_code == 404
