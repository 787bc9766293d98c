from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from opsqm.jobs.models import Job
from opsqm.records.models import AuditEvent
from opsqm.tickets.models import ImportStatus, SlaStatus, Ticket, TicketPause
from opsqm.tickets.tests.helpers import CANONICAL_CSV, CHINESE_CSV, run_import, xlsx_bytes

UTC = dt.UTC


def _snapshot(project):
    return sorted(
        Ticket.objects.filter(project=project).values_list(
            "number",
            "priority",
            "created_at",
            "first_response_at",
            "resolved_at",
            "reopen_count",
            "first_contact_resolution",
            "updated_at",
            "row_hash",
            "response_seconds",
            "resolution_seconds",
        )
    )


def test_it_imports_a_canonical_csv_and_computes_sla(sla_world, django_capture_on_commit_callbacks):
    w = sla_world
    record = run_import(django_capture_on_commit_callbacks, w.spec_a, w.project_a, "t.csv", CANONICAL_CSV.encode())
    assert record.status == ImportStatus.SUCCEEDED, record.message
    assert (record.total_rows, record.created_count, record.updated_count, record.unchanged_count) == (3, 3, 0, 0)
    t1 = Ticket.objects.get(project=w.project_a, number="T1")
    assert t1.created_at == dt.datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 Asia/Shanghai
    # 09:00→09:20 is 20 min; 09:00→14:00 is 3 h + 30 min of working time minus a 1 h pause.
    assert (t1.response_seconds, t1.resolution_seconds, t1.paused_seconds) == (1200, 9000, 3600)
    assert (t1.response_status, t1.resolution_status) == (SlaStatus.MET, SlaStatus.MET)
    assert t1.first_contact_resolution is True
    assert t1.response_due == dt.datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    t2 = Ticket.objects.get(project=w.project_a, number="T2")
    # Friday 17:00–18:00 plus Monday 09:00–10:00; no first response → responded at resolution.
    assert (t2.response_seconds, t2.resolution_seconds, t2.reopen_count) == (7200, 7200, 1)
    t3 = Ticket.objects.get(project=w.project_a, number="T3")
    # Friday 17:00–18:00 plus 10 minutes on Saturday 2026-02-14, a 调休 make-up workday.
    assert t3.response_seconds == 4200 and t3.response_status == SlaStatus.BREACHED
    assert t3.resolution_seconds is None and t3.resolution_status == SlaStatus.BREACHED
    assert TicketPause.objects.filter(ticket=t1).count() == 1
    assert AuditEvent.objects.filter(model="tickets.ticket", action="bulk").count() == 1
    job = Job.objects.get(pk=record.job_id)
    assert job.status == "succeeded" and job.result["created"] == 3


@pytest.mark.parametrize(
    "name,content",
    [
        ("chinese.csv", CHINESE_CSV.encode("utf-8")),
        ("gbk.csv", CHINESE_CSV.encode("gbk")),
        ("gb18030.csv", CHINESE_CSV.encode("gb18030")),
        ("bom.csv", b"\xef\xbb\xbf" + CANONICAL_CSV.encode("utf-8")),
        ("book.xlsx", xlsx_bytes(CHINESE_CSV)),
    ],
)
def test_it_imports_every_supported_encoding_and_format(sla_world, django_capture_on_commit_callbacks, name, content):
    w = sla_world
    record = run_import(django_capture_on_commit_callbacks, w.spec_a, w.project_a, name, content)
    assert record.status == ImportStatus.SUCCEEDED, record.message
    t1 = Ticket.objects.get(project=w.project_a, number="T1")
    assert (t1.response_seconds, t1.resolution_seconds) == (1200, 9000)


PRESET_FILES = {
    "jira_sm": ("Issue key,Priority,Created,Resolved,Status,Summary\nSD-1,High,02/Mar/26 9:00 AM,02/Mar/26 11:00 AM,Done,打印机故障\n"),
    "servicenow": (
        "number,priority,opened_at,resolved_at,state,short_description\n"
        "INC001,2 - High,2026-03-02 09:00:00,2026-03-02 11:00:00,Resolved,打印机故障\n"
    ),
    "glpi": ("ID;Title;Status;Opening date;Priority;Resolution date\n1;打印机故障;Solved;2026-03-02 09:00;High;2026-03-02 11:00\n"),
    "blueking": ("单号,标题,状态,提单时间,结束时间,优先级\nBK001,打印机故障,已完成,2026-03-02 09:00:00,2026-03-02 11:00:00,高\n"),
}


@pytest.mark.parametrize("preset", sorted(PRESET_FILES))
def test_it_imports_each_itsm_preset(sla_world, django_capture_on_commit_callbacks, preset):
    w = sla_world
    record = run_import(
        django_capture_on_commit_callbacks, w.spec_a, w.project_a, f"{preset}.csv", PRESET_FILES[preset].encode(), preset=preset
    )
    assert record.status == ImportStatus.SUCCEEDED, record.message
    ticket = Ticket.objects.get(project=w.project_a)
    assert ticket.priority == "P2"
    assert ticket.resolution_seconds == 7200 and ticket.response_seconds == 7200


