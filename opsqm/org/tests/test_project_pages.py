from __future__ import annotations

import pytest

from opsqm.org.models import Project, ProjectMembership
from opsqm.records.models import AuditEvent


def project_payload(project, **overrides):
    data = {
        "code": project.code,
        "name": project.name,
        "customer": project.customer_id,
        "status": project.status,
        "department": project.department_id or "",
        "contract_start": project.contract_start,
        "contract_end": project.contract_end,
        "contract_value": project.contract_value,
        "ops_manager": project.ops_manager_id,
        "quality_specialist": project.quality_specialist_id or "",
        "time_zone": project.time_zone,
        "description": project.description,
        "version": project.version,
    }
    data.update(overrides)
    return data


PROJECT_PAGES = ["/org/projects/{pk}/", "/org/projects/{pk}/?tab=history", "/org/projects/{pk}/edit/"]


@pytest.mark.parametrize("path", PROJECT_PAGES)
def test_an_outsider_gets_404_on_every_project_page(world, login, path):
    assert login(world.outsider).get(path.format(pk=world.project_a.pk)).status_code == 404


@pytest.mark.parametrize("path", PROJECT_PAGES)
def test_a_specialist_of_project_a_gets_404_on_project_b(world, login, path):
    assert login(world.spec_a).get(path.format(pk=world.project_b.pk)).status_code == 404


def test_anonymous_users_are_sent_to_login(client, world):
    response = client.get(f"/org/projects/{world.project_a.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_shows_only_visible_projects(world, login):
    body = login(world.spec_a).get("/org/projects/").content.decode()
    assert "项目甲" in body and "项目乙" not in body
    body = login(world.outsider).get("/org/projects/").content.decode()
    assert "项目甲" not in body and "您还没有参与任何运维项目" in body
    body = login(world.qm).get("/org/projects/").content.decode()
    assert "项目甲" in body and "项目乙" in body


def test_project_members_see_the_project(world, login):
    ProjectMembership.objects.create(project=world.project_b, user=world.auditor)
    assert login(world.auditor).get(f"/org/projects/{world.project_b.pk}/").status_code == 200
    assert login(world.auditor).get(f"/org/projects/{world.project_a.pk}/").status_code == 404


def test_search_and_filters_narrow_the_list(world, login):
    client = login(world.qm)
    assert [p.code for p in client.get("/org/projects/?q=乙客户").context["page"]] == ["PB"]
    assert [p.code for p in client.get(f"/org/projects/?customer={world.customer_a.pk}").context["page"]] == ["PA"]
    assert list(client.get("/org/projects/?status=closed").context["page"]) == []


def test_the_list_runs_a_fixed_number_of_queries(world, login, django_assert_max_num_queries):
    import datetime as dt

    from opsqm.org.models import Customer, ProjectStatus

    for i in range(20):
        c = Customer.objects.create(code=f"X{i}", name=f"客户{i}")
        Project.objects.create(
            code=f"PX{i}",
            name=f"项目{i}",
            customer=c,
            status=ProjectStatus.ACTIVE,
            ops_manager=world.ops_a,
            contract_start=dt.date(2026, 1, 1),
            contract_end=dt.date(2026, 12, 31),
        )
    client = login(world.qm)
    with django_assert_max_num_queries(12):
        assert client.get("/org/projects/").status_code == 200


def test_the_quality_manager_creates_a_project_with_members(world, login):
    client = login(world.qm)
    data = project_payload(world.project_a, code="PN", name="新项目", members=[world.auditor.pk])
    data.pop("version")
    response = client.post("/org/projects/new/", data)
    project = Project.objects.get(code="PN")
    assert response.status_code == 302 and response["Location"] == f"/org/projects/{project.pk}/"
    assert list(project.memberships.values_list("user__username", flat=True)) == ["auditor"]


def test_a_contract_ending_before_it_starts_is_refused_in_chinese(world, login):
    data = project_payload(world.project_a, contract_end="2025-01-01")
    response = login(world.qm).post(f"/org/projects/{world.project_a.pk}/edit/", data)
    assert response.status_code == 200
    assert "合同结束日期不能早于开始日期" in response.content.decode()
    world.project_a.refresh_from_db()
    assert str(world.project_a.contract_end) == "2026-12-31"


@pytest.mark.parametrize("persona", ["spec_a", "ops_a", "gm", "auditor"])
def test_only_master_data_roles_may_create_or_edit(world, login, persona):
    client = login(getattr(world, persona))
    assert client.get("/org/projects/new/").status_code == 403
    visible = persona in {"spec_a", "ops_a", "gm"}
    expected = 403 if visible else 404
    assert client.post(f"/org/projects/{world.project_a.pk}/edit/", project_payload(world.project_a, name="x")).status_code in {
        403,
        expected,
    }
    world.project_a.refresh_from_db()
    assert world.project_a.name == "项目甲"


def test_a_stale_edit_gets_a_conflict_message_and_loses_nothing(world, login):
    client = login(world.qm)
    first = project_payload(world.project_a, name="第一次修改")
    second = project_payload(world.project_a, name="第二次修改")  # loaded at the same version
    assert client.post(f"/org/projects/{world.project_a.pk}/edit/", first).status_code == 302
    response = client.post(f"/org/projects/{world.project_a.pk}/edit/", second)
    assert response.status_code == 200
    assert "该记录已被他人修改" in response.content.decode()
    world.project_a.refresh_from_db()
    assert world.project_a.name == "第一次修改" and world.project_a.version == 2


def test_the_history_tab_shows_who_changed_what(world, login):
    client = login(world.qm)
    client.post(f"/org/projects/{world.project_a.pk}/edit/", project_payload(world.project_a, name="改名后"))
    body = client.get(f"/org/projects/{world.project_a.pk}/?tab=history").content.decode()
    assert "改名后" in body and "王质量（qm）" in body and "项目名称" in body
    event = AuditEvent.objects.filter(model="org.project", action="update").latest("id")
    assert event.ip == "127.0.0.1" and event.project_id == world.project_a.pk
