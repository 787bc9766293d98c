"""客户满意度 as a KPI of the catalogue: pages, API, 发起问题 and the annual plan's objective.

Every expected number is computed a second time here, in a plain loop over the raw answers the
test writes, with PRODUCT.md "Satisfaction conversion" (not with opsqm.core.satisfaction).
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from opsqm.core.kpi import Period
from opsqm.findings.models import Finding
from opsqm.surveys import services as survey_services
from opsqm.surveys.models import Level, SatisfactionRules
from opsqm.surveys.tests.helpers import answer_data, campaign, simple_template

# The raw answers: (level, project code or None for customer level, [answer to Q1 on 1–5, answer to Q2 on 0–10]).
# The helper template weighs Q1 1 and Q2 3; customer CA owns PA (customer-level answers count for PA).
RAW = [
    ("project", "PA", [5, 10]),
    ("project", "PA", [3, 6]),
    ("customer", None, [4, 8]),
    ("project", "PB", [2, 4]),
]
SCALES = [(1, 5, 1.0), (0, 10, 3.0)]
LEVEL_WEIGHTS = {"incident": 0.3, "project": 0.4, "customer": 0.3}


def second_computation() -> dict:
    """Project scores, responses behind them and the equal-weight company score, by a plain loop."""
    by_project_level: dict[tuple[str, str], list[float]] = {}
    for level, project, values in RAW:
        total = weights = 0.0
        for value, (lo, hi, weight) in zip(values, SCALES):
            total += (value - lo) / (hi - lo) * 100 * weight
            weights += weight
        score = total / weights
        for code in ["PA"] if project is None else [project]:  # customer CA → its project PA
            by_project_level.setdefault((code, level), []).append(score)
    out = {}
    for code in ("PA", "PB"):
        num = den = 0.0
        responses = 0
        for level, weight in LEVEL_WEIGHTS.items():
            scores = by_project_level.get((code, level), [])
            if scores:
                num += weight * sum(scores) / len(scores)
                den += weight
                responses += len(scores)
        out[code] = (num / den, responses)
    out["company"] = ((out["PA"][0] + out["PB"][0]) / 2, out["PA"][1] + out["PB"][1])
    return out


@pytest.fixture
def answered(world):
    def answer(c, values_list):
        for inv, values in zip(c.invitations.order_by("id"), values_list):
            survey_services.response_submit(
                token=survey_services.invitation_token(inv), data=answer_data(c.template, values, text="希望响应更快")
            )

    answer(campaign(world, project=world.project_a, contacts=2), [v for lv, p, v in RAW if p == "PA"])
    answer(
        campaign(world, level=Level.CUSTOMER, customer=world.customer_a, contacts=1, template=simple_template(Level.CUSTOMER)),
        [v for lv, p, v in RAW if lv == "customer"],
    )
    answer(campaign(world, project=world.project_b, contacts=1), [v for lv, p, v in RAW if p == "PB"])
    return Period.of(timezone.localdate(), "quarter")


def _api_rows(client, **params):
    query = "&".join(f"{k}={v}" for k, v in {"granularity": "quarter", **params}.items())
    response = client.get(f"/api/v1/kpis/?{query}")
    assert response.status_code == 200, response.content
    return [r for r in response.json()["results"] if r["kpi"] == "customer_satisfaction"]


def test_the_kpi_api_gives_each_projects_and_the_companys_satisfaction_as_computed_from_the_raw_answers(api_client, world, answered):
    expected = second_computation()
    rows = {(r["project"], r["period"]): r for r in _api_rows(api_client(world.qm), year=answered.year)}
    for code, key in (("PA", "PA"), ("PB", "PB"), (None, "company")):
        row = rows[(code, answered.key)]
        score, responses = expected[key]
        assert row["value"] == round(score, 1)
        assert row["numerator"] is None and row["denominator"] == responses
        assert row["target"] == 85.0  # the satisfaction rules' default target
        assert row["met"] is (round(score, 1) >= 85)
    other_quarter = next(p for p in ("Q1", "Q2", "Q3", "Q4") if f"{answered.year}-{p}" != answered.key)
    empty = rows[("PA", f"{answered.year}-{other_quarter}")]
    assert empty["value"] is None and empty["denominator"] == 0 and empty["met"] is None


def test_the_years_satisfaction_rules_give_the_default_target_and_a_project_target_overrides_it(api_client, world, answered):
    from opsqm.kpis.services import target_set

    SatisfactionRules.objects.create(year=answered.year, target=70.0, bands=[[90, "非常满意"], [75, "满意"], [60, "一般"], [0, "不满意"]])
    target_set(actor=world.qm, kpi="customer_satisfaction", target=__import__("decimal").Decimal("95"), project=world.project_a)
    rows = {(r["project"], r["period"]): r for r in _api_rows(api_client(world.qm), year=answered.year)}
    assert rows[("PB", answered.key)]["target"] == 70.0 and rows[(None, answered.key)]["target"] == 70.0
    assert rows[("PA", answered.key)]["target"] == 95.0 and rows[("PA", answered.key)]["met"] is False


def test_a_member_sees_only_their_project_and_no_company_row_and_outsiders_see_nothing(api_client, world, answered):
    expected = second_computation()
    rows = _api_rows(api_client(world.spec_a), year=answered.year)
    assert {r["project"] for r in rows} == {"PA"}
    assert next(r for r in rows if r["period"] == answered.key)["value"] == round(expected["PA"][0], 1)
    assert api_client(world.spec_a).get(f"/api/v1/kpis/?project=PB&year={answered.year}").status_code == 404
    assert _api_rows(api_client(world.outsider), year=answered.year) == []


def _cell(html: str, kpi: str) -> str:
    match = re.search(rf'<td[^>]*data-kpi="{kpi}">(.*?)</td>', html, re.S)
    assert match, f"no {kpi} cell"
    return match.group(1)


def test_the_overview_and_project_pages_show_the_value_the_target_and_open_the_explanation(client, login, world, answered):
    expected = second_computation()
    qm = login(world.qm)
    html = qm.get(reverse("kpis:overview") + f"?granularity=quarter&year={answered.year}&period={answered.key}").content.decode()
    cells = re.findall(r'<td[^>]*data-kpi="customer_satisfaction">(.*?)</td>', html, re.S)
    assert len(cells) == 3  # company row, PA, PB
    company, pa, pb = cells
    assert f"{round(expected['company'][0], 1):.1f} 分" in company and "/surveys/?period=" in company
    assert f"{round(expected['PA'][0], 1):.1f} 分" in pa
    assert reverse("surveys:explain", args=["PA"]) + f"?period={answered.key}" in pa
    assert "85.0 分" in pa  # target
    assert f"{round(expected['PB'][0], 1):.1f} 分" in pb and "text-bg-danger" in pb  # 36.3 misses 85
    assert '"customer_satisfaction"' in html  # the trend chart's data
    spec = login(world.spec_a)
    page = spec.get(reverse("kpis:project", args=[world.project_a.pk]) + f"?granularity=quarter&year={answered.year}")
    assert f"{round(expected['PA'][0], 1):.1f} 分" in page.content.decode()
    assert spec.get(reverse("kpis:project", args=[world.project_b.pk])).status_code == 404
    overview = spec.get(reverse("kpis:overview") + f"?granularity=quarter&year={answered.year}&period={answered.key}").content.decode()
    assert len(re.findall(r'data-kpi="customer_satisfaction"', overview)) == 1  # PA only, no company row


def test_raising_a_finding_on_a_miss_creates_one_surveys_finding_and_a_second_click_creates_none(client, login, world, answered):
    qm = login(world.qm)
    url = reverse("kpis:raise_finding", args=[world.project_b.pk, "customer_satisfaction", answered.key])
    first = qm.post(url)
    assert first.status_code == 302
    found = Finding.objects.get(source_type="surveys.project_score", source_id=f"{world.project_b.pk}:{answered.key}")
    assert found.project_id == world.project_b.pk
    assert reverse("surveys:explain", args=["PB"]) in found.source_url
    assert qm.post(url).status_code == 302
    assert Finding.objects.filter(source_type="surveys.project_score").count() == 1
    # The surveys page proposing the same finding finds it too: still one per project and period.
    survey_services.finding_from_project_score(actor=world.qm, project=world.project_b, period=answered.key, score=36.3, threshold=75)
    assert Finding.objects.filter(source_type="surveys.project_score").count() == 1
    html = qm.get(reverse("kpis:overview") + f"?granularity=quarter&year={answered.year}&period={answered.key}").content.decode()
    assert found.code in html  # the missed cell links its finding instead of offering 发起问题 again
    # A specialist of another project cannot raise it (the project is not theirs: 404), nor an outsider.
    assert login(world.spec_a).post(url).status_code == 404
    assert login(world.outsider).post(url).status_code == 404


def test_a_met_satisfaction_raises_nothing(client, login, world, answered):
    from decimal import Decimal

    from opsqm.kpis.services import target_set

    target_set(actor=world.qm, kpi="customer_satisfaction", target=Decimal("30"), project=world.project_b)
    login(world.qm).post(reverse("kpis:raise_finding", args=[world.project_b.pk, "customer_satisfaction", answered.key]))
    assert not Finding.objects.filter(source_type="surveys.project_score").exists()


def test_an_annual_plan_objective_linked_to_customer_satisfaction_shows_its_attainment(client, login, world, answered):
    from opsqm.plans import services as plan_services
    from opsqm.plans.selectors import objective_attainment

    expected = second_computation()
    plan = plan_services.plan_generate(actor=world.qm, year=answered.year)
    rows = [a for a in objective_attainment(plan, timezone.localdate()) if a.objective.kpi == "customer_satisfaction"]
    assert len(rows) == 1
    row = rows[0]
    assert row.actual == round(expected["company"][0], 1)
    assert row.actual_display == f"{round(expected['company'][0], 1):.1f} 分"
    assert row.attained is (round(expected["company"][0], 1) >= float(row.objective.target))
    page = login(world.qm).get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert row.actual_display in page


def test_the_pages_show_the_whole_years_satisfaction_with_its_target_and_explanation(client, login, world, answered):
    expected = second_computation()  # every answer of the test falls in this year
    html = login(world.qm).get(reverse("kpis:overview") + f"?granularity=quarter&year={answered.year}").content.decode()
    card = html[html.index('id="satisfaction-year"') :]
    card = card[: card.index("card-footer")]
    assert f"{round(expected['company'][0], 1):.1f} 分" in card and f"{round(expected['PB'][0], 1):.1f} 分" in card
    assert reverse("surveys:explain", args=["PA"]) + f"?period={answered.year}" in card
    page = login(world.spec_a).get(reverse("kpis:project", args=[world.project_a.pk]) + f"?year={answered.year}").content.decode()
    card = page[page.index('id="satisfaction-year"') :]
    card = card[: card.index("card-footer")]
    assert f"{round(expected['PA'][0], 1):.1f} 分" in card and "PB" not in card


def test_by_month_the_api_and_the_overview_give_the_months_satisfaction(api_client, client, login, world, answered):
    expected = second_computation()  # every answer of the test falls in this month
    month = Period.of(timezone.localdate(), "month")
    rows = {(r["project"], r["period"]): r for r in _api_rows(api_client(world.qm), year=month.year, granularity="month")}
    assert rows[("PA", month.key)]["value"] == round(expected["PA"][0], 1)
    assert rows[(None, month.key)]["value"] == round(expected["company"][0], 1)
    html = login(world.qm).get(reverse("kpis:overview") + f"?granularity=month&year={month.year}&period={month.key}").content.decode()
    assert f"{round(expected['PB'][0], 1):.1f} 分" in _cell(html[html.index("PB") :], "customer_satisfaction")
