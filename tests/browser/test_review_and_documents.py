"""Management review and controlled documents as the personas do them, in a real browser.

The management representative opens this year's review, sees its inputs assembled, records the
meeting and a decision that becomes a tracked action, issues the report (downloaded and opened with
python-docx) and approves it. A quality specialist publishes a new version of a procedure, the
management representative approves it, the quality manager makes it effective, and an O&M manager
on the distribution list confirms reading it from 我的待办.
"""

from __future__ import annotations

import io
import re

import pytest

pytestmark = pytest.mark.browser


def _user_id(server, username: str) -> str:
    return server.shell(f"from django.contrib.auth import get_user_model as g; print(g().objects.get(username='{username}').pk)").split()[
        -1
    ]


def test_the_years_management_review_from_inputs_to_approved_report(server, page_as):
    ops_a = _user_id(server, "ops_a")
    year = server.shell("from django.utils import timezone; print(timezone.localdate().year)").split()[-1]

    mgmt = page_as("mgmt")
    mgmt.goto(server.url("/reviews/"))
    mgmt.get_by_role("link", name=f"{year} 年度管理评审").click()
    mgmt.wait_for_url(re.compile(r"/reviews/\d+/$"))
    review_url = mgmt.url

    # Inputs assembled: every section is there, with the findings table and its chart.
    assert mgmt.locator("section.review-input").count() == 9
    findings = mgmt.locator("#input-findings")
    assert "问题按等级与状态" in findings.inner_text()
    chart = findings.locator("img")
    chart.scroll_into_view_if_needed()
    mgmt.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle(), timeout=30_000)
    assert "尚未启用" in mgmt.locator("#input-satisfaction").inner_text() or "满意度" in mgmt.locator("#input-satisfaction").inner_text()
    assert "以往管理评审输出措施 3 项" in mgmt.locator("#input-previous_actions").inner_text()

    # An annotation before the meeting.
    mgmt.locator("#input-kpis input[name=text]").fill("响应及时率连续两个季度未达标，会上重点讨论")
    mgmt.locator("#input-kpis").get_by_role("button", name="批注").click()
    mgmt.wait_for_url(re.compile(r"#input-kpis$"))
    assert "会上重点讨论" in mgmt.locator("#input-kpis").inner_text()

    # The meeting: attendance and minutes.
    mgmt.goto(review_url)
    mgmt.locator("#tab-meeting input[name=attended]").first.check()
    mgmt.locator("#tab-meeting textarea").first.fill("上年度 3 项措施完成 2 项，应急演练计划逾期，责成限期完成。")
    mgmt.locator("#conclusion").fill("体系运行基本有效。")
    mgmt.locator("#save-meeting").click()
    mgmt.wait_for_url(re.compile(r"#tab-meeting$"))
    assert mgmt.locator("#review-status").inner_text() == "已召开"

    # A decision becomes a tracked action.
    form = mgmt.locator("#new-action")
    form.locator("#id_kind").select_option("resource")
    form.locator("#id_decision").fill("为 PRJ-A 增配一名数据库工程师")
    form.locator("#id_owner").select_option(ops_a)
    form.locator("#id_due_date").fill(f"{int(year) + 1}-03-31")
    form.get_by_role("button", name="登记决定").click()
    mgmt.wait_for_url(re.compile(r"#tab-actions$"))
    row = mgmt.locator("#actions tr", has_text="为 PRJ-A 增配一名数据库工程师")
    assert re.search(rf"MR-{year}-\d{{4}}", row.inner_text()) and "进行中" in row.inner_text()

    owner = page_as("ops_a")
    owner.goto(server.url("/my-work/"))
    assert "为 PRJ-A 增配一名数据库工程师" in owner.content()

    # Issue the report, download it and read it.
    mgmt.locator("#issue-report").click()
    mgmt.wait_for_url(review_url)
    assert mgmt.locator("#review-status").inner_text() == "报告待批准"
    with mgmt.expect_download() as info:
        mgmt.get_by_role("link", name="下载评审报告").click()
    from docx import Document

    document = Document(io.BytesIO(open(info.value.path(), "rb").read()))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "为 PRJ-A 增配一名数据库工程师" in text and "会上重点讨论" in text and "二、评审输入" in text
    assert document.inline_shapes, "the report carries the inputs' charts"

    mgmt.locator("#approve-report").click()
    mgmt.wait_for_url(review_url)
    assert mgmt.locator("#review-status").inner_text() == "报告已批准（归档）"
    assert mgmt.locator("#new-action").count() == 0  # the record is frozen


def test_a_new_procedure_version_is_published_and_confirmed_by_a_reader(server, page_as, tmp_path):
    from docx import Document

    doc = Document()
    doc.add_heading("QP-06 内部审核程序 A/1", level=0)
    doc.add_paragraph("增加远程审核的方式与记录要求。")
    path = tmp_path / "QP-06-A1.docx"
    doc.save(path)

    spec = page_as("spec_a")
    spec.goto(server.url("/documents/?q=QP-06"))
    spec.get_by_role("link", name="QP-06").click()
    spec.wait_for_url(re.compile(r"/documents/\d+/$"))
    doc_url = spec.url
    form = spec.locator("#new-version")
    form.locator("#id_label").fill("A/1")
    form.locator("#id_change_note").fill("增加远程审核的方式与记录要求")
    form.locator("#id_file").set_input_files(str(path))
    form.get_by_role("button", name="建立新版本草稿").click()
    spec.wait_for_url(doc_url)
    spec.locator('tr[data-version="A/1"]').get_by_role("button", name="提交审核").click()
    spec.wait_for_url(doc_url)
    assert "审核中" in spec.locator('tr[data-version="A/1"]').inner_text()

    mgmt = page_as("mgmt")
    mgmt.goto(doc_url)
    mgmt.locator('tr[data-version="A/1"]').get_by_role("button", name="批准").click()
    mgmt.wait_for_url(doc_url)

    qm = page_as("qm")
    qm.goto(doc_url)
    qm.locator('tr[data-version="A/1"]').get_by_role("button", name="发布生效").click()
    qm.wait_for_url(doc_url)
    assert "现行有效" in qm.locator('tr[data-version="A/1"]').inner_text()
    old = qm.locator('tr[data-version="A/0"]')
    assert "已作废" in old.inner_text() and old.locator("form").count() == 0

    reader = page_as("ops_a")
    reader.goto(server.url("/my-work/"))
    reader.locator("a", has_text="QP-06 内部审核程序（A/1）").first.click()
    reader.wait_for_url(doc_url)
    reader.get_by_role("button", name="确认已阅读").click()
    reader.wait_for_url(doc_url)
    assert reader.locator("#read-confirm").count() == 0
    assert "已确认" in reader.locator("#read-status li", has_text="张伟").inner_text()
    reader.goto(server.url("/my-work/"))
    assert "QP-06 内部审核程序（A/1）" not in reader.content()
