"""Every .xlsx export (pages and CLI) goes through the one sheet writer: formula-like user text comes out as
plain text, never as a formula cell, and is still readable (apostrophe + the text as typed)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from opsqm.core.cells import FORMULA_PREFIXES

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://evil.example/x","点击查看")'
SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3"


def _strings_and_formulas(data: bytes) -> tuple[list[str], list[str]]:
    assert data[:2] == b"PK", data[:200]
    wb = load_workbook(io.BytesIO(data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    formulas = [
        f"{c.parent.title}!{c.coordinate}={c.value!r}"
        for c in cells
        if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith(FORMULA_PREFIXES))
    ]
    return [c.value for c in cells if isinstance(c.value, str)], formulas


@pytest.fixture
def hostile(world):
    """User text with formula payloads in a project, its customer, a finding, a corrective action and a complaint."""
    from opsqm.findings import services as fs
    from opsqm.surveys import services as ss
    from opsqm.surveys.models import Complaint

    project = world.project_a
    project.name = LINK
    project.save(update_fields=["name"])
    project.customer.name = SUM
    project.customer.save(update_fields=["name"])
    finding = fs.finding_create(actor=world.qm, title=LINK, description=SUM, severity="minor", source="manual", project=project)
    finding = fs.finding_analyze(actor=world.ops_a, finding=finding, cause=MINUS)
    fs.action_create(
        actor=world.ops_a, finding=finding, description=SUM, owner=world.ops_a, due_date=dt.date.today() + dt.timedelta(days=30)
    )
    ss.complaint_create(
        actor=world.qm,
        data={
            "channel": Complaint.Channel.values[0],
            "project": project,
            "contact": LINK,
            "content": SUM,
            "severity": Complaint.Severity.values[0],
            "handler": world.ops_a,
        },
    )
    return project


def test_every_xlsx_export_writes_formula_payloads_as_text(world, login, hostile, tmp_path):
    from opsqm.audits import report as audit_report
    from opsqm.audits import services as audit_services
    from opsqm.audits.tests.conftest import SMALL_CHECKLIST, save_checklist
    from opsqm.audits.tests.helpers import run_to
    from opsqm.checklists.models import ChecklistTemplate
    from opsqm.quarterly import services as qs

    year = dt.date.today().year
    qm = login(world.qm)
    exports: dict[str, bytes] = {}

    # pages
    exports["findings register"] = qm.get("/findings/export.xlsx").content
    exports["KPI overview"] = qm.get(reverse("kpis:overview_export")).content
    exports["KPI project"] = qm.get(reverse("kpis:project_export", args=[hostile.pk])).content
    exports["satisfaction report"] = qm.get(f"/surveys/report/{year}.xlsx").content
    version = save_checklist(
        SMALL_CHECKLIST.replace("text: 有培训记录", f"text: '{LINK}'").replace("text: 绩效考核有记录", f'text: "{SUM}"')
    )
    template = ChecklistTemplate.objects.get(current_version=version)
    exports["checklist"] = qm.get(reverse("checklists:export", args=[template.pk])).content
    review = qs.review_open(actor=world.qm, year=2026, quarter=1, today=dt.date(2026, 4, 1))
    review = qs.review_write(actor=world.qm, review=review, analysis=LINK, requirements=SUM, expected_version=review.version)
    exports["quarterly report (draft download)"] = qm.get(reverse("quarterly:download", args=[review.pk, "xlsx"])).content

    # the audit report file kept when the report is issued
    program = audit_services.program_create(actor=world.qm, year=2026, title=LINK, objectives=SUM)
    program = audit_services.program_approve(
        actor=world.gm, program=audit_services.program_submit(actor=world.qm, program=program), note="同意"
    )
    audit = audit_services.audit_plan(
        actor=world.qm,
        data=dict(
            title=LINK,
            kind="internal",
            mode="routine",
            program=program,
            criteria=SUM,
            planned_start=dt.date(2026, 6, 10),
            planned_end=dt.date(2026, 6, 12),
        ),
        projects=[world.project_b],
        departments=[],
        checklists=[(version, None)],
        lead=world.auditor,
        members=(),
    )
    exports["audit report"] = audit_report.render_xlsx(audit_report.report_context(run_to(world, audit, "reported")))

    # CLI
    for name, args in {
        "quarterly-report": ["quarterly_report", "2026-Q1"],
        "satisfaction-report": ["satisfaction_report", str(year)],
    }.items():
        out = tmp_path / f"{name}.xlsx"
        call_command(*args, "--out", str(out), stdout=io.StringIO())
        exports[f"opsqm {name}"] = out.read_bytes()

    seen = set()
    for name, data in exports.items():
        strings, formulas = _strings_and_formulas(data)
        assert formulas == [], (name, formulas)
        seen |= {payload for payload in (LINK, SUM, MINUS) if "'" + payload in strings}
        assert any(s.startswith("'") and s[1:].startswith(FORMULA_PREFIXES) for s in strings), f"{name}: no payload reached the file"
    assert seen == {LINK, SUM, MINUS}


def test_a_formula_put_in_by_hand_is_still_written_as_text():
    """The sweep in workbook_bytes: even a cell an export set to a formula directly becomes text."""
    from opsqm.core.cells import new_workbook, workbook_bytes

    wb = new_workbook()
    wb.active["A1"] = "=1+1"
    wb.active["B1"] = "\tcmd"
    wb.create_sheet("二")["C3"] = "@SUM(A1)"
    strings, formulas = _strings_and_formulas(workbook_bytes(wb))
    assert formulas == [] and {"'=1+1", "'\tcmd", "'@SUM(A1)"} <= set(strings)
