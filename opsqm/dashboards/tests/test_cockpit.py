"""The cockpit: panels per role, built only from what the user may see; the project page; numbers link to lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opsqm import clock
from opsqm.findings import services
from opsqm.findings.models import Finding


def _finding(world, project, severity=Finding.Severity.MINOR, title="备份作业失败"):
    actor = world.spec_a if project == world.project_a else world.spec_b
    return services.finding_create(
        actor=actor, title=title, description="巡检发现", severity=severity, source=Finding.Source.MANUAL, project=project
    )


def _panel(response, key):
    return next((p for p in response.context["panels"] if p["panel"].key == key), None)


@pytest.fixture
def findings(world):
    return [
        _finding(world, world.project_a, Finding.Severity.MAJOR, "甲项目重大问题"),
        _finding(world, world.project_a),
        _finding(world, world.project_b),
        _finding(world, world.project_b, Finding.Severity.OBSERVATION),
    ]


def test_the_quality_manager_sees_open_findings_of_every_project_by_severity(world, login, findings):
    ctx = _panel(login(world.qm).get("/"), "findings_open")["ctx"]
    counts = {s["value"]: s["n"] for s in ctx["severities"]}
    expected = {v: sum(1 for f in findings if f.severity == v) for v in ("major", "minor", "observation")}
    assert counts == expected and ctx["total"] == len(findings)


def test_a_specialist_sees_only_the_findings_of_her_projects(world, login, findings):
    response = login(world.spec_a).get("/")
    ctx = _panel(response, "findings_open")["ctx"]
    assert ctx["total"] == sum(1 for f in findings if f.project_id == world.project_a.pk)
    assert "PB" not in response.content.decode()


def test_every_count_links_to_the_list_behind_it(world, login, findings):
    ctx = _panel(login(world.qm).get("/"), "findings_open")["ctx"]
    major = next(s for s in ctx["severities"] if s["value"] == "major")
    listed = login(world.qm).get(major["url"]).context["page"].paginator.count
    assert listed == major["n"] == 1


def test_major_findings_escalated_show_for_the_general_manager_office(world, login, findings):
    body = login(world.gm).get("/").content.decode()
    assert "甲项目重大问题" in body and 'id="panel-major"' in body


def test_an_auditor_sees_her_audits_and_no_findings_panels(world, login, findings):
    response = login(world.auditor).get("/")
    keys = {p["panel"].key for p in response.context["panels"]}
    assert "my_audits" in keys and "findings_open" not in keys and "kpi_attainment" not in keys


def test_the_project_page_shows_one_project_and_is_404_for_a_foreign_project(world, login, findings):
    ok = login(world.spec_a).get(f"/cockpit/projects/{world.project_a.pk}/")
    assert ok.status_code == 200
    assert _panel(ok, "findings_open")["ctx"]["total"] == 2
    assert login(world.spec_a).get(f"/cockpit/projects/{world.project_b.pk}/").status_code == 404
    assert login(world.outsider).get(f"/cockpit/projects/{world.project_a.pk}/").status_code == 404


def test_an_outsider_gets_an_empty_cockpit_without_foreign_numbers(world, login, findings):
    response = login(world.outsider).get("/")
    assert response.status_code == 200
    ctx = (_panel(response, "findings_open") or {"ctx": {"total": 0}})["ctx"]
    assert ctx["total"] == 0


def test_overdue_actions_come_first_with_their_days_overdue(world, login):
    today = timezone.localdate()
    # History: the finding and its late action were recorded ten days ago (a due date may not be
    # in the past when it is set).
    with clock.frozen_at(timezone.now() - dt.timedelta(days=10)):
        f = _finding(world, world.project_a)
        services.finding_analyze(actor=world.ops_a, finding=f, cause="流程缺失")
        late = services.action_create(
            actor=world.ops_a, finding=f, description="晚", owner=world.ops_a, due_date=today - dt.timedelta(days=3)
        )
    services.action_create(actor=world.ops_a, finding=f, description="早", owner=world.ops_a, due_date=today + dt.timedelta(days=5))
    ctx = _panel(login(world.ops_a).get("/"), "actions_due")["ctx"]
    assert ctx["overdue"] == 1 and ctx["rows"][0].pk == late.pk and ctx["rows"][0].days_overdue == 3


def test_the_cockpit_runs_a_bounded_number_of_queries(world, login, findings, django_assert_max_num_queries):
    client = login(world.qm)
    with django_assert_max_num_queries(80):
        assert client.get("/").status_code == 200


def test_panels_of_other_apps_are_picked_up_from_their_panels_module():
    from opsqm.dashboards.panels import all_panels

    keys = {p.key for p in all_panels()}
    assert {
        "kpi_attainment",
        "findings_open",
        "findings_major",
        "actions_due",
        "audit_program",
        "my_audits",
        "my_work",
        "granted_scope",
    } <= keys
