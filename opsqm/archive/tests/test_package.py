"""The assessor package: scoped to projects and a period, opened and checked file by file."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from opsqm.archive import services
from opsqm.archive.models import PackageStatus
from opsqm.archive.package import build_zip
from opsqm.archive.providers import PackageScope
from opsqm.documents.tests.conftest import publish
from opsqm.findings import services as findings
from opsqm.records.evidence import evidence_store
from opsqm.reviews import services as reviews
from opsqm.reviews.tests.conftest import at, make_audit

pytestmark = pytest.mark.django_db

B_MARKERS = ("PB", "项目乙", "乙客户", "乙项目问题", "PC-2026-B", "乙证据")


@pytest.fixture
def records(world):
    from opsqm.documents.models import DocumentType
    from opsqm.documents.services import document_create

    fa = findings.finding_create(
        actor=world.qm,
        title="甲项目问题",
        description="甲",
        severity="minor",
        source="audit",
        project=world.project_a,
        now=at(dt.date(2026, 3, 1)),
    )
    findings.finding_create(
        actor=world.qm,
        title="乙项目问题",
        description="乙",
        severity="minor",
        source="audit",
        project=world.project_b,
        now=at(dt.date(2026, 3, 2)),
    )
    findings.finding_create(
        actor=world.qm, title="公司级问题", description="公司", severity="observation", source="manual", now=at(dt.date(2026, 3, 3))
    )
    findings.finding_analyze(actor=world.qm, finding=fa, cause="巡检遗漏", now=at(dt.date(2026, 3, 4)))
    # planned in March (a due date before the day it is set is refused)
    findings.action_create(
        actor=world.qm,
        finding=fa,
        description="甲项目纠正措施",
        owner=world.ops_a,
        due_date=dt.date(2026, 4, 1),
        now=at(dt.date(2026, 3, 5)),
    )
    make_audit(world, "PC-2026-A", dt.date(2026, 5, 1), [world.project_a])
    make_audit(world, "PC-2026-B", dt.date(2026, 5, 2), [world.project_b])
    make_audit(world, "PC-2026-AB", dt.date(2026, 5, 3), [world.project_a, world.project_b])
    doc = document_create(actor=world.qm, code="QP-01", title="服务级别管理程序", doc_type=DocumentType.PROCEDURE, owner=world.qm)
    publish(world, doc, "A/0")
    ev_a = evidence_store(
        uploaded_file=SimpleUploadedFile("甲证据.txt", "甲项目巡检记录".encode()), actor=world.qm, owner=fa, project_id=world.project_a.pk
    )
    ev_b = evidence_store(
        uploaded_file=SimpleUploadedFile("乙证据.txt", "乙项目巡检记录 PB".encode()),
        actor=world.qm,
        owner=fa,
        project_id=world.project_b.pk,
    )
    review = reviews.review_create(actor=world.mgmt, year=2026, planned_date=dt.date(2026, 12, 20), place="会议室", chair=world.gm)
    review = reviews.review_assemble_inputs(actor=world.mgmt, review=review, as_of=dt.date(2026, 11, 30))
    review = reviews.review_record_meeting(actor=world.mgmt, review=review, attended=[world.mgmt], minutes={}, conclusion="有效")
    reviews.review_approve_report(actor=world.mgmt, review=reviews.review_issue_report(actor=world.qm, review=review))
    return {"ev_a": ev_a, "ev_b": ev_b}


@pytest.fixture
def other_areas(world):
    """The plan, quarterly and surveys areas' records of 2026: an approved plan, Q2 closed with its kept report,
    surveys answered and complaints registered in both projects (company-level documents mention PB)."""
    from opsqm.plans import services as plans
    from opsqm.quarterly import services as quarterly
    from opsqm.surveys.tests.quarter_data import make

    make(world)
    plans.plan_approve(
        actor=world.gm, plan=plans.plan_submit(actor=world.qm, plan=plans.plan_generate(actor=world.qm, year=2026)), note="同意"
    )
    review = quarterly.review_open(actor=world.qm, year=2026, quarter=2, today=dt.date(2026, 7, 1))
    for sub in review.submissions.select_related("project"):
        quarterly.submission_save(
            actor=sub.owner,
            submission=sub,
            submit=True,
            data={"tickets_handled": 5, "summary": f"{sub.project.code} 本季度运行平稳", "next_plan": "继续"},
        )
    review.refresh_from_db()
    review = quarterly.review_write(
        actor=world.qm, review=review, analysis="季度分析", requirements="改进要求", expected_version=review.version
    )
    quarterly.review_acknowledge(actor=world.gm, review=quarterly.review_report(actor=world.qm, review=review), note="已阅")


def texts_of(data: bytes) -> dict[str, str]:
    """Every file of the package as searchable text (.docx: all its XML parts)."""
    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            raw = zf.read(name)
            if name.endswith(".docx"):
                with zipfile.ZipFile(io.BytesIO(raw)) as inner:
                    raw = b"".join(inner.read(n) for n in inner.namelist() if n.endswith(".xml"))
            out[name] = raw.decode("utf-8", errors="replace")
    return out


def build(scope: PackageScope) -> bytes:
    buf = io.BytesIO()
    build_zip(scope, buf, title="测试资料包")
    return buf.getvalue()


def test_a_package_for_project_a_holds_nothing_of_project_b(world, records, other_areas):
    scope = PackageScope(2026, dt.date(2026, 1, 1), dt.date(2026, 12, 31), frozenset({world.project_a.pk}), (records["ev_a"].pk,))
    files = texts_of(build(scope))
    assert {"index.html", "SHA256SUMS.txt", "findings/findings-register.html"} <= set(files)
    assert any(n.startswith("audits/PC-2026-A-") for n in files)
    assert any(n.startswith("documents/QP-01") for n in files)
    assert any(n.startswith(f"evidence/{records['ev_a'].pk}-") for n in files)
    for name, text in files.items():
        for marker in B_MARKERS:
            assert marker not in text, (name, marker)
    assert "公司级问题" not in files["findings/findings-register.html"]
    assert "甲项目问题" in files["findings/findings-register.html"] and "甲项目纠正措施" in files["findings/findings-register.html"]
    assert not any(n.startswith("reviews/") for n in files)  # company-level report stays out of a project package
    # so do the plan, the quarterly reports and the satisfaction report; the index says why
    assert not any(n.startswith(("plan/", "quarterly/", "surveys/")) for n in files)
    for why in ("年度质量管理计划是公司级记录", "季度质量报告是公司级记录", "客户满意度调查报告是公司级记录"):
        assert why in files["index.html"]


def test_the_whole_company_package_holds_the_plan_the_closed_quarters_reports_and_the_satisfaction_report(world, records, other_areas):
    from docx import Document
    from openpyxl import load_workbook

    with zipfile.ZipFile(io.BytesIO(build(PackageScope(2026, dt.date(2026, 1, 1), dt.date(2026, 12, 31), None)))) as zf:
        names = set(zf.namelist())
        assert {
            "plan/2026-年度质量管理计划.docx",
            "quarterly/2026-Q2-季度质量报告.docx",
            "quarterly/2026-Q2-季度质量报告.xlsx",
            "surveys/2026-客户满意度报告.docx",
            "surveys/2026-客户满意度报告.xlsx",
        } <= names
        plan = "\n".join(p.text for p in Document(io.BytesIO(zf.read("plan/2026-年度质量管理计划.docx"))).paragraphs)
        assert "2026" in plan
        q2 = Document(io.BytesIO(zf.read("quarterly/2026-Q2-季度质量报告.docx")))
        q2_text = "\n".join(p.text for p in q2.paragraphs) + "".join(c.text for t in q2.tables for r in t.rows for c in r.cells)
        assert "季度分析" in q2_text and "PA 项目满意度" in q2_text
        sv = Document(io.BytesIO(zf.read("surveys/2026-客户满意度报告.docx")))
        sv_cells = [c.text for t in sv.tables for r in t.rows for c in r.cells]
        assert "PA" in sv_cells and "PB" in sv_cells
        load_workbook(io.BytesIO(zf.read("surveys/2026-客户满意度报告.xlsx")))
    # a period before Q2 closes holds no quarterly report
    early = texts_of(build(PackageScope(2026, dt.date(2026, 1, 1), dt.date(2026, 3, 31), None)))
    assert not any(n.startswith("quarterly/") for n in early)


def test_the_whole_company_package_holds_everything_including_the_review_report(world, records):
    files = texts_of(build(PackageScope(2026, dt.date(2026, 1, 1), dt.date(2026, 12, 31), None)))
    assert any(n.startswith("reviews/2026-") for n in files)
    assert {n.split("-")[0] + "-" + n.split("-")[1] + "-" + n.split("-")[2] for n in files if n.startswith("audits/")} == {
        "audits/PC-2026-A",
        "audits/PC-2026-B",
        "audits/PC-2026-AB",
    }
    assert "乙项目问题" in files["findings/findings-register.html"] and "公司级问题" in files["findings/findings-register.html"]


def test_the_period_limits_the_records(world, records):
    files = texts_of(build(PackageScope(2026, dt.date(2026, 1, 1), dt.date(2026, 3, 1), None)))
    assert not any(n.startswith("audits/") for n in files)
    register = files["findings/findings-register.html"]
    assert "甲项目问题" in register and "乙项目问题" not in register


def test_the_index_opens_offline_links_every_file_and_the_hashes_match(world, records):
    data = build(PackageScope(2026, dt.date(2026, 1, 1), dt.date(2026, 12, 31), frozenset({world.project_a.pk}), (records["ev_a"].pk,)))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        index = zf.read("index.html").decode()
        assert "<script" not in index.lower() and "http://" not in index and "https://" not in index
        links = {unquote(h) for h in re.findall(r'href="([^"]+)"', index)}
        assert links == names - {"index.html", "SHA256SUMS.txt"}
        sums = dict(reversed(line.split("  ", 1)) for line in zf.read("SHA256SUMS.txt").decode().splitlines())
        for name in links:
            content = zf.read(name)
            assert sums[name] == hashlib.sha256(content).hexdigest()
            assert sums[name] in index
        assert "该模块尚未启用" in index or "年度质量管理计划" in index


def test_evidence_of_another_project_cannot_be_chosen(world, records):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.package_create(
            actor=world.qm,
            year=2026,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            projects=[world.project_a],
            evidence_ids=[records["ev_b"].pk],
            enqueue=False,
        )
    scope = PackageScope(2026, dt.date(2026, 1, 1), dt.date(2026, 12, 31), frozenset({world.project_a.pk}), (records["ev_b"].pk,))
    assert not any(n.startswith("evidence/") for n in texts_of(build(scope)))  # the provider re-checks


def test_the_page_builds_the_package_as_a_background_job_and_the_cli_builds_the_same_files(
    world, records, tmp_path, django_capture_on_commit_callbacks
):
    from opsqm.jobs.models import Job

    with django_capture_on_commit_callbacks(execute=True):
        package = services.package_create(
            actor=world.qm,
            year=2026,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            projects=[world.project_a],
            evidence_ids=[records["ev_a"].pk],
        )
    package.refresh_from_db()
    job = Job.objects.get(pk=package.job_id)
    assert package.status == PackageStatus.READY and job.status == "succeeded" and job.percent == 100
    with package.file.open("rb") as f:
        page_files = set(zipfile.ZipFile(f).namelist())
    assert {e["path"] for e in package.manifest} == page_files - {"index.html", "SHA256SUMS.txt"}
    out = tmp_path / "pkg.zip"
    call_command("assessor_package", "--year", "2026", "--project", "PA", "--evidence", str(records["ev_a"].pk), "--out", str(out))
    assert set(zipfile.ZipFile(out).namelist()) == page_files
