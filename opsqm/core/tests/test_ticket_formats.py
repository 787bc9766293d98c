"""Real ITSM exports, written here the way each tool writes them, read field by field.

Each sample carries the awkward cases of its tool: quotes, thousands separators,
sub-second times, 12 AM/PM, repeated headers, "--" for empty, cancelled tickets with
an end time, and Excel re-saves. Expected values are worked out by hand in the test
(local Asia/Shanghai = UTC+8), independently of the reader.
"""

from __future__ import annotations

import io
from datetime import datetime

import numpy as np
import openpyxl
import pytest

from opsqm.core.ticket_io import TicketFileError, read_task_sla, read_ticket_file
from opsqm.core.ticket_presets import PRESETS


def utc(text: str) -> np.datetime64:
    return np.datetime64(text, "s")


def nat() -> np.datetime64:
    return np.datetime64("NaT", "s")


def same_times(actual: np.ndarray, expected: list[np.datetime64]) -> bool:
    return len(actual) == len(expected) and all((np.isnat(a) and np.isnat(e)) or a == e for a, e in zip(actual, expected))


# ------------------------------------------------------------------------ Jira

JIRA_CSV = (
    "Summary,Issue key,Issue id,Issue Type,Status,Priority,Reporter,Created,Updated,Resolved,"
    "Labels,Labels,Labels,Comment,Comment,Custom field ([CHART] Date of First Response),"
    "Custom field (Time to first response)\r\n"
    '"Printer says ""paper jam"", again",SD-101,10101,Incident,Done,High,Ann Lee,'
    "27/Sep/24 5:00 PM,27/Sep/24 6:00 PM,27/Sep/24 5:45 PM,hw,floor3,,"
    '"27/Sep/24 5:10 PM;ann;""On it""",,2024-09-27 17:09:59.999,-30m\r\n'
    "VPN down,SD-102,10102,Incident,In Progress,Highest,Bo Chen,01/Oct/24 12:05 AM,01/Oct/24 12:30 AM,,"
    "net,,,,,2024-10-01 00:20:00.500,\r\n"
    "Mail quota,SD-103,10103,Service request,Done,Low,Cai Wu,01/Oct/24 12:00 PM,01/Oct/24 1:00 PM,"
    "01/Oct/24 12:59 PM,,,,,,,\r\n"
)


def test_jira_export_with_repeated_headers_chart_first_response_and_12_hour_clock():
    batch = read_ticket_file(JIRA_CSV.encode(), filename="jira.csv", mapping=PRESETS["jira_sm"].mapping)
    assert batch.ticket_no.tolist() == ["SD-101", "SD-102", "SD-103"]
    assert batch.title.tolist() == ['Printer says "paper jam", again', "VPN down", "Mail quota"]
    assert batch.priority.tolist() == ["P2", "P1", "P4"]
    assert batch.contact.tolist() == ["Ann Lee", "Bo Chen", "Cai Wu"]
    # 5:00 PM local = 09:00 UTC; 12:05 AM is five past midnight; 12:00 PM is noon.
    assert same_times(batch.created, [utc("2024-09-27T09:00:00"), utc("2024-09-30T16:05:00"), utc("2024-10-01T04:00:00")])
    # [CHART] times: the fraction is dropped, never rounded (17:09:59.999 stays 17:09:59).
    assert same_times(batch.first_response, [utc("2024-09-27T09:09:59"), utc("2024-09-30T16:20:00"), nat()])
    assert same_times(batch.resolved, [utc("2024-09-27T09:45:00"), nat(), utc("2024-10-01T04:59:00")])
    assert batch.status.tolist() == ["Done", "In Progress", "Done"]
    assert batch.source_row.tolist() == [2, 3, 4]


def test_jira_first_label_column_wins_when_a_mapping_names_a_repeated_header():
    from opsqm.core.ticket_io import match_columns

    headers = JIRA_CSV.split("\r\n", 1)[0].split(",")
    assert match_columns(headers, {"type": "Labels"}, required=()) == {"type": headers.index("Labels")}


# ----------------------------------------------------------------- ServiceNow

