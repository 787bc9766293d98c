"""XSS/template/formula payloads in user text come out of .docx and .xlsx exports as plain text."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree
from openpyxl import load_workbook

from opsqm.audits import report
from opsqm.audits.tests.helpers import run_to
from opsqm.core.cells import FORMULA_PREFIXES

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}",
    "{% for x in y %}",
    '=HYPERLINK("http://x","y")',
    "+1+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "-2+3",
]
TEXT = " ".join(PAYLOADS[:4])


@pytest.fixture
def hostile_audit(world, plan):
    from opsqm.audits import services
    from opsqm.audits.models import AuditItemResult

    audit = run_to(world, plan(title=TEXT), "onsite")
    items = list(AuditItemResult.objects.filter(audit=audit, assessable=True).order_by("position"))
    notes = PAYLOADS[4:] + PAYLOADS[:4]  # formula payloads first: the checklist may have only a few items
    for item, text in zip(items, notes, strict=False):
        services.audit_item_assess(actor=world.auditor, item=item, result="minor_nc", notes=text, expected_version=item.version)
    reported = run_to(world, audit, "reported")
    reported.used_payloads = notes[: len(items)]
    assert len(reported.used_payloads) >= 4
    return reported


def test_the_docx_report_keeps_payloads_as_escaped_text(hostile_audit):
    data = report.render_docx(report.report_context(hostile_audit))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = zf.read("word/document.xml")
    root = etree.fromstring(xml)  # still well-formed XML
    texts = "".join(root.itertext())
    assert TEXT in texts  # the title, exactly as typed: nothing evaluated, nothing dropped
    assert "49" not in texts.replace("2049", "") or "{{7*7}}" in texts
    assert b"<script>" not in xml and b"<img" not in xml
    assert root.find(".//{*}script") is None


def test_the_xlsx_report_neutralizes_formula_cells_and_keeps_markup_as_text(hostile_audit):
    wb = load_workbook(io.BytesIO(report.render_xlsx(report.report_context(hostile_audit))))
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [v for v in values if v.startswith(FORMULA_PREFIXES)]  # every formula-like cell got its apostrophe
    for payload in hostile_audit.used_payloads:
        expected = "'" + payload if payload.startswith(FORMULA_PREFIXES) else payload
        assert expected in values, payload
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_the_findings_export_neutralizes_formula_titles(world, login):
    from opsqm.findings.services import finding_create

    for payload in PAYLOADS:
        finding_create(actor=world.qm, title=payload, description=payload, severity="minor", source="manual", project=world.project_a)
    response = login(world.qm).get("/findings/export.xlsx")
    wb = load_workbook(io.BytesIO(response.content))
    cells = [c for row in wb.active.iter_rows(min_row=2) for c in row]
    assert all(c.data_type != "f" for c in cells)
    titles = {c.value for c in cells if c.column == 2}
    assert '\'=HYPERLINK("http://x","y")' in titles and "<script>alert(1)</script>" in titles
