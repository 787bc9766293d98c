"""A whole internal audit as the personas do it, in a real browser against a real server.

qm drafts next year's program and submits it; 总经办 approves; qm plans an internal audit of
PRJ-B led by the auditor (independent of PRJ-B); the auditor holds the opening meeting, starts
on-site, records a major and a minor nonconformity with an uploaded evidence file, concludes,
holds the closing meeting and issues the report (downloaded and opened with python-docx);
ops_b (O&M manager of PRJ-B) answers and implements; spec_b verifies; the audit is closed.
"""

from __future__ import annotations

import re
import struct
import zlib

import pytest

pytestmark = pytest.mark.browser


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _ids(server) -> dict[str, str]:
    out = server.shell(
        "from django.contrib.auth import get_user_model as g; from opsqm.org.models import Project as P; "
        "from opsqm.checklists.models import ChecklistTemplate as T; "
        "print(P.objects.get(code='PRJ-B').pk, T.objects.get(ref_id='PPL').current_version_id, "
        "g().objects.get(username='auditor').pk, g().objects.get(username='ops_b').pk)"
    ).split()[-4:]
    return dict(zip(("project", "version", "auditor", "ops_b"), out))


def _save_row(page, row_id: str, result: str, notes: str) -> None:
    row = page.locator(f"#{row_id}")
    row.locator("select[name=result]").select_option(result)
    row.locator("textarea[name=notes]").fill(notes)
    row.locator("button[name=save-item]").click()
    page.locator(f"#{row_id} .row-saved").wait_for()