SN_INCIDENTS = (
    "number,opened_at,priority,state,resolved_at,closed_at,reopen_count,short_description,caller_id,sys_class_name\n"
    'INC0010001,2024-09-27 17:00:00,2 - High,Resolved,2024-09-27 19:00:00,,0,"Email down, all users",Abel Tuter,Incident\n'
    "INC0010002,2024-09-28 09:00:00,1 - Critical,In Progress,,,1,VPN,Beth Anglin,Incident\n"
)
SN_TASK_SLA = (
    "task,sla,sla.target,stage,has_breached,start_time,end_time,business_percentage\n"
    "INC0010001,Priority 2 response (4 hour),Response,Completed,false,2024-09-27 17:00:00,2024-09-27 17:25:30,10.6\n"
    "INC0010001,Priority 2 resolution (8 hour),Resolution,Completed,false,2024-09-27 17:00:00,2024-09-27 19:00:00,25\n"
    "INC0010002,Priority 1 response (1 hour),Response,Cancelled,false,2024-09-28 09:00:00,2024-09-28 09:05:00,1\n"
    "INC0010002,Priority 1 response (1 hour),Response,Completed,true,2024-09-28 09:06:00,2024-09-28 10:30:00,150\n"
    "INC0010002,Priority 1 response (1 hour),Response,Completed,true,2024-09-28 09:06:00,2024-09-28 10:45:00,175\n"
    "INC0010002,Priority 1 resolution (4 hour),Resolution,In progress,false,2024-09-28 09:00:00,,50\n"
)


def test_servicenow_incident_list_reads_display_values():
    batch = read_ticket_file(SN_INCIDENTS.encode(), filename="incident.csv", mapping=PRESETS["servicenow"].mapping)
    assert batch.ticket_no.tolist() == ["INC0010001", "INC0010002"]
    assert batch.priority.tolist() == ["P2", "P1"]
    assert batch.title.tolist() == ["Email down, all users", "VPN"]
    assert batch.reopen_count.tolist() == [0, 1]
    assert "first_response_at" not in batch.present  # the incident list has none


def test_servicenow_task_sla_gives_first_response_from_completed_response_rows_only():
    found = read_task_sla(SN_TASK_SLA.encode(), filename="task_sla.csv")
    assert found.ticket_no.tolist() == ["INC0010001", "INC0010002"]
    # Resolution and cancelled rows are ignored; of two completed response rows the earliest wins.
    assert same_times(found.first_response, [utc("2024-09-27T09:25:30"), utc("2024-09-28T02:30:00")])
    assert found.source_row.tolist() == [2, 5]


def test_servicenow_task_sla_without_a_target_column_is_refused_in_chinese():
    with pytest.raises(TicketFileError, match="sla.target"):
        read_task_sla(b"task,stage,end_time\nINC1,Completed,2024-01-01 00:00:00\n", filename="t.csv")


# ----------------------------------------------------------------------- GLPI

GLPI10 = (
    '"ID";"Title";"Status";"Opening date";"Priority";"Requester";"Type";"Resolution date"\n'
    '"1 184";"Screen says \'\'no signal\'\'";"Solved";"2024-09-27 17:00";"High";"glpi";"Incident";"2024-09-27 18:00"\n'
    '"1\u00a0185";"Mouse";"New";"2024-09-28 08:00";"Medium";"tech";"Request";""\n'
    '"1\u202f186";"Dock";"New";"2024-09-28 08:30";"Very high";"tech";"Incident";""\n'
    '"12,187";"Cable";"New";"2024-09-28 09:00";"Low";"tech";"Request";""\n'
    '"88";"Toner";"New";"2024-09-28 09:30";"Major";"tech";"Request";""\n'
)
GLPI11 = (
    '"ID";"Title";"Status";"Opening date";"Priority";"Requester";"Type";"Resolution date"\n'
    '"1184";"Screen says ""no signal""";"Solved";"2024-09-27 17:00";"High";"glpi";"Incident";"2024-09-27 18:00"\n'
    '"1185";"Mouse";"New";"2024-09-28 08:00";"Medium";"tech";"Request";""\n'
    '"1186";"Dock";"New";"2024-09-28 08:30";"Very high";"tech";"Incident";""\n'
    '"12187";"Cable";"New";"2024-09-28 09:00";"Low";"tech";"Request";""\n'
    '"88";"Toner";"New";"2024-09-28 09:30";"Major";"tech";"Request";""\n'
)


