"""Issue #3 end to end: import a Jira Service Management export with its preset, watch the
import job reach 100 %, open the project's KPI page and drill down to the imported tickets."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _created_in_last_month(now_local: dt.datetime) -> dt.datetime:
    """09:00 on the 15th of last month: wholly in the past and inside one month, whatever the hour
    of the run (a ticket resolved later than now is rightly still open as of now)."""
    return (now_local.replace(day=1) - dt.timedelta(days=1)).replace(day=15, hour=9, minute=0, second=0, microsecond=0)


def _jira_csv(created: dt.datetime) -> bytes:
    """Three tickets in the Jira preset's columns and date format (%d/%b/%y %I:%M %p)."""

    def jira(t: dt.datetime) -> str:
        return t.strftime("%d/%b/%y %I:%M %p")

    lines = ["Issue key,Priority,Created,Resolved,Status,Issue Type,Summary,Reporter"]
    lines.append(f"KPIBT-1,High,{jira(created)},{jira(created + dt.timedelta(minutes=50))},Resolved,Incident,打印机故障,Alice")
    lines.append(f"KPIBT-2,Medium,{jira(created)},{jira(created + dt.timedelta(minutes=30))},Resolved,Service Request,新增账号,Bob")
    lines.append(f"KPIBT-3,Low,{jira(created)},,Open,Incident,网络偶发丢包,Carol")
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_import_with_preset_then_drill_down_from_the_kpi_page(server, page_as):
    project_id = int(server.shell("from opsqm.org.models import Project; print(Project.objects.get(code='PRJ-A').pk)").strip())
    tz = server.shell("from opsqm.org.models import Project; print(Project.objects.get(code='PRJ-A').time_zone)").strip()
    created = _created_in_last_month(dt.datetime.now(ZoneInfo(tz or "Asia/Shanghai")))
    page = page_as("qm")

    page.goto(server.url(f"/tickets/projects/{project_id}/imports/new/"))
    page.set_input_files("input[name=file]", files=[{"name": "jira-export.csv", "mimeType": "text/csv", "buffer": _jira_csv(created)}])
    page.select_option("select[name=preset]", "jira_sm")
    page.get_by_role("button", name="下一步：核对列映射").click()

    expect(page.locator("select#preset")).to_have_value("jira_sm")
    expect(page.locator("#col_ticket_no")).to_have_value("Issue key")
    # Another preset refills the columns it would read (the canonical one finds none in a Jira file).
    page.select_option("select#preset", "canonical")
    expect(page.locator("#col_ticket_no")).to_have_value("")
    page.select_option("select#preset", "jira_sm")
    expect(page.locator("#col_ticket_no")).to_have_value("Issue key")
    page.get_by_role("button", name="开始导入").click()

    progress = page.locator("#job-progress")
    expect(progress).to_have_attribute("data-status", "succeeded", timeout=60_000)
    expect(progress).to_contain_text("100%")

    period = created.strftime("%Y-%m")
    page.goto(server.url(f"/kpis/projects/{project_id}/?granularity=month&year={created.year}"))
    expect(page.locator("h1")).to_contain_text("质量指标")
    cell = page.locator(f"td[data-kpi=resolution_rate] a.kpi-value[href*='/{period}/']").first
    expect(cell).to_be_visible()
    cell.click()

    expect(page).to_have_url(re.compile(rf"/kpis/drill/{project_id}/resolution_rate/{period}/"))
    expect(page.locator("table.drill-table")).to_be_visible()
    page.get_by_placeholder("按工单号查找").fill("KPIBT")
    page.get_by_role("button", name="查找").click()
    table = page.locator("table.drill-table")
    expect(table).to_contain_text("KPIBT-1")
    expect(table).to_contain_text("KPIBT-2")
    # The open ticket is in the denominator only.
    page.get_by_role("link", name=re.compile("未解决")).click()
    expect(page.locator("table.drill-table")).to_contain_text("KPIBT-3")
