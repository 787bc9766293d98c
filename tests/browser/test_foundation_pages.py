"""The foundation as a user meets it: login, dashboard, projects, customers, history."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_login_page_is_chinese_and_rejects_a_wrong_password(server, browser):
    context = browser.new_context(locale="en-US")  # an English browser still gets Chinese by default
    page = context.new_page()
    page.goto(server.url("/"))
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", name="运维服务质量管理系统")).to_be_visible()
    page.fill("#id_username", "qm")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    context.close()


def test_quality_manager_sees_real_counts_and_charts(server, page_as):
    page = page_as("qm")
    page.goto(server.url("/"))
    open_findings = int(
        server.shell("from opsqm.findings.models import Finding; print(Finding.objects.exclude(status='closed').count())").strip()
    )
    expect(page.locator("#panel-findings .card-header a")).to_contain_text(str(open_findings))
    expect(page.locator("#chart-kpi-trend canvas")).to_have_count(1)
    expect(page.locator("#chart-satisfaction canvas")).to_have_count(1)


def test_specialist_sees_only_own_projects_and_a_foreign_one_is_404(server, page_as):
    page = page_as("spec_a")
    page.goto(server.url("/org/projects/"))
    codes = page.locator("tbody tr td:first-child").all_inner_texts()
    assert codes and "PRJ-B" not in codes and "PRJ-A" in codes
    foreign_id = server.shell("from opsqm.org.models import Project; print(Project.objects.get(code='PRJ-B').pk)").strip()
    response = page.goto(server.url(f"/org/projects/{foreign_id}/"))
    assert response.status == 404


def test_quality_manager_edits_a_project_and_the_history_tab_shows_it(server, page_as):
    page = page_as("qm")
    page.goto(server.url("/org/projects/"))
    page.get_by_role("link", name="PRJ-E").click()
    page.get_by_role("link", name="编辑项目").click()
    page.fill("#id_contract_value", "900000.00")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("项目已保存")
    page.get_by_role("link", name="变更历史").click()
    expect(page.locator(".history-table")).to_contain_text("900000")
    expect(page.locator(".history-table")).to_contain_text("王丽华")


def test_search_filters_customers(server, page_as):
    page = page_as("qm")
    page.goto(server.url("/org/customers/"))
    page.fill("#q", "银行")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("东海银行数据中心")


def test_on_a_phone_the_project_column_stays_visible_and_header_buttons_keep_their_label_on_one_line(server, page_as):
    page = page_as("qm")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server.url("/findings/"))
    box = page.locator(".table-responsive.table-scroll-sticky").first
    expect(box).to_be_visible()
    project_head = box.locator("thead th.col-project")
    before = project_head.bounding_box()
    box.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    page.wait_for_timeout(100)
    first = box.locator("thead th").first.bounding_box()
    after = project_head.bounding_box()
    view = box.bounding_box()
    # Scrolled to the far right, the project column still sits right after the (sticky) first column.
    assert after["x"] >= view["x"] and after["x"] + after["width"] <= view["x"] + view["width"] + 1
    assert abs(after["x"] - (first["x"] + first["width"])) <= 2, (before, first, after)

    project_id = server.shell("from opsqm.org.models import Project; print(Project.objects.get(code='PRJ-A').pk)").strip()
    page.goto(server.url(f"/org/projects/{project_id}/"))
    for button in page.locator(".page-head .btn").all():
        line = float(button.evaluate("el => parseFloat(getComputedStyle(el).lineHeight) || 20"))
        assert button.bounding_box()["height"] < 2 * line, button.inner_text()  # one line of text, not a column of characters
