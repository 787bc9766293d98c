"""GET /api/v1/satisfaction/ and /api/v1/survey-responses/: the issue's shapes, one access policy."""

from __future__ import annotations

import pytest

from opsqm.surveys import services
from opsqm.surveys.models import Level
from opsqm.surveys.tests.helpers import answer_data, campaign, simple_template


def _answer(c, values_list):
    for inv, values in zip(c.invitations.order_by("id"), values_list):
        services.response_submit(token=services.invitation_token(inv), data=answer_data(c.template, values, text="希望响应更快"))


@pytest.fixture
def answered(world):
    pa = campaign(world, project=world.project_a, contacts=2)
    _answer(pa, [[5, 10], [3, 6]])
    cust = campaign(world, level=Level.CUSTOMER, customer=world.customer_a, contacts=1, template=simple_template(Level.CUSTOMER))
    _answer(cust, [[4, 8]])
    pb = campaign(world, project=world.project_b, contacts=1)
    _answer(pb, [[2, 4]])
    return pa


def test_the_satisfaction_api_matches_a_second_computation(api_client, world, answered):
    year = answered.created_at.year
    data = api_client(world.qm).get(f"/api/v1/satisfaction/?period={year}").json()
    assert data["period"] == str(year)
    rows = {p["project"]: p for p in data["projects"]}

    def resp(a, b):  # 1–5 weight 1 and 0–10 weight 3
        return ((a - 1) / 4 * 100 + b / 10 * 100 * 3) / 4

    pa_project = (resp(5, 10) + resp(3, 6)) / 2
    pa_customer = resp(4, 8)
    pa = (0.4 * pa_project + 0.3 * pa_customer) / 0.7
    pb = resp(2, 4)
    assert rows["PA"]["customer"] == "CA"
    assert rows["PA"]["levels"]["project"] == {"score": round(pa_project, 1), "responses": 2}
    assert rows["PA"]["levels"]["customer"] == {"score": round(pa_customer, 1), "responses": 1}
    assert "incident" not in rows["PA"]["levels"]
    assert rows["PA"]["score"] == round(pa, 1)
    assert rows["PB"]["score"] == round(pb, 1)
    assert data["company"]["equal"] == round((pa + pb) / 2, 1)
    assert data["company"]["contract_value"] == round((pa * 1 + pb * 2) / 3, 1)
    assert data["company"]["responses"] == round((pa * 3 + pb * 1) / 4, 1)


def test_a_project_member_sees_only_their_projects_and_a_foreign_project_is_404(api_client, world, answered):
    year = answered.created_at.year
    data = api_client(world.spec_a).get(f"/api/v1/satisfaction/?period={year}").json()
    assert [p["project"] for p in data["projects"]] == ["PA"]
    assert api_client(world.spec_a).get(f"/api/v1/satisfaction/?period={year}&project=PB").status_code == 404
    assert api_client(world.outsider).get(f"/api/v1/satisfaction/?period={year}").json()["projects"] == []
    assert api_client(world.qm).get("/api/v1/satisfaction/?period=2026-Q9").status_code == 400


def test_the_responses_api_lists_rating_answers_only_paginated(api_client, world, answered):
    year = answered.created_at.year
    data = api_client(world.spec_a).get(f"/api/v1/survey-responses/?period={year}").json()
    assert {"results", "next"} <= set(data)
    levels = sorted((r["level"], r["project"]) for r in data["results"])
    assert levels == [("customer", None), ("project", "PA"), ("project", "PA")]
    first = data["results"][0]
    assert first["customer"] == "CA"
    assert [(a["scale_min"], a["scale_max"], a["weight"]) for a in first["answers"]] == [(1, 5, 1.0), (0, 10, 3.0)]
    outsider = api_client(world.outsider).get(f"/api/v1/survey-responses/?period={year}").json()
    assert outsider["results"] == []


def test_both_endpoints_are_in_the_openapi_schema(api_client, world):
    schema = api_client(world.qm).get("/api/schema/?format=json").json()
    assert "/api/v1/satisfaction/" in schema["paths"] and "/api/v1/survey-responses/" in schema["paths"]
