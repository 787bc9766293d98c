"""Ticket input end to end: Task SLA partial imports, value mapping, one report for every
bad row, re-imports that keep fields a source lacks, push parsed like files, import pages."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from opsqm.core.ticket_io import read_ticket_file
from opsqm.tickets.models import ColumnMappingProfile, ImportStatus, SlaAgreement, Ticket, TicketImport
from opsqm.tickets.tests.helpers import run_import

INCIDENTS = (
    "number,opened_at,priority,state,resolved_at,short_description,caller_id\n"
    "INC0010001,2026-03-02 09:00:00,2 - High,Resolved,2026-03-02 11:00:00,Email down,Abel\n"
    "INC0010002,2026-03-02 10:00:00,1 - Critical,In Progress,,VPN,Beth\n"
)
TASK_SLA = (
    "task,sla,sla.target,stage,has_breached,start_time,end_time\n"
    "INC0010001,P2 response,Response,Completed,false,2026-03-02 09:00:00,2026-03-02 09:20:00\n"
    "INC0010001,P2 resolution,Resolution,Completed,false,2026-03-02 09:00:00,2026-03-02 11:00:00\n"
    "INC0010002,P1 response,Response,Completed,true,2026-03-02 10:00:00,2026-03-02 10:45:30.900\n"
)


def state() -> dict[str, tuple]:
    return {
        t.number: (t.first_response_at, t.resolved_at, t.response_seconds, t.title, t.priority) for t in Ticket.objects.order_by("number")
    }


def test_task_sla_partial_import_fills_first_responses_and_is_idempotent(sla_world, django_capture_on_commit_callbacks):
    w = sla_world
    cap = django_capture_on_commit_callbacks
    assert run_import(cap, w.spec_a, w.project_a, "inc.csv", INCIDENTS.encode(), preset="servicenow").status == ImportStatus.SUCCEEDED
    before = state()
    assert before["INC0010001"][0] is None and before["INC0010001"][2] == 7200  # response counted at resolution
    record = run_import(cap, w.spec_a, w.project_a, "task_sla.csv", TASK_SLA.encode(), preset="servicenow_task_sla")
    assert record.status == ImportStatus.SUCCEEDED, record.message
    assert (record.updated_count, record.unchanged_count) == (2, 0)
    after = state()
    # Only the first response changed (and the SLA computed from it); 09:20 is 20 business minutes.
    assert after["INC0010001"][2] == 20 * 60
    assert after["INC0010002"][0].isoformat() == "2026-03-02T02:45:30+00:00"  # fraction floored
    for number in after:
        assert after[number][1:2] + after[number][3:] == before[number][1:2] + before[number][3:]
    again = run_import(cap, w.spec_a, w.project_a, "task_sla.csv", TASK_SLA.encode(), preset="servicenow_task_sla")
    assert (again.status, again.updated_count, again.unchanged_count) == (ImportStatus.SUCCEEDED, 0, 2)
    assert state() == after
    # A re-import of the incident list (no first-response column) keeps the first responses.
    changed = INCIDENTS.replace("Email down", "Email down (all)")
    record = run_import(cap, w.spec_a, w.project_a, "inc.csv", changed.encode(), preset="servicenow")
    assert (record.status, record.updated_count) == (ImportStatus.SUCCEEDED, 1)
    final = state()
    assert final["INC0010001"][0] == after["INC0010001"][0] and final["INC0010001"][2] == 20 * 60
    assert final["INC0010001"][3] == "Email down (all)"


def test_task_sla_with_unknown_ticket_numbers_writes_nothing_and_lists_them(sla_world, django_capture_on_commit_callbacks):
    w = sla_world
    cap = django_capture_on_commit_callbacks
    run_import(cap, w.spec_a, w.project_a, "inc.csv", INCIDENTS.encode(), preset="servicenow")
    before = state()
    extra = TASK_SLA + "INC0099999,P3 response,Response,Completed,false,2026-03-02 10:00:00,2026-03-02 10:10:00\n"
    record = run_import(cap, w.spec_a, w.project_a, "task_sla.csv", extra.encode(), preset="servicenow_task_sla")
    assert record.status == ImportStatus.FAILED and state() == before
    report = record.error_report.open("rb").read().decode("utf-8-sig")
    assert "5,task,INC0099999,系统中没有这张工单" in report
    # The same file for another project knows none of them.
    other = run_import(cap, w.spec_b, w.project_b, "task_sla.csv", TASK_SLA.encode(), preset="servicenow_task_sla")
    assert other.status == ImportStatus.FAILED and other.error_count == 2


def test_one_report_lists_unknown_priorities_together_with_every_other_bad_row(sla_world, django_capture_on_commit_callbacks):
    w = sla_world
    bad = (
        "工单号,优先级,创建时间,标题\n"
        "A1,P9,2026-03-02 09:00:00,ok\n"
        "A2,P1,2026-13-02 09:00:00,ok\n"
        f"A3,P1,2026-03-02 09:00:00,{'长' * 301}\n"
        "A4,很急,2026-03-02 09:00:00,ok\n"
    )
    record = run_import(django_capture_on_commit_callbacks, w.spec_a, w.project_a, "bad.csv", bad.encode())
    assert record.status == ImportStatus.FAILED and Ticket.objects.count() == 0
    assert record.error_count == 4
    report = record.error_report.open("rb").read().decode("utf-8-sig")
    rows = [line.split(",")[:2] for line in report.splitlines()[1:]]
    assert rows == [["2", "优先级"], ["3", "创建时间"], ["4", "标题"], ["5", "优先级"]]


def test_priority_names_of_the_agreement_and_a_saved_value_map_are_accepted(sla_world, django_capture_on_commit_callbacks):
    w = sla_world
    content = "工单号,优先级,创建时间\nB1,紧急,2026-03-02 09:00:00\nB2,p2,2026-03-02 09:00:00\nB3,很急,2026-03-02 09:00:00\n"
    mapping = {"columns": {"ticket_no": "工单号", "priority": "优先级", "created_at": "创建时间"}, "priority_map": {"很急": "高"}}
    record = run_import(django_capture_on_commit_callbacks, w.spec_a, w.project_a, "v.csv", content.encode(), mapping=mapping)
    assert record.status == ImportStatus.SUCCEEDED, record.message
    assert dict(Ticket.objects.values_list("number", "priority")) == {"B1": "P1", "B2": "P2", "B3": "P2"}


def test_push_accepts_pause_and_time_texts_exactly_like_a_file(sla_world, api_client):
    w = sla_world
    items = [
        {
            "ticket_no": "P-1",
            "priority": "p1",
            "created_at": "2026-03-02 09:00:00",
            "resolved_at": "2026/03/02 14:00:00",
            "pauses": "2026-03-02 10:00/2026-03-02 11:00",
            "contact": "王五",
            "contact_phone": "13700000000",
            "contact_email": "w5@example.com",
        }
    ]
    response = api_client(w.spec_a).post(f"/api/v1/projects/{w.project_a.pk}/tickets/", items, format="json")
    assert response.status_code == 200, response.json()
    ticket = Ticket.objects.get(number="P-1")
    file_batch = read_ticket_file(
        "工单号,优先级,创建时间,解决时间,挂起时段\nP-1,P1,2026-03-02 09:00:00,2026/03/02 14:00:00,2026-03-02 10:00/2026-03-02 11:00\n".encode(),
        filename="same.csv",
    )
    assert ticket.priority == "P1" and ticket.paused_seconds == 3600
    assert int(ticket.resolved_at.timestamp()) == int(file_batch.resolved[0].astype("int64"))
    assert (ticket.contact_phone, ticket.contact_email) == ("13700000000", "w5@example.com")
    denied = api_client(w.outsider).post(f"/api/v1/projects/{w.project_a.pk}/tickets/", items, format="json")
    assert denied.status_code == 404


# ----------------------------------------------------------------------- pages


def upload(client, project, name: str, content: bytes, preset: str = "canonical", encoding: str = "auto"):
    return client.post(
        f"/tickets/projects/{project.pk}/imports/new/",
        {"file": SimpleUploadedFile(name, content), "preset": preset, "profile": "", "encoding": encoding},
    )


def test_mapping_page_shows_each_header_once_and_priority_values_with_counts(sla_world, login, django_capture_on_commit_callbacks):
    w = sla_world
    client = login(w.spec_a)
    content = (
        "序号,工单编号,标题,状态,创建人,创建时间,结束时间,优先级,优先级\n"
        "1,NO1,a,已完成,admin,2026-03-02 09:00:00,2026-03-02 10:00:00,紧急,x\n"
        "2,NO2,b,已终止,admin,2026-03-02 09:00:00,2026-03-02 10:00:00,低,x\n"
        "3,NO3,c,处理中,admin,2026-03-02 09:00:00,--,低,x\n"
    ).encode()
    step1 = upload(client, w.project_a, "bk.csv", content, preset="blueking")
    page = client.get(step1["Location"]).content.decode()
    # Each header is listed once; a field's input repeats only the header it proposes.
    assert page.count('<option value="工单编号">') == 1 and page.count('<option value="优先级">') == 1
    assert page.count("工单编号") == 2 and page.count('value="序号"') == 1
    assert re.search(r"低</label>.*?<td class=\"text-end\">2</td>", page, re.S)
    assert re.search(r'value="P4" selected', page) and re.search(r'value="P1" selected', page)
    assert "blueking" not in re.sub(r'value="blueking"|"blueking":', "", page)  # presets by name only
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            step1["Location"],
            {
                "preset": "blueking",
                "col_ticket_no": "工单编号",
                "col_priority": "优先级",
                "col_created_at": "创建时间",
                "col_resolved_at": "结束时间",
                "col_status": "状态",
                "value_source": ["低", "紧急"],
                "value_target": ["P3", "P1"],
                "save_as": "蓝鲸",
                "start": "1",
            },
        )
    assert started.status_code == 302, started.content.decode()[:500]
    assert dict(Ticket.objects.values_list("number", "priority")) == {"NO1": "P1", "NO2": "P3", "NO3": "P3"}
    assert Ticket.objects.get(number="NO2").resolved_at is None  # 已终止 is not a resolution
    assert ColumnMappingProfile.objects.get(name="蓝鲸").mapping["priority_map"]["低"] == "P3"
    assert login(w.outsider).get(step1["Location"]).status_code == 404


def test_bad_workbooks_and_unknown_presets_answer_a_chinese_error_not_500(sla_world, login):
    w = sla_world
    client = login(w.spec_a)
    corrupt = upload(client, w.project_a, "c.xlsx", b"PK\x03\x04" + b"\0" * 300)
    assert corrupt.status_code == 200 and "损坏" in corrupt.content.decode()
    book = openpyxl.Workbook()
    book.active.append(["工单号", "优先级", "创建时间"])
    raw = io.BytesIO()
    book.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + data
            new.writestr(item, data)
    # The one upload gate refuses the declaration at upload, before any reader parses the XML.
    step1 = upload(client, w.project_a, "xxe.xlsx", out.getvalue())
    assert step1.status_code == 200 and "DOCTYPE" in step1.content.decode() and "root:" not in step1.content.decode()
    unknown = upload(client, w.project_a, "t.csv", b"ticket_no,priority,created_at\nT,P1,2026-03-02 09:00:00\n", preset="nope")
    assert unknown.status_code == 200 and "nope" not in unknown.content.decode().split("<select", 1)[0][-200:]
    good = upload(client, w.project_a, "t.csv", b"ticket_no,priority,created_at\nT,P1,2026-03-02 09:00:00\n")
    bad_preset = client.post(good["Location"], {"preset": "nope", "col_ticket_no": "ticket_no"}, follow=True)
    assert bad_preset.status_code == 200 and "未知的文件格式预设" in bad_preset.content.decode()


def test_templates_download_and_read_back_as_one_valid_ticket(sla_world, login):
    w = sla_world
    client = login(w.spec_a)
    for kind in ("csv", "xlsx"):
        response = client.get(f"/tickets/projects/{w.project_a.pk}/imports/template.{kind}")
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        batch = read_ticket_file(response.content, filename=f"t.{kind}", priorities=[("P1", "紧急"), ("P2", "高")])
        assert batch.ticket_no.tolist() == ["INC-2026-0001"] and batch.priority.tolist() == ["P2"]
        assert batch.pause_ticket.tolist() == [0] and batch.contact_email.tolist() == ["zhangsan@example.com"]
    assert login(w.outsider).get(f"/tickets/projects/{w.project_a.pk}/imports/template.csv").status_code == 404


def test_import_page_warns_when_the_project_has_no_sla_agreement(sla_world, login):
    w = sla_world
    page = login(w.spec_a).get(f"/tickets/projects/{w.project_a.pk}/imports/new/").content.decode()
    assert "还没有 SLA 协议" not in page and "Jira Service Management" in page and "jira_sm</" not in page
    SlaAgreement.objects.filter(project=w.project_a).delete()
    page = login(w.spec_a).get(f"/tickets/projects/{w.project_a.pk}/imports/new/").content.decode()
    assert "还没有 SLA 协议" in page


def test_import_records_keep_the_chosen_encoding(sla_world, login, django_capture_on_commit_callbacks):
    w = sla_world
    client = login(w.spec_a)
    content = "ticket_no,priority,created_at,title\nT1,P1,2026-03-02 09:00:00,印表機卡紙發生錯誤請協助處理\n".encode("big5")
    step1 = upload(client, w.project_a, "big5.csv", content, encoding="big5")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            step1["Location"],
            {
                "preset": "canonical",
                "encoding": "big5",
                "col_ticket_no": "ticket_no",
                "col_priority": "priority",
                "col_created_at": "created_at",
                "col_title": "title",
            },
        )
    assert TicketImport.objects.get().status == ImportStatus.SUCCEEDED
    assert Ticket.objects.get().title == "印表機卡紙發生錯誤請協助處理"
