"""The quarterly review from opening to the report acknowledged by 总经办; report files; the CLI."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from opsqm.quarterly import services
from opsqm.quarterly.models import QuarterlyReview


def _submit(user, sub):
    return services.submission_save(
        actor=user,
        submission=sub,
        submit=True,
        data=dict(tickets_handled=10, major_incidents=0, summary="本季度运行平稳", next_plan="下季度做应急演练"),
    )


def test_a_review_runs_from_opening_to_acknowledgement_and_keeps_its_report(world):
    review = services.review_open(actor=world.qm, year=2026, quarter=1, today=dt.date(2026, 4, 1))
    subs = {s.project.code: s for s in review.submissions.select_related("project")}
    assert set(subs) == {"PA", "PB"} and subs["PA"].owner == world.ops_a
    from opsqm.dashboards.mywork import work_for

    assert any(i.kind == "待提交季度工作总结" for i in work_for(world.ops_a, dt.date(2026, 4, 2)))
    with pytest.raises(PermissionDenied):
        _submit(world.ops_b, subs["PA"])
    with pytest.raises(ValidationError):
        services.submission_save(actor=world.ops_a, submission=subs["PA"], submit=True, data={"summary": ""})
    _submit(world.ops_a, subs["PA"])
    review.refresh_from_db()
    review = services.review_write(actor=world.qm, review=review, analysis="分析", requirements="要求", expected_version=review.version)
    with pytest.raises(ValidationError):  # PB has not submitted: the step cannot be skipped
        services.review_report(actor=world.qm, review=review)
    _submit(world.ops_b, subs["PB"])
    review = services.review_report(actor=world.qm, review=review)
    assert review.status == QuarterlyReview.Status.REPORTED and review.report_docx and review.report_xlsx
    review = services.review_return(actor=world.gm, review=review, note="请补充 SLA 分析")
    review = services.review_write(
        actor=world.qm, review=review, analysis="分析（补充 SLA）", requirements="要求", expected_version=review.version
    )
    review = services.review_report(actor=world.qm, review=review)
    review = services.review_acknowledge(actor=world.gm, review=review, note="已阅")
    assert review.status == QuarterlyReview.Status.CLOSED and review.closed_at
    assert [e.kind for e in review.events.all()][-1] == "acknowledged"
    from docx import Document

    with review.report_docx.file.open("rb") as f:
        text = "\n".join(p.text for p in Document(f).paragraphs)
    assert "分析（补充 SLA）" in text and "已阅" in text and "本季度运行平稳" in text


def test_overdue_summaries_climb_the_ladder_once_per_level(world):
    review = services.review_open(actor=world.qm, year=2026, quarter=1, today=dt.date(2026, 4, 1))
    late = review.due_date + dt.timedelta(days=20)
    assert len(services.submissions_escalate_overdue(today=late)) == 2
    assert services.submissions_escalate_overdue(today=late) == []


def test_the_cli_writes_the_report_from_the_records_alone_when_no_review_exists(world, tmp_path):
    out = tmp_path / "q3.docx"
    call_command("quarterly_report", "2026-Q3", "--out", str(out), stdout=io.StringIO())
    assert out.read_bytes()[:2] == b"PK"
    xlsx = tmp_path / "q3.xlsx"
    call_command("quarterly_report", "2026-q3", "--out", str(xlsx), stdout=io.StringIO())
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    assert wb.sheetnames[0] == "指标" and wb["指标"].freeze_panes == "B2"
    formats = {row[1].value: row[2].number_format for row in wb["指标"].iter_rows(min_row=2) if row[0].value == "公司"}
    assert formats["SLA 达成率"] == "0.0%" and formats["平均解决时长"] == "0.0"
    with pytest.raises(CommandError):
        call_command("quarterly_report", "2026-13", "--out", str(out))


def test_the_satisfaction_area_says_it_is_not_available_without_the_surveys_app(world, login):
    review = services.review_open(actor=world.qm, year=2026, quarter=1, today=dt.date(2026, 4, 1))
    page = login(world.qm).get(f"/quarterly/{review.pk}/").content.decode()
    from django.apps import apps

    if apps.is_installed(
        "opsqm.surveys"
    ):  # installed: the area shows the quarter's figures (opsqm/surveys/tests/test_quarterly_section.py)
        assert "满意度调查功能尚未启用" not in page and "本季度客户投诉" in page
    else:
        assert "满意度调查功能尚未启用" in page
    assert login(world.qm).get(f"/quarterly/{review.pk}/?project={world.project_a.pk}").status_code == 200
