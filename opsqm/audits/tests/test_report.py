"""The audit report: .docx from the template, .xlsx, the replaceable template."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opsqm.audits import report
from opsqm.audits.models import ReportTemplate
from opsqm.audits.tests.helpers import assess, run_to


@pytest.fixture
def reported(world, plan):
    audit = run_to(world, plan(title="年中内审 <A&B>"), "onsite")
    assess(world, audit, {"1.1": "conform", "1.2": "major_nc", "1.3": "minor_nc", "2": "observation"})
    return run_to(world, audit, "reported")


def _docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def test_the_docx_report_holds_code_team_meetings_and_nonconformities(world, reported, login):
    response = login(world.ops_b).get(reverse("audits:audit_report_download", args=[reported.pk, "docx"]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    text = _docx_text(b"".join(response.streaming_content))
    from opsqm.audits.selectors import findings_of_audit

    codes = list(findings_of_audit(reported).values_list("code", flat=True))
    assert reported.code in text and "年中内审 <A&B>" in text  # user text escaped into the XML, not broken
    assert "周内审" in text and "审核组长" in text and "首次会议" in text and "末次会议" in text
    assert len(codes) == 3 and all(code in text for code in codes)
    assert "严重不符合" in text and "符合率" in text and "{{" not in text and "{%" not in text


def test_the_xlsx_report_has_three_sheets_and_neutralized_cells(world, plan, login):
    from openpyxl import load_workbook

    from opsqm.audits import services
    from opsqm.audits.models import AuditItemResult

    audit = run_to(world, plan(), "onsite")
    item = AuditItemResult.objects.filter(audit=audit, assessable=True).first()
    services.audit_item_assess(actor=world.auditor, item=item, result="minor_nc", notes="=cmd|' /C calc'!A0", expected_version=item.version)
    audit = run_to(world, audit, "reported")
    response = login(world.qm).get(reverse("audits:audit_report_download", args=[audit.pk, "xlsx"]))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames == ["概况", "检查结果", "不符合项"]
    notes = [row[4] for row in wb["检查结果"].iter_rows(min_row=2, values_only=True)]
    assert "'=cmd|' /C calc'!A0" in notes
    assert wb["概况"]["B2"].value == audit.code


def test_a_replacement_template_is_validated_used_and_revertable(world, reported):
    from docx import Document

    doc = Document()
    doc.add_paragraph("自定义模板 {{ audit.code }} {{ lead }}")
    buf = io.BytesIO()
    doc.save(buf)
    template = report.report_template_upload(actor=world.qm, uploaded_file=SimpleUploadedFile("我的模板.docx", buf.getvalue()))
    assert report.active_template() == template
    text = _docx_text(report.render_docx(report.report_context(reported)))
    assert text.strip() == f"自定义模板 {reported.code} 周内审"
    report.report_template_revert(actor=world.qm)
    assert report.active_template() is None and ReportTemplate.objects.count() == 1


def test_a_broken_template_is_refused(world):
    from django.core.exceptions import ValidationError
    from docx import Document

    doc = Document()
    doc.add_paragraph("{% for x in %}")
    buf = io.BytesIO()
    doc.save(buf)
    with pytest.raises(ValidationError) as exc:
        report.report_template_upload(actor=world.qm, uploaded_file=SimpleUploadedFile("坏模板.docx", buf.getvalue()))
    assert "有语法错误" in exc.value.messages[0] and "{% for x in %}" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        report.report_template_upload(actor=world.qm, uploaded_file=SimpleUploadedFile("假模板.docx", b"hello"))


def test_the_template_page_downloads_the_current_template(world, login):
    response = login(world.qm).get(reverse("audits:report_template_download"))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert login(world.spec_a).get(reverse("audits:report_template_download")).status_code == 404
