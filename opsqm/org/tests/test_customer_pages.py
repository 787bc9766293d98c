from __future__ import annotations

import pytest

from opsqm.org.models import Customer


@pytest.mark.parametrize("path", ["/org/customers/{pk}/", "/org/customers/{pk}/?tab=history", "/org/customers/{pk}/edit/"])
def test_customers_of_foreign_projects_are_404(world, login, path):
    assert login(world.spec_a).get(path.format(pk=world.customer_b.pk)).status_code == 404
    assert login(world.outsider).get(path.format(pk=world.customer_a.pk)).status_code == 404


def test_the_customer_list_is_scoped_and_searchable(world, login):
    page = login(world.spec_a).get("/org/customers/").context["page"]
    assert [c.code for c in page] == ["CA"]
    page = login(world.qm).get("/org/customers/?q=乙").context["page"]
    assert [c.code for c in page] == ["CB"]
    page = login(world.qm).get("/org/customers/?industry=能源").context["page"]
    assert [c.code for c in page] == ["CA"]
    assert list(login(world.outsider).get("/org/customers/").context["page"]) == []


def test_the_quality_manager_creates_and_edits_a_customer_with_history(world, login):
    client = login(world.qm)
    response = client.post("/org/customers/new/", {"code": "CN", "name": "新客户", "contact_email": "a@b.cn"})
    customer = Customer.objects.get(code="CN")
    assert response.status_code == 302
    response = client.post(f"/org/customers/{customer.pk}/edit/", {"code": "CN", "name": "新客户二", "version": 1})
    assert response.status_code == 302
    body = client.get(f"/org/customers/{customer.pk}/?tab=history").content.decode()
    assert "新客户二" in body and "新建" in body and "修改" in body


def test_a_duplicate_customer_code_is_refused_in_chinese(world, login):
    response = login(world.qm).post("/org/customers/new/", {"code": "CA", "name": "重复"})
    assert response.status_code == 200 and "已存在" in response.content.decode()


def test_project_members_cannot_edit_customers(world, login):
    assert (
        login(world.ops_a).post(f"/org/customers/{world.customer_a.pk}/edit/", {"code": "CA", "name": "x", "version": 1}).status_code == 403
    )


def test_staff_page_is_for_org_wide_roles(world, login):
    assert login(world.qm).get("/org/staff/").status_code == 200
    assert login(world.spec_a).get("/org/staff/").status_code == 404
    assert login(world.outsider).get("/org/staff/").status_code == 404


def test_service_catalog_is_readable_by_internal_users(world, login):
    assert login(world.ops_a).get("/org/service-catalog/").status_code == 200
