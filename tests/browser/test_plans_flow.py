"""The annual quality plan and the quarterly review, as the personas do them in a real browser.

qm generates next year's plan from the cadence, edits an activity and submits it; 总经办 approves;
qm completes an activity by linking an existing audit. qm opens a quarterly review; two O&M
managers submit their project summaries in the browser (the other projects' summaries are put in
through the service); qm writes the analysis and reports; 总经办 acknowledges; the quarter closes
and its report is downloaded and opened.
"""

from __future__ import annotations

import io
import re

import pytest

pytestmark = pytest.mark.browser


def test_next_years_plan_from_generation_to_approval_and_a_linked_audit(server, page_as):
    year = int(server.shell("from django.utils import timezone; print(timezone.localdate().year)").split()[-1]) + 1

    qm = page_as("qm")
    qm.goto(server.url("/plans/"))
    qm.fill("#id_year", str(year))
    qm.click("button[name=generate]")
    qm.wait_for_url(re.compile(r"/plans/\d+/$"))
    plan_url = qm.url
    assert "草稿" in qm.locator("#plan-status").inner_text()
    # Edit the satisfaction survey's date (draft: no revision needed).
    qm.get_by_role("link", name="年度客户满意度调查").click()
    qm.get_by_role("link", name="编辑").click()
    qm.fill("#id_due_date", f"{year}-11-10")
    qm.fill("#id_output", "满意度调查报告（含改进建议）")
    qm.click("button[name=save]")
    qm.wait_for_url(re.compile(r"/plans/activities/\d+/$"))
    assert f"{year}-11-10" in qm.content()
    qm.goto(plan_url)
    qm.click("button[name=submit-plan]")
    assert "待审批" in qm.locator("#plan-status").inner_text()

    gm = page_as("gm")
    gm.goto(server.url("/"))
    gm.goto(plan_url)
    gm.fill("#id_note", "同意，按计划执行。")
    gm.get_by_role("button", name="批准").click()
    assert "已批准" in gm.locator("#plan-status").inner_text()

    # Complete the mid-year audit activity by linking an audit that exists.
    audit_pk, audit_code = server.shell(
        "from opsqm.audits.models import Audit; a = Audit.objects.order_by('pk').first(); print(a.pk, a.code)"
    ).split()[-2:]
    qm.goto(plan_url)
    qm.get_by_role("link", name="年中运维服务能力内审").click()
    qm.select_option("#id_record", f"audits.audit:{audit_pk}")
    qm.click("button[name=link]")
    assert "已完成" in qm.locator("#activity-status").inner_text()
    assert audit_code in qm.locator("#linked-record").inner_text()
    # The plan's completion page counts it; the calendar shows it in June.
    qm.goto(plan_url + "calendar/?month=6")
    assert qm.locator("#plan-calendar .text-bg-success").count() >= 1


def test_a_quarterly_review_from_opening_to_acknowledgement(server, page_as):
    year = int(server.shell("from django.utils import timezone; print(timezone.localdate().year)").split()[-1]) - 1
    qm = page_as("qm")
    qm.goto(server.url("/quarterly/"))
    qm.fill("#id_year", str(year))
    qm.select_option("#id_quarter", "4")
    qm.click("button[name=open]")
    qm.wait_for_url(re.compile(r"/quarterly/\d+/$"))
    review_url = qm.url
    review_pk = review_url.rstrip("/").split("/")[-1]
    out = server.shell(
        f"from opsqm.quarterly.models import QuarterlySubmission as S; "
        f"print(*[f'{{s.pk}}:{{s.owner.username}}' for s in S.objects.filter(review_id={review_pk}).order_by('pk')])"
    ).split()
    subs = [x.split(":") for x in out if ":" in x]
    chosen = {}
    for pk, username in subs:
        if username not in chosen and len(chosen) < 2:
            chosen[username] = pk
    assert len(chosen) == 2
    for username, pk in chosen.items():
        ops = page_as(username)
        ops.goto(server.url("/my-work/"))
        assert "待提交季度工作总结" in ops.content()  # in 我的待办
        ops.goto(server.url(f"/quarterly/submissions/{pk}/"))
        ops.fill("#id_tickets_handled", "150")
        ops.fill("#id_major_incidents", "0")
        ops.fill("#id_summary", f"{username} 本季度运维工作总结：巡检、事件处理、服务报告均按时完成。")
        ops.fill("#id_next_plan", "下季度完成应急演练和知识库整理。")
        ops.click("button[name=submit][value='1']")
        assert "已提交" in ops.locator("#submission-status").inner_text()
    # The other projects' managers submit through the service (same code path as the page).
    server.shell(
        f"from opsqm.quarterly.models import QuarterlySubmission as S; from opsqm.quarterly.services import submission_save as f; "
        f"[f(actor=s.owner, submission=s, submit=True, data=dict(summary='按计划完成', next_plan='继续改进')) "
        f"for s in S.objects.filter(review_id={review_pk}, status='pending')]"
    )

    qm.goto(review_url)
    assert qm.locator("#submissions .text-success").count() == len(subs)
    qm.fill("#id_analysis", "本季度 SLA 达成率总体达标；个别项目响应及时率偏低。")
    qm.fill("#id_requirements", "响应及时率未达标的项目两周内提交整改措施。")
    qm.click("button[name=save-analysis]")
    qm.click("button[name=report]")
    assert "已报总经办" in qm.locator("#review-status").inner_text()

    gm = page_as("gm")
    gm.goto(server.url("/my-work/"))
    assert "待阅季度质量报告" in gm.content()
    gm.goto(review_url)
    gm.fill("#id_note", "已阅，同意改进要求。")
    gm.click("button[name=decision][value=ack]")
    assert "已关闭" in gm.locator("#review-status").inner_text()
    with gm.expect_download() as info:
        gm.get_by_role("link", name="Word").click()
    from docx import Document

    with open(info.value.path(), "rb") as f:
        text = "\n".join(p.text for p in Document(io.BytesIO(f.read())).paragraphs)
    assert "已阅，同意改进要求。" in text and "响应及时率未达标的项目两周内提交整改措施。" in text