def test_glpi_ids_lose_thousands_separators_and_glpi10_quotes_are_restored():
    batch = read_ticket_file(GLPI10.encode(), filename="glpi10.csv", mapping=PRESETS["glpi"].mapping)
    assert batch.ticket_no.tolist() == ["1184", "1185", "1186", "12187", "88"]
    assert batch.title.tolist()[0] == 'Screen says "no signal"'
    assert batch.priority.tolist() == ["P2", "P3", "P1", "P4", "P1"]
    assert same_times(batch.resolved, [utc("2024-09-27T10:00:00"), nat(), nat(), nat(), nat()])


def test_glpi10_and_glpi11_exports_of_the_same_tickets_read_the_same():
    ten = read_ticket_file(GLPI10.encode(), filename="a.csv", mapping=PRESETS["glpi"].mapping)
    eleven = read_ticket_file(GLPI11.encode(), filename="b.csv", mapping=PRESETS["glpi"].mapping)
    for name in ("ticket_no", "title", "priority", "status", "type", "contact"):
        assert getattr(ten, name).tolist() == getattr(eleven, name).tolist(), name
    assert same_times(ten.created, list(eleven.created))


# ------------------------------------------------------------------- BlueKing

BK = (
    "\ufeff序号,工单编号,标题,关联业务,工单类型,服务目录,状态,当前步骤,创建人,创建时间,结束时间,服务,优先级,联系电话\n"
    "1,NO001,数据库告警,蓝鲸,事件,事件管理,已完成,,admin,2024-09-27 17:00:00,2024-09-27 19:00:00,故障处理,紧急,13800000000\n"
    "2,NO002,开通账号,蓝鲸,请求,基础配置,已终止,,admin,2024-09-28 10:00:00,2024-09-28 11:00:00,账号申请,高,--\n"
    "3,NO003,重置密码,蓝鲸,请求,基础配置,已撤销,,admin,2024-09-28 12:00:00,2024-09-28 12:30:00,账号申请,中,--\n"
    "4,NO004,扩容,蓝鲸,变更,基础配置,处理中,审批,admin,2024-09-29 09:00:00,--,扩容,低,13900000000\n"
)


def test_blueking_four_levels_and_only_completed_tickets_are_resolved():
    batch = read_ticket_file(BK.encode(), filename="bk.csv", mapping=PRESETS["blueking"].mapping)
    assert batch.ticket_no.tolist() == ["NO001", "NO002", "NO003", "NO004"]
    assert batch.priority.tolist() == ["P1", "P2", "P3", "P4"]
    assert same_times(batch.resolved, [utc("2024-09-27T11:00:00"), nat(), nat(), nat()])
    assert batch.contact_phone.tolist() == ["13800000000", "", "", "13900000000"]
    assert batch.status.tolist() == ["已完成", "已终止", "已撤销", "处理中"]


def test_blueking_priorities_map_onto_an_agreement_named_in_chinese():
    agreement = [("P1", "紧急"), ("P2", "高"), ("P3", "中"), ("P4", "低")]
    batch = read_ticket_file(BK.encode(), filename="bk.csv", mapping=PRESETS["blueking"].mapping, priorities=agreement)
    assert batch.priority.tolist() == ["P1", "P2", "P3", "P4"]


# -------------------------------------------------------------- Excel re-save