def test_a_whole_internal_audit(server, page_as, tmp_path):
    ids = _ids(server)
    year = int(server.shell("from django.utils import timezone; print(timezone.localdate().year)").split()[-1]) + 1

    # 1. The quality manager drafts next year's program and submits it.
    qm = page_as("qm")
    qm.goto(server.url("/audits/programs/new/"))
    qm.fill("#id_year", str(year))
    qm.fill("#id_title", f"{year} 年度内部审核方案")
    qm.fill("#id_objectives", "年中、年末各一次内部审核，覆盖重点项目。")
    qm.get_by_role("button", name="保存").click()
    qm.wait_for_url(re.compile(r"/audits/programs/\d+/$"))
    program_url = qm.url
    program_id = program_url.rstrip("/").split("/")[-1]
    qm.click("button[name=submit-program]")
    assert qm.locator("#program-status").inner_text() == "待审批"

    # 2. 总经办 approves.
    gm = page_as("gm")
    gm.goto(program_url)
    gm.fill("#id_note", "同意")
    gm.click("button[value=approve]")
    assert gm.locator("#program-status").inner_text() == "已批准"

    # 3. The quality manager plans an internal audit of PRJ-B with the auditor as lead.
    qm.goto(server.url("/audits/new/"))
    qm.select_option("#id_kind", "internal")
    qm.select_option("#id_program", program_id)
    qm.fill("#id_title", f"{year} 年年中内部审核（浏览器测试）")
    qm.fill("#id_planned_start", f"{year}-06-10")
    qm.fill("#id_planned_end", f"{year}-06-12")
    qm.select_option("#id_projects", [ids["project"]])
    qm.select_option("#id_checklists", [ids["version"]])
    qm.select_option("#id_lead", ids["auditor"])
    qm.get_by_role("button", name="保存策划").click()
    qm.wait_for_url(re.compile(r"/audits/\d+/$"))
    audit_url = qm.url
    code = qm.locator(".page-head .text-secondary").inner_text().split(" ")[0]
    assert code.startswith(f"IA-{year}-")

    # 4. The auditor (lead) holds the opening meeting and starts on-site.
    auditor = page_as("auditor")
    auditor.goto(audit_url)
    auditor.fill("#opening-form [name=location]", "江南市人民医院信息中心会议室")
    auditor.fill("#opening-form [name=minutes]", "介绍审核目的、范围、准则和日程。")
    auditor.click("#opening-form button[name=record-meeting]")
    assert auditor.locator("#audit-stage").inner_text() == "首次会议"
    auditor.click("button[name=start-onsite]")
    auditor.wait_for_url(re.compile(r"/results/$"))

    # 5. Results: a major and a minor nonconformity, one conform, and an evidence file.
    rows = auditor.locator(".result-row")
    first, second, third = (rows.nth(i).get_attribute("id") for i in range(3))
    _save_row(auditor, first, "major_nc", "关键岗位无备份人员，值班表只有一人。")
    _save_row(auditor, second, "minor_nc", "人员储备计划未按季度更新。")
    _save_row(auditor, third, "conform", "交接记录齐全。")
    row = auditor.locator(f"#{first}")
    row.locator("input[name=file]").set_input_files({"name": "值班表照片.png", "mimeType": "image/png", "buffer": _png()})
    row.locator("button[name=upload-evidence]").click()
    auditor.locator(f"#{first} a", has_text="值班表照片.png").wait_for()
    auditor.reload()
    assert "3 / " in auditor.locator("#progress-count").inner_text()

    # 6. Conclusion: blocked while items are open; 本节全部符合 settles the rest; then the nonconformities become findings.
    auditor.goto(audit_url)
    assert auditor.locator("button[name=conclude]").is_disabled()
    auditor.goto(audit_url + "results/")
    auditor.on("dialog", lambda dialog: dialog.accept())
    for i in range(auditor.locator("button[name=conform-rest]").count()):
        with auditor.expect_navigation():
            auditor.locator("button[name=conform-rest]").nth(i).click()
    auditor.goto(audit_url)
    assert "均已评估" in auditor.locator("#unresolved-items").inner_text()
    auditor.select_option("#conclude-form [name=rating]", "basically")
    auditor.fill("#conclude-form [name=conclusion]", "体系运行基本有效，关键岗位备份需整改。")
    auditor.click("button[name=conclude]")
    assert auditor.locator("#audit-stage").inner_text() == "审核结论"
    findings = auditor.locator("#audit-findings li a")
    assert findings.count() == 2
    finding_urls = [server.url(findings.nth(i).get_attribute("href")) for i in range(2)]
    assert "重大" in auditor.locator("#audit-findings").inner_text() and "一般" in auditor.locator("#audit-findings").inner_text()

    # 7. Closing meeting, report issued and downloaded, follow-up started.
    auditor.fill("#closing-form [name=location]", "江南市人民医院信息中心会议室")
    auditor.fill("#closing-form [name=minutes]", "通报审核发现，受审核方确认两项不符合。")
    auditor.click("#closing-form button[name=record-meeting]")
    assert auditor.locator("#audit-stage").inner_text() == "末次会议"
    auditor.click("button[name=issue-report]")
    with auditor.expect_download() as info:
        auditor.click("#download-docx")
    path = tmp_path / "report.docx"
    info.value.save_as(path)
    from docx import Document

    doc = Document(str(path))
    text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert code in text and "周敏" in text and "关键岗位无备份人员" in text and "严重不符合" in text
    auditor.click("button[name=start-followup]")
    assert auditor.locator("#audit-stage").inner_text() == "跟踪整改"

    # 8. The O&M manager of PRJ-B answers and implements; another person (spec_b) verifies.
    ops = page_as("ops_b")
    spec = page_as("spec_b")
    for url in finding_urls:
        ops.goto(url)
        ops.locator("[data-testid=next-steps] a", has_text="原因分析").click()
        ops.fill("#id_cause", "关键岗位 AB 角制度未落实到排班。")
        ops.get_by_role("button", name="提交").click()
        ops.locator("[data-testid=next-steps] a", has_text="制定纠正措施").click()
        ops.fill("#id_description", "为关键岗位指定备份人员并调整排班。")
        ops.select_option("#id_owner", ids["ops_b"])
        ops.fill("#id_due_date", f"{year}-07-01")
        ops.get_by_role("button", name="提交").click()
        ops.locator("a", has_text="登记实施").click()
        ops.fill("#id_note", "AB 角名单已发布，排班已调整。")
        ops.get_by_role("button", name="提交").click()
        spec.goto(url)
        spec.locator("a", has_text="验证").first.click()
        spec.check("input[name=effective][value='1']")
        spec.fill("#id_note", "抽查排班表，整改有效。")
        spec.get_by_role("button", name="提交").click()
        spec.goto(url)
        assert "已关闭" in spec.locator("[data-testid=finding-status]").inner_text()

    # 9. Follow-up complete: the lead closes the audit.
    auditor.goto(audit_url)
    auditor.click("button[name=close-audit]")
    assert auditor.locator("#audit-stage").inner_text() == "已关闭"
    stage = server.shell(f"from opsqm.audits.models import Audit; print(Audit.objects.get(code='{code}').stage)").split()[-1]
    assert stage == "closed"
