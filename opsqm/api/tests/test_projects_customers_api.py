from __future__ import annotations

import re

import pytest


def test_requests_without_a_token_are_refused(world, api_client):
    assert api_client().get("/api/v1/projects/").status_code == 401


def test_the_project_list_is_scoped_by_the_access_policy(world, api_client):
    codes = [p["code"] for p in api_client(world.spec_a).get("/api/v1/projects/").json()["results"]]
    assert codes == ["PA"]
    assert api_client(world.outsider).get("/api/v1/projects/").json()["count"] == 0
    assert api_client(world.qm).get("/api/v1/projects/").json()["count"] == 2


@pytest.mark.parametrize("path", ["/api/v1/projects/{project_b}/", "/api/v1/customers/{customer_b}/"])
def test_foreign_objects_are_404_for_a_specialist_and_an_outsider(world, api_client, path):
    url = path.format(project_b=world.project_b.pk, customer_b=world.customer_b.pk)
    assert api_client(world.spec_a).get(url).status_code == 404
    assert api_client(world.outsider).get(url).status_code == 404
    assert api_client(world.spec_a).patch(url, {"name": "x"}, format="json").status_code == 404


def test_the_quality_manager_creates_and_patches_a_project_with_versions(world, api_client):
    client = api_client(world.qm)
    payload = {
        "code": "PN",
        "name": "新项目",
        "customer": world.customer_a.pk,
        "status": "active",
        "contract_start": "2026-01-01",
        "contract_end": "2026-12-31",
        "contract_value": "500000.00",
        "ops_manager": world.ops_a.pk,
    }
    created = client.post("/api/v1/projects/", payload, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    ok = client.patch(f"/api/v1/projects/{pk}/", {"name": "改名", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(f"/api/v1/projects/{pk}/", {"name": "再改", "version": 1}, format="json")
    assert stale.status_code == 409 and "已被他人修改" in stale.json()["detail"]


def test_a_specialist_cannot_create_or_change_master_data(world, api_client):
    client = api_client(world.spec_a)
    assert client.post("/api/v1/customers/", {"code": "X", "name": "X"}, format="json").status_code == 403
    assert client.patch(f"/api/v1/projects/{world.project_a.pk}/", {"name": "x"}, format="json").status_code == 403


def test_bad_input_is_rejected_whole(world, api_client):
    client = api_client(world.qm)
    response = client.patch(
        f"/api/v1/projects/{world.project_a.pk}/",
        {"contract_end": "2020-01-01", "name": "半截", "version": world.project_a.version},
        format="json",
    )
    assert response.status_code == 400 and "合同结束" in str(response.json())
    world.project_a.refresh_from_db()
    assert world.project_a.name == "项目甲"


def test_the_openapi_schema_and_docs_are_served_locally(world, login):
    client = login(world.qm)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/projects/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    external = [u for u in re.findall(r'(?:src|href)="(https?://[^"]+)"', docs) if "127.0.0.1" not in u and "testserver" not in u]
    assert external == []
