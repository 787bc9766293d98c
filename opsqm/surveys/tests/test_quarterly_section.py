"""The quarterly quality review's satisfaction area: the quarter's scores by project and level and its
complaints, on the analysis page and in the quarterly report (.docx), checked against a second computation."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from opsqm.core.kpi import Period
from opsqm.quarterly import services as quarterly
from opsqm.quarterly.selectors import satisfaction_section
from opsqm.surveys.tests.quarter_data import make

pytestmark = pytest.mark.django_db


def _rows(section):
    return {r["label"]: r["value"] for r in section["rows"]}


def test_the_company_section_holds_every_projects_score_the_company_score_and_the_quarters_complaints(world):
    data = make(world)
    section = satisfaction_section(Period(2026, quarter=2), None)
    rows = _rows(section)
    assert section["available"] is True and section["complaints"] == 2  # May and June; the July one is Q3's
    assert rows["PA 项目满意度"].startswith(f"{data['scores']['project_a']:.1f}")
    assert rows["PB 项目满意度"].startswith(f"{data['scores']['project_b']:.1f}")
    assert "项目级 " + f"{data['scores']['project_a']:.1f}（2 份）" in rows["PA 项目满意度"]
    assert rows["公司满意度（各项目等权）"].startswith(f"{data['company_equal']:.1f}")
    assert rows["本季度回收答卷"] == "3 份"


def test_a_project_section_holds_nothing_of_another_project(world):
    make(world)
    section = satisfaction_section(Period(2026, quarter=2), [world.project_a.pk])
    text = " ".join(f"{r['label']} {r['value']}" for r in section["rows"])
    assert "PA 项目满意度" in text and "PB" not in text and "公司满意度" not in text
    assert section["complaints"] == 1 and _rows(section)["本季度回收答卷"] == "2 份"


def test_a_quarter_without_responses_says_too_few_samples_and_counts_its_own_complaints(world):
    make(world)
    section = satisfaction_section(Period(2026, quarter=3), None)
    assert section["complaints"] == 1
    assert _rows(section)["PA 项目满意度"].startswith("样本不足") and _rows(section)["本季度回收答卷"] == "0 份"


def test_the_analysis_page_and_the_quarterly_report_show_the_section_and_an_outsider_gets_404(world, login):
    data = make(world)
    review = quarterly.review_open(actor=world.qm, year=2026, quarter=2, today=dt.date(2026, 7, 1))
    page = login(world.qm).get(f"/quarterly/{review.pk}/").content.decode()
    assert f"{data['scores']['project_a']:.1f}" in page and "本季度客户投诉：2 起" in page
    assert login(world.outsider).get(f"/quarterly/{review.pk}/").status_code == 404
    from docx import Document

    from opsqm.quarterly import report

    doc = Document(io.BytesIO(report.render_docx(report.report_content(year=2026, quarter=2))))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "PA 项目满意度" in cells and "本季度客户投诉" in cells and "2 起" in cells
    assert any(c.startswith(f"{data['company_equal']:.1f}") for c in cells)