def test_bad_rows_store_nothing_and_give_a_row_column_reason_report(sla_world, django_capture_on_commit_callbacks):
    w = sla_world
    bad = CANONICAL_CSV + "T4,P1,2026-13-45 09:00:00,,,,,,\nT5,P9,2026-03-02 09:00:00,,,,,,\n"
    record = run_import(django_capture_on_commit_callbacks, w.spec_a, w.project_a, "bad.csv", bad.encode())
    assert record.status == ImportStatus.FAILED
    assert Ticket.objects.count() == 0 and TicketPause.objects.count() == 0
    assert record.error_count >= 1
    report = record.error_report.open("rb").read().decode("utf-8-sig")
    assert "行号,列,值,原因" in report
    assert "5,created_at,2026-13-45 09:00:00" in report  # row 5 = header + 4th data row
    job = Job.objects.get(pk=record.job_id)
    assert job.status == "failed" and job.result["report_url"].endswith("/report/")


def test_unknown_priority_is_a_row_error(sla_world, django_capture_on_commit_callbacks):
    w = sla_world
    bad = CANONICAL_CSV + "T5,P9,2026-03-02 09:00:00,,,,,,\n"
    record = run_import(django_capture_on_commit_callbacks, w.spec_a, w.project_a, "bad.csv", bad.encode())
    assert record.status == ImportStatus.FAILED and Ticket.objects.count() == 0
    report = record.error_report.open("rb").read().decode("utf-8-sig")
    assert "5,priority,P9,优先级不在本项目 SLA 协议中" in report


def test_reimporting_the_same_file_changes_nothing(sla_world, django_capture_on_commit_callbacks):
    w = sla_world
    run_import(django_capture_on_commit_callbacks, w.spec_a, w.project_a, "t.csv", CANONICAL_CSV.encode())
    before = _snapshot(w.project_a)
    pauses = list(TicketPause.objects.values_list("id", "start", "end"))
    record = run_import(django_capture_on_commit_callbacks, w.spec_a, w.project_a, "t.csv", CANONICAL_CSV.encode())
    assert (record.created_count, record.updated_count, record.unchanged_count) == (0, 0, 3)
    assert _snapshot(w.project_a) == before
    assert list(TicketPause.objects.values_list("id", "start", "end")) == pauses


def test_changed_content_updates_the_known_ticket(sla_world, django_capture_on_commit_callbacks):
    w = sla_world
    run_import(django_capture_on_commit_callbacks, w.spec_a, w.project_a, "t.csv", CANONICAL_CSV.encode())
    changed = CANONICAL_CSV.replace("2026-03-02 14:00:00,2026-03-02 10:00:00/2026-03-02 11:00:00", "2026-03-02 15:00:00,")
    record = run_import(django_capture_on_commit_callbacks, w.spec_a, w.project_a, "t2.csv", changed.encode())
    assert (record.created_count, record.updated_count, record.unchanged_count) == (0, 1, 2)
    t1 = Ticket.objects.get(project=w.project_a, number="T1")
    assert t1.resolved_at == dt.datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    assert (t1.resolution_seconds, t1.paused_seconds) == (3 * 3600 + 90 * 60, 0)
    assert not TicketPause.objects.filter(ticket=t1).exists()


def test_importing_into_an_invisible_project_is_refused(sla_world, django_capture_on_commit_callbacks):
    w = sla_world
    with pytest.raises(Http404):
        run_import(django_capture_on_commit_callbacks, w.spec_a, w.project_b, "t.csv", CANONICAL_CSV.encode())
    with pytest.raises(PermissionDenied):
        run_import(django_capture_on_commit_callbacks, w.gm, w.project_b, "t.csv", CANONICAL_CSV.encode())
    assert Ticket.objects.count() == 0


def test_a_file_whose_content_does_not_match_its_extension_is_refused(sla_world):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from opsqm.tickets.services import ticket_import_start

    w = sla_world
    with pytest.raises(ValidationError):
        ticket_import_start(actor=w.spec_a, project=w.project_a, uploaded_file=SimpleUploadedFile("x.xlsx", b"not a zip"))
    with pytest.raises(ValidationError):
        ticket_import_start(actor=w.spec_a, project=w.project_a, uploaded_file=SimpleUploadedFile("x.exe", b"MZ"))


def test_the_bulk_audit_event_names_the_uploader(sla_world, django_capture_on_commit_callbacks):
    w = sla_world
    run_import(django_capture_on_commit_callbacks, w.spec_a, w.project_a, "t.csv", CANONICAL_CSV.encode())
    event = AuditEvent.objects.get(model="tickets.ticket", action="bulk")
    assert event.actor_name == "spec_a" and event.project_id == w.project_a.pk
    assert event.changes["created"] == 3
