"""客户满意度 as a KPI, in a browser: the project's KPI page shows the year's satisfaction with its
target, and its value opens the satisfaction explanation down to the responses."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_kpi_page_opens_the_satisfaction_explanation_down_to_the_responses(server, page_as):
    project_id = int(server.shell("from opsqm.org.models import Project; print(Project.objects.get(code='PRJ-A').pk)").strip())
    year = dt.date.today().year
    page = page_as("qm")
    page.goto(server.url(f"/kpis/projects/{project_id}/?granularity=quarter&year={year}"))
    card = page.locator("#satisfaction-year")
    expect(card).to_contain_text("客户满意度")
    expect(card).to_contain_text("PRJ-A")
    expect(card.locator("td").first).to_contain_text("分")
    expect(page.locator("#chart-customer_satisfaction")).to_be_visible()
    card.locator("a").first.click()
    expect(page).to_have_url(f"{server.url('/surveys/explain/PRJ-A/')}?period={year}")
    expect(page.locator("body")).to_contain_text("PRJ-A")
    # The explanation lists the responses behind the score; each opens down to its raw answers.
    response_link = page.locator("a[href*='/surveys/responses/']").first
    expect(response_link).to_be_visible()
    response_link.click()
    expect(page).to_have_url(re.compile(r"/surveys/responses/\d+/$"))
