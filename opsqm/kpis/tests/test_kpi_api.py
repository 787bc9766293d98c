"""GET /api/v1/kpis/: values checked against a second computation, access policy, bad parameters."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from opsqm.core.kpi import KPI_DEFINITIONS
from opsqm.kpis.results import kpi_results
from opsqm.kpis.tests.conftest import STORED_CUTOFF, independent_kpis
from opsqm.tickets.models import Ticket

URL = "/api/v1/kpis/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
CUTOFF = STORED_CUTOFF.isoformat()  # 2026-03-20T00:00:00+00:00


def _quarter1(ticket: Ticket) -> bool:
    local = ticket.created_at.astimezone(SHANGHAI)
    return local.year == 2026 and local.month <= 3


def test_it_answers_each_kpi_with_the_counts_of_a_second_computation(kpi_world, api_client):
    body = api_client(kpi_world.qm).get(URL, {"granularity": "quarter", "year": 2026, "cutoff": CUTOFF}).json()
    assert body["granularity"] == "quarter" and body["cutoff"].startswith("2026-03-20T00:00:00")
    got = {(r["project"], r["period"], r["kpi"]): r for r in body["results"]}
    tickets = [t for t in Ticket.objects.all() if _quarter1(t) and t.created_at <= STORED_CUTOFF]
    for code, project_ids in ((None, None), ("PA", [kpi_world.project_a.pk]), ("PB", [kpi_world.project_b.pk])):
        scope = tickets if project_ids is None else [t for t in tickets if t.project_id in project_ids]
        for kpi, (numerator, denominator) in independent_kpis(scope, STORED_CUTOFF).items():
            row = got[(code, "2026-Q1", kpi)]
            assert (row["numerator"], row["denominator"]) == (numerator, denominator), (code, kpi)
            if denominator:
                expected = numerator / denominator / (3600 if kpi == "mttr" else 1)
                assert row["value"] == pytest.approx(expected)
            else:
                assert row["value"] is None and row["met"] is None
    assert {r["kpi"] for r in body["results"]} == {c.value for c in KPI_DEFINITIONS}
    assert {r["period"] for r in body["results"]} == {"2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"}


def test_targets_and_verdicts_follow_the_catalogue(kpi_world, api_client):
    body = api_client(kpi_world.qm).get(URL, {"project": "PA", "granularity": "month", "year": 2026, "cutoff": CUTOFF}).json()
    row = next(r for r in body["results"] if r["period"] == "2026-01" and r["kpi"] == "response_timeliness")
    assert row["target"] == 0.95
    assert row["met"] is (row["value"] >= 0.95)
    assert {r["project"] for r in body["results"]} == {"PA"}


def test_a_specialist_sees_only_their_project_and_no_company_row(kpi_world, api_client):
    body = api_client(kpi_world.spec_a).get(URL, {"year": 2026}).json()
    assert {r["project"] for r in body["results"]} == {"PA"}


def test_a_foreign_or_unknown_project_is_404(kpi_world, api_client):
    assert api_client(kpi_world.spec_a).get(URL, {"project": "PB", "year": 2026}).status_code == 404
    assert api_client(kpi_world.outsider).get(URL, {"project": "PA", "year": 2026}).status_code == 404
    assert api_client(kpi_world.qm).get(URL, {"project": "NOPE", "year": 2026}).status_code == 404


def test_an_outsider_gets_no_values(kpi_world, api_client):
    assert api_client(kpi_world.outsider).get(URL, {"year": 2026}).json()["results"] == []
    assert api_client().get(URL).status_code == 401


@pytest.mark.parametrize(
    "params", [{"granularity": "week"}, {"year": "20x6"}, {"year": "1999"}, {"cutoff": "2026-13-01"}, {"cutoff": "yesterday"}]
)
def test_bad_parameters_are_400_with_a_message(kpi_world, api_client, params):
    response = api_client(kpi_world.qm).get(URL, params)
    assert response.status_code == 400
    assert list(response.json()) == list(params)


def test_a_date_cutoff_means_the_end_of_that_local_day(kpi_world, api_client):
    body = api_client(kpi_world.qm).get(URL, {"year": 2026, "cutoff": "2026-01-10"}).json()
    assert dt.datetime.fromisoformat(body["cutoff"]) == dt.datetime(2026, 1, 10, 15, 59, 59, tzinfo=dt.UTC)


def test_the_selector_gives_other_areas_the_same_records(kpi_world):
    records = kpi_results(user=kpi_world.qm, granularity="quarter", year=2026, cutoff=STORED_CUTOFF)
    company = [r for r in records if r.project is None and r.period.key == "2026-Q1"]
    assert len(company) == len(KPI_DEFINITIONS)


def test_the_endpoint_is_in_the_openapi_schema(kpi_world, client):
    client.force_login(kpi_world.qm)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/kpis/" in schema and "KpiResponse" in schema
