"""`opsqm review-report YEAR --out FILE.docx`."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from django.core.management import CommandError, call_command

from opsqm.reviews import services

pytestmark = pytest.mark.django_db


def test_it_writes_the_years_report_and_the_approved_file_once_approved(world, review, tmp_path):
    out = tmp_path / "r.docx"
    call_command("review_report", "2026", "--out", str(out))
    assert "一、评审概况" in zipfile.ZipFile(out).read("word/document.xml").decode()
    review = services.review_assemble_inputs(actor=world.mgmt, review=review, as_of=dt.date(2026, 11, 30))
    review = services.review_record_meeting(actor=world.mgmt, review=review, attended=[world.qm], minutes={}, conclusion="有效")
    review = services.review_approve_report(actor=world.mgmt, review=services.review_issue_report(actor=world.qm, review=review))
    call_command("review_report", "2026", "--out", str(out))
    with review.report.file.open("rb") as f:
        assert out.read_bytes() == f.read()


def test_a_year_without_review_is_a_clear_error(world, tmp_path):
    with pytest.raises(CommandError, match="没有管理评审"):
        call_command("review_report", "2030", "--out", str(tmp_path / "x.docx"))