def test_an_excel_resave_of_a_csv_reads_the_same_as_the_csv():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["工单号", "优先级", "创建时间", "首次响应时间", "联系人邮箱"])
    sheet.append(["001", "P1", datetime(2024, 9, 27, 17, 0), datetime(2024, 9, 27, 17, 9, 59, 999000), "a@b.cn"])
    sheet.append([2, "P2", datetime(2024, 9, 27, 17, 0, 0, 400000), "2024-09-27 17:30:00", None])
    first = io.BytesIO()
    book.save(first)
    resaved = io.BytesIO()
    openpyxl.load_workbook(io.BytesIO(first.getvalue())).save(resaved)  # what "open and save" in Excel does to cells
    csv = (
        "工单号,优先级,创建时间,首次响应时间,联系人邮箱\n001,P1,2024-09-27 17:00:00,2024-09-27 17:09:59.999,a@b.cn\n"
        "2,P2,2024-09-27 17:00:00.400,2024-09-27 17:30:00,\n"
    )
    from_csv = read_ticket_file(csv.encode(), filename="t.csv")
    from_xlsx = read_ticket_file(resaved.getvalue(), filename="t.xlsx")
    assert from_xlsx.ticket_no.tolist() == ["001", "2"] == from_csv.ticket_no.tolist()
    assert from_xlsx.contact_email.tolist() == ["a@b.cn", ""] == from_csv.contact_email.tolist()
    for name in ("created", "first_response"):
        assert same_times(getattr(from_xlsx, name), list(getattr(from_csv, name))), name
    assert same_times(from_xlsx.first_response, [utc("2024-09-27T09:09:59"), utc("2024-09-27T09:30:00")])


# ------------------------------------------------------------ chunked reading


def test_reading_in_small_chunks_gives_the_same_batch_and_reports_errors_across_chunks(tmp_path):
    from opsqm.core.ticket_io import iter_ticket_batches
    from opsqm.core.ticket_io.files import concat_batches

    path = tmp_path / "t.csv"
    path.write_text(
        "ticket_no,priority,created_at,pauses\n"
        "A,P1,2024-09-27 17:00:00,2024-09-27 17:10/2024-09-27 17:20\n,,,\n"
        "B,P2,2024-09-27 18:00:00,\nC,P3,2024-09-27 19:00:00,2024-09-27 19:10/\n",
        encoding="utf-8",
    )
    whole = read_ticket_file(path, filename="t.csv")
    chunked = concat_batches(list(iter_ticket_batches(path, filename="t.csv", chunk_rows=2)))
    for name in ("ticket_no", "priority", "created", "source_row", "pause_ticket", "pause_start"):
        assert getattr(chunked, name).tolist() == getattr(whole, name).tolist(), name
    assert chunked.source_row.tolist() == [2, 4, 5] and chunked.pause_ticket.tolist() == [0, 2]
    path.write_text(
        "ticket_no,priority,created_at\nA,P1,2024-09-27 17:00:00\nB,P1,bad\nC,P1,2024-09-27 17:00:00\nA,P1,2024-09-27 17:00:00\n",
        encoding="utf-8",
    )
    with pytest.raises(TicketFileError) as caught:
        list(iter_ticket_batches(path, filename="t.csv", chunk_rows=1))
    assert sorted((e.row, e.column) for e in caught.value.errors) == [(2, "ticket_no"), (3, "created_at"), (5, "ticket_no")]


def test_gbk_and_utf16_files_on_disk_are_transcoded_in_a_stream(tmp_path):
    text = "工单号,优先级,创建时间,标题\nT1,P1,2024-09-27 17:00:00,打印机卡纸\n"
    for encoding in ("gbk", "utf-16", "utf-8-sig"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        assert read_ticket_file(path, filename="t.csv").title.tolist() == ["打印机卡纸"], encoding
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gbk.csv", "utf-16.csv", "utf-8-sig.csv"]  # no temp left


def test_cli_calculator_and_imports_use_one_case_rule_for_priorities():
    from opsqm.core.ticket_io import target_arrays

    targets = target_arrays(np.array(["p1", " P1 ", "P2", "x"], dtype=object), {"P1": (1800, 14400), "P2": (7200, 28800)})
    assert targets.response_seconds.tolist() == [1800, 1800, 7200, -1]
    batch = read_ticket_file(b"ticket_no,priority,created_at\nA,p1,2024-09-27 17:00:00\n", filename="t.csv", priorities=[("P1", "紧急")])
    assert batch.priority.tolist() == ["P1"]
