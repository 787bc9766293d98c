"""Reading ticket exports: formats, encodings, headers, row errors, presets."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsqm.core.ticket_io import (
    CANONICAL_FIELDS,
    MAX_LISTED_ERRORS,
    ColumnMapping,
    TicketFileError,
    detect_encoding,
    read_ticket_file,
)
from opsqm.core.ticket_presets import PRESETS

HEADER = "ticket_no,priority,created_at,first_response_at,resolved_at,pauses"


def utc(text: str) -> np.datetime64:
    return np.datetime64(text, "s")


def read_csv_text(text: str, **kwargs):
    return read_ticket_file(text.encode("utf-8"), filename="tickets.csv", **kwargs)


def errors_of(text: str, **kwargs) -> TicketFileError:
    with pytest.raises(TicketFileError) as caught:
        read_csv_text(text, **kwargs)
    return caught.value


def xlsx_bytes(rows: list[list[object]], *, start_row: int = 1) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for offset, row in enumerate(rows):
        for col, value in enumerate(row, start=1):
            sheet.cell(row=start_row + offset, column=col, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------ happy paths


def test_it_reads_canonical_csv_and_converts_local_times_to_utc():
    batch = read_csv_text(
        f"{HEADER},type,status,closed_at,reopen_count,first_contact_resolution,title,contact\n"
        "INC-1,P1,2024-09-27 17:00:00,2024-09-27 17:20:00,2024-10-08 10:00:00,,incident,closed,"
        "2024-10-09 09:00:00,2,yes,磁盘告警,张三\n"
        "INC-2,P3,2024-12-31 23:30:00,,,,,,,,,,\n"
    )
    assert len(batch) == 2
    assert batch.ticket_no.tolist() == ["INC-1", "INC-2"]
    assert batch.priority.tolist() == ["P1", "P3"]
    # Asia/Shanghai is UTC+8 all year.
    assert batch.created.tolist() == [utc("2024-09-27T09:00:00").item(), utc("2024-12-31T15:30:00").item()]
    assert batch.created.dtype == np.dtype("datetime64[s]")
    assert batch.first_response[0] == utc("2024-09-27T09:20:00")
    assert np.isnat(batch.first_response[1]) and np.isnat(batch.resolved[1])
    assert batch.closed[0] == utc("2024-10-09T01:00:00")
    assert batch.type.tolist() == ["incident", ""]
    assert batch.title.tolist() == ["磁盘告警", ""]
    assert batch.contact.tolist() == ["张三", ""]
    assert batch.reopen_count.tolist() == [2, 0] and batch.reopen_count.dtype == np.int32
    assert batch.fcr.tolist() == [1, -1] and batch.fcr.dtype == np.int8
    assert batch.has_fcr_column
    assert batch.source_row.tolist() == [2, 3]
    assert batch.present == frozenset(CANONICAL_FIELDS) - {"contact_phone", "contact_email"}


def test_it_reads_chinese_headers_and_uses_the_given_time_zone():
    batch = read_csv_text(
        "工单号,优先级,创建时间,首次响应时间,解决时间,挂起时段,工单类型,状态,关闭时间,重开次数,一次解决,标题,报告人\n"
        "A1,P2,2024-03-01 08:00:00,,,,事件,已解决,,0,否,打印机故障,李四\n",
        tz="UTC",
    )
    assert batch.created[0] == utc("2024-03-01T08:00:00")
    assert batch.type.tolist() == ["事件"]
    assert batch.status.tolist() == ["已解决"]
    assert batch.contact.tolist() == ["李四"]
    assert batch.fcr.tolist() == [0]


def test_it_matches_headers_ignoring_case_spaces_and_bom():
    batch = read_ticket_file(
        "\ufeff Ticket No , PRIORITY ,Created_At\nX,P1,2024-01-02 03:04:05\n".encode("utf-8"),
        filename="T.CSV",
    )
    assert batch.ticket_no.tolist() == ["X"]
    assert not batch.has_fcr_column
    assert batch.fcr.tolist() == [-1]


def test_it_accepts_the_documented_time_formats():
    batch = read_csv_text(
        "ticket_no,priority,created_at\n"
        "1,P1,2024-09-27 17:00:00\n"
        "2,P1,2024-09-27 17:00\n"
        "3,P1,2024/09/27 17:00:00\n"
        "4,P1,2024/9/27 17:00\n"
        "5,P1,2024-09-27T17:00:00\n"
        "6,P1,2024-09-27T17:00\n"
        "7,P1,2024-09-27 17:00:00.400\n",
    )
    assert set(batch.created.tolist()) == {utc("2024-09-27T09:00:00").item()}


def test_it_drops_fractions_of_a_second_never_rounds_them():
    batch = read_csv_text("ticket_no,priority,created_at\n1,P1,2024-09-27 16:59:59.999\n")
    assert batch.created[0] == utc("2024-09-27T08:59:59")


def test_it_reads_pauses_including_open_and_slashed_dates():
    batch = read_csv_text(
        f"{HEADER}\n"
        "T1,P1,2024-09-27 09:00:00,,,\n"
        "T2,P1,2024-09-27 09:00:00,,,2024-09-27 10:00:00/2024-09-27 11:00:00; 2024/09/27 13:30/2024/09/27 14:00\n"
        "T3,P1,2024-09-27 09:00:00,,,2024-09-27 15:00:00/；\n"
    )
    assert batch.pause_ticket.tolist() == [1, 1, 2]
    assert batch.pause_start.tolist() == [
        utc("2024-09-27T02:00:00").item(),
        utc("2024-09-27T05:30:00").item(),
        utc("2024-09-27T07:00:00").item(),
    ]
    assert batch.pause_end[:2].tolist() == [utc("2024-09-27T03:00:00").item(), utc("2024-09-27T06:00:00").item()]
    assert np.isnat(batch.pause_end[2])  # still on hold


def test_it_skips_blank_rows_but_keeps_row_numbers():
    error = errors_of("ticket_no,priority,created_at\n,,\nT1,P1,2024-09-27 09:00:00\n,,\nT2,,2024-09-27 09:00:00\n")
    assert [(e.row, e.column) for e in error.errors] == [(5, "priority")]
    batch = read_csv_text("ticket_no,priority,created_at\n,,\nT1,P1,2024-09-27 09:00:00\n\n")
    assert batch.source_row.tolist() == [3]


def test_it_refuses_header_only_files_with_a_specific_message():
    with pytest.raises(TicketFileError, match="只有表头"):
        read_csv_text("ticket_no,priority,created_at\n")


def test_it_reads_paths_bytes_and_file_objects(tmp_path: Path):
    content = b"ticket_no,priority,created_at\nT1,P1,2024-09-27 09:00:00\n"
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    for source in (path, str(path), content, io.BytesIO(content)):
        assert read_ticket_file(source, filename="t.csv").ticket_no.tolist() == ["T1"]


def test_it_reports_progress_in_stages():
    calls: list[tuple[int, int]] = []
    read_csv_text("ticket_no,priority,created_at\nT1,P1,2024-09-27 09:00:00\n", on_progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 4), (2, 4), (4, 4)]


# ---------------------------------------------------------------- encodings


def test_it_detects_encodings():
    assert detect_encoding("工单".encode()) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbfabc") == "utf-8-sig"
    assert detect_encoding("工单".encode("gbk")) == "gb18030"
    assert detect_encoding("工单".encode("utf-16")) == "utf-16"
    assert detect_encoding(b"plain ascii") == "utf-8"


def test_it_reads_gbk_csv_saved_by_chinese_excel():
    raw = "工单号,优先级,创建时间,标题\nA1,P1,2024/9/27 17:00,服务器宕机\n".encode("gbk")
    batch = read_ticket_file(raw, filename="导出.csv")
    assert batch.title.tolist() == ["服务器宕机"]
    assert batch.created[0] == utc("2024-09-27T09:00:00")


def test_it_reads_utf8_bom_and_utf16_tab_separated_files():
    text = "工单号,优先级,创建时间\nA1,P1,2024-09-27 17:00:00\n"
    assert read_ticket_file(b"\xef\xbb\xbf" + text.encode(), filename="a.csv").ticket_no.tolist() == ["A1"]
    tabbed = text.replace(",", "\t").encode("utf-16")
    assert read_ticket_file(tabbed, filename="a.csv").ticket_no.tolist() == ["A1"]


def test_it_reads_semicolon_separated_csv():
    batch = read_csv_text(
        'ticket_no;priority;created_at;pauses\nA1;P1;2024-09-27 17:00:00;"2024-09-27 17:10/2024-09-27 17:20;2024-09-27 17:30/2024-09-27 17:40"\n'
    )
    assert batch.pause_ticket.tolist() == [0, 0]


# --------------------------------------------------------------------- XLSX


def test_it_reads_xlsx_with_date_cells_and_text_cells():
    raw = xlsx_bytes(
        [
            ["工单号", "优先级", "创建时间", "解决时间", "重开次数"],
            [12345, "P1", datetime(2024, 9, 27, 17, 0), "2024-09-27 18:00:00", 1],
            ["A-2", "P2", "2024/9/27 17:00", datetime(2024, 9, 27, 17, 59, 59, 999000), 2.0],
        ]
    )
    batch = read_ticket_file(raw, filename="tickets.xlsx")
    assert batch.ticket_no.tolist() == ["12345", "A-2"]
    assert batch.created.tolist() == [utc("2024-09-27T09:00:00").item()] * 2
    # A genuine .999 s is dropped (floored), not rounded up.
    assert batch.resolved.tolist() == [utc("2024-09-27T10:00:00").item(), utc("2024-09-27T09:59:59").item()]
    assert batch.reopen_count.tolist() == [1, 2]


def test_xlsx_errors_name_the_rows_excel_shows_even_below_blank_rows():
    raw = xlsx_bytes([["ticket_no", "priority", "created_at"], ["T1", "P1", "2024-09-27 09:00:00"], ["T2", None, "soon"]], start_row=3)
    with pytest.raises(TicketFileError) as caught:
        read_ticket_file(raw, filename="t.xlsx")
    assert {(e.row, e.column) for e in caught.value.errors} == {(5, "priority"), (5, "created_at")}


def test_it_rejects_old_xls_with_a_clear_message():
    with pytest.raises(TicketFileError, match="另存为.*xlsx"):
        read_ticket_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, filename="old.xls")


def test_it_rejects_other_file_types_and_empty_files():
    with pytest.raises(TicketFileError, match=r"\.csv 或 \.xlsx"):
        read_ticket_file(b"x", filename="t.json")
    with pytest.raises(TicketFileError, match="空的（0 字节）"):
        read_ticket_file(b"", filename="t.csv")
    with pytest.raises(TicketFileError, match="不是有效的 .xlsx"):
        read_ticket_file(b"ticket_no\n", filename="t.xlsx")


# ------------------------------------------------------------------- errors


def test_it_names_the_missing_required_columns():
    error = errors_of("ticket_no,created_at\nT1,2024-09-27 09:00:00\n")
    assert "优先级" in error.message and "priority" in error.message
    assert error.errors == []


def test_it_collects_every_row_error_and_returns_no_partial_batch():
    error = errors_of(
        "ticket_no,priority,created_at,first_response_at,resolved_at,closed_at,pauses,reopen_count\n"
        "T1,P1,2024-09-27 09:00:00,2024-09-27 08:00:00,2024-09-27 08:30:00,2024-09-26 09:00:00,,1\n"
        ",,27/09/2024 09:00,,,,,-1\n"
        "T3,P1,2024-09-27 09:00:00,,,,2024-09-27 10:00:00-2024-09-27 11:00:00,1.5\n"
        "T4,P1,2024-09-27 09:00:00,,,,2024-09-27 11:00:00/2024-09-27 10:00:00,x\n"
        "T5,P1,2024-09-27 25:00:00,,,,,\n"
    )
    found = [(e.row, e.column, e.reason) for e in error.errors]
    assert found == [
        (2, "first_response_at", "首次响应时间早于创建时间"),
        (2, "resolved_at", "解决时间早于创建时间"),
        (2, "closed_at", "关闭时间早于创建时间"),
        (3, "ticket_no", "工单号不能为空"),
        (3, "priority", "优先级不能为空"),
        (3, "created_at", found[5][2]),
        (3, "reopen_count", "重开次数应为非负整数"),
        (4, "pauses", "挂起时段格式应为 开始/结束，多个以 ; 分隔"),
        (4, "reopen_count", "重开次数应为非负整数"),
        (5, "pauses", "挂起结束时间早于开始时间"),
        (5, "reopen_count", "重开次数应为非负整数"),
        (6, "created_at", found[11][2]),
    ]
    assert "YYYY-MM-DD HH:MM:SS" in found[5][2]
    assert error.errors[5].value == "27/09/2024 09:00"
    assert error.total == 12
    assert "12 处错误" in error.message


def test_it_reports_both_rows_of_a_duplicate_ticket_number():
    error = errors_of("ticket_no,priority,created_at\nT1,P1,2024-09-27 09:00:00\nT2,P1,2024-09-27 09:00:00\nT1,P2,2024-09-27 10:00:00\n")
    assert [(e.row, e.value) for e in error.errors] == [(2, "T1"), (4, "T1")]
    assert "第 4 行" in error.errors[0].reason and "第 2 行" in error.errors[1].reason


def test_it_counts_all_errors_but_lists_at_most_the_cap():
    rows = "".join(f"T{i},P1,bad\n" for i in range(MAX_LISTED_ERRORS + 50))
    error = errors_of("ticket_no,priority,created_at\n" + rows)
    assert error.total == MAX_LISTED_ERRORS + 50
    assert len(error.errors) == MAX_LISTED_ERRORS
    assert error.errors[0].row == 2
    assert "仅列出前" in error.message


def test_it_rejects_unknown_first_contact_resolution_values():
    error = errors_of("ticket_no,priority,created_at,first_contact_resolution\nT1,P1,2024-09-27 09:00:00,maybe\n")
    assert error.errors[0].column == "first_contact_resolution"


def test_it_rejects_an_unknown_time_zone_before_reading():
    with pytest.raises(LookupError):  # zoneinfo.ZoneInfoNotFoundError
        read_csv_text("ticket_no,priority,created_at\n", tz="Mars/Olympus")


# ------------------------------------------------------------------ mapping


def test_a_mapping_renames_columns_and_maps_values():
    mapping = ColumnMapping(
        columns={"ticket_no": "Key", "priority": "Sev", "created_at": ("Opened", "Created"), "status": "State"},
        priority_map={"1 - Critical": "P1"},
        status_map={"closed": "CLOSED"},
        datetime_formats=("%d.%m.%Y %H:%M",),
        null_values=frozenset({"--"}),
    )
    batch = read_csv_text(
        "Key,Sev,Created,State\nK1, 1 - CRITICAL ,27.09.2024 17:00,Closed\nK2,Weird,2024-09-27 17:00:00,--\n",
        mapping=mapping,
    )
    assert batch.priority.tolist() == ["P1", "Weird"]  # unmapped values pass through
    assert batch.status.tolist() == ["CLOSED", ""]
    assert batch.created.tolist() == [utc("2024-09-27T09:00:00").item()] * 2


def test_a_mapping_names_the_expected_header_when_missing():
    mapping = ColumnMapping(columns={"ticket_no": "Key", "priority": "Sev", "created_at": "Opened"})
    error = errors_of("Key,Sev\nK1,P1\n", mapping=mapping)
    assert "Opened" in error.message and "创建时间" in error.message


def test_a_mapping_round_trips_through_a_dict_and_rejects_unknown_fields():
    mapping = PRESETS["servicenow"].mapping
    assert ColumnMapping.from_dict(mapping.to_dict()) == mapping
    with pytest.raises(ValueError, match="未知字段"):
        ColumnMapping(columns={"ticket_number": "x"})


# ------------------------------------------------------------------ presets


def test_every_preset_has_a_chinese_name_and_notes():
    assert set(PRESETS) == {"canonical", "jira_sm", "servicenow", "servicenow_task_sla", "glpi", "blueking"}
    for code, preset in PRESETS.items():
        assert preset.code == code and preset.name and preset.notes
        if preset.kind == "tickets":
            assert {"ticket_no", "priority", "created_at"} <= set(preset.mapping.columns)


def test_the_jira_preset_reads_a_jira_csv_export():
    raw = (
        b"Summary,Issue key,Issue id,Issue Type,Status,Priority,Reporter,Created,Updated,Resolved,Sprint,Sprint,"
        b"Custom field (Time to first response)\n"
        b"VPN down,ITSM-12,10012,Incident,Resolved,Highest,alice,27/Sep/24 5:00 PM,27/Sep/24 6:00 PM,"
        b"27/Sep/24 6:00 PM,S1,S2,-1h 30m\n"
        b"Laptop,ITSM-13,10013,Service request,Waiting for support,Lowest,bob,01/Oct/24 9:05 AM,01/Oct/24 9:05 AM,,,,\n"
    )
    batch = read_ticket_file(raw, filename="Jira.csv", mapping=PRESETS["jira_sm"].mapping)
    assert batch.ticket_no.tolist() == ["ITSM-12", "ITSM-13"]
    assert batch.priority.tolist() == ["P1", "P4"]
    assert batch.created.tolist() == [utc("2024-09-27T09:00:00").item(), utc("2024-10-01T01:05:00").item()]
    assert batch.resolved[0] == utc("2024-09-27T10:00:00") and np.isnat(batch.resolved[1])
    assert np.isnat(batch.first_response).all()  # Jira has no first-response instant
    assert batch.type.tolist() == ["Incident", "Service request"]
    assert batch.contact.tolist() == ["alice", "bob"]


def test_the_servicenow_preset_reads_csv_field_names_and_excel_labels():
    csv_raw = (
        b"number,short_description,caller_id,priority,state,opened_at,resolved_at,closed_at,reopen_count\n"
        b"INC0010001,Email down,Abel Tuter,1 - Critical,Closed,2024-09-27 17:00:00,2024-09-27 18:00:00,"
        b"2024-09-30 09:00:00,1\n"
        b"INC0010002,Printer,Beth Anglin,5 - Planning,New,2024-09-28 10:00:00,,,0\n"
    )
    batch = read_ticket_file(csv_raw, filename="incident.csv", mapping=PRESETS["servicenow"].mapping)
    assert batch.priority.tolist() == ["P1", "P4"]
    assert batch.reopen_count.tolist() == [1, 0]
    assert batch.closed[0] == utc("2024-09-30T01:00:00")
    xlsx_raw = xlsx_bytes(
        [
            ["Number", "Opened", "Short description", "Caller", "Priority", "State", "Resolved", "Closed", "Reopen count"],
            ["INC0010001", "2024-09-27 17:00:00", "Email down", "Abel Tuter", "2 - High", "Resolved", "2024-09-27 18:00:00", None, 0],
        ]
    )
    batch = read_ticket_file(xlsx_raw, filename="incident.xlsx", mapping=PRESETS["servicenow"].mapping)
    assert batch.ticket_no.tolist() == ["INC0010001"] and batch.priority.tolist() == ["P2"]
    assert batch.title.tolist() == ["Email down"]


def test_the_glpi_preset_reads_a_semicolon_export():
    raw = (
        '\ufeff"Title";"ID";"Status";"Opening date";"Priority";"Requester";"Type";"Resolution date";"Closing date"\n'
        '"Mail";"1234";"Closed";"2024-09-27 17:00";"Very high";"glpi";"Incident";"2024-09-27 18:30";"2024-09-28 09:00"\n'
        '"Screen";"1235";"New";"2024-09-28 08:00";"Medium";"tech";"Request";"";""\n'
    ).encode()
    batch = read_ticket_file(raw, filename="glpi.csv", mapping=PRESETS["glpi"].mapping)
    assert batch.ticket_no.tolist() == ["1234", "1235"]
    assert batch.priority.tolist() == ["P1", "P3"]
    assert batch.resolved[0] == utc("2024-09-27T10:30:00")
    assert batch.type.tolist() == ["Incident", "Request"]


def bk_itsm_export(second_priority: str) -> bytes:
    # As TicketModelViewSet.generate_csv writes it: BOM, 序号 first, "--" for a missing field.
    return (
        "\ufeff序号,工单编号,标题,关联业务,工单类型,服务目录,状态,当前步骤,创建人,创建时间,结束时间,服务,优先级(提单)\n"
        "1,NO2024092717000001,数据库告警,蓝鲸,事件,服务反馈>事件管理,已完成,,admin,2024-09-27 17:00:00,"
        "2024-09-27 19:00:00,故障处理,高\n"
        f"2,NO2024092810000002,开通账号,蓝鲸,请求,基础配置,处理中,审批,admin,2024-09-28 10:00:00,,账号申请,{second_priority}\n"
    ).encode()


def test_the_blueking_preset_reads_a_bk_itsm_export():
    mapping = PRESETS["blueking"].mapping
    batch = read_ticket_file(bk_itsm_export("低"), filename="bk_itsm.csv", mapping=mapping)
    assert batch.ticket_no.tolist() == ["NO2024092717000001", "NO2024092810000002"]
    assert batch.priority.tolist() == ["P2", "P4"]
    assert batch.type.tolist() == ["事件", "请求"]
    assert batch.status.tolist() == ["已完成", "处理中"]
    assert batch.resolved[0] == utc("2024-09-27T11:00:00") and np.isnat(batch.resolved[1])


def test_the_blueking_preset_treats_double_dash_as_empty():
    with pytest.raises(TicketFileError) as caught:
        read_ticket_file(bk_itsm_export("--"), filename="bk_itsm.csv", mapping=PRESETS["blueking"].mapping)
    assert [(e.row, e.reason) for e in caught.value.errors] == [(3, "优先级不能为空")]


def test_the_canonical_preset_matches_auto_detection():
    text = "工单号,优先级,创建时间\nA1,P1,2024-09-27 17:00:00\n"
    auto = read_csv_text(text)
    preset = read_csv_text(text, mapping=PRESETS["canonical"].mapping)
    assert auto.ticket_no.tolist() == preset.ticket_no.tolist()
    assert auto.created.tolist() == preset.created.tolist()


# --------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None)
@given(
    moments=st.lists(st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2026, 12, 31)), min_size=1, max_size=5),
    zone=st.sampled_from(["Asia/Shanghai", "UTC", "Asia/Tokyo"]),
    fmt=st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]),
)
def test_times_convert_like_zoneinfo(moments: list[datetime], zone: str, fmt: str):
    moments = [m.replace(microsecond=0) for m in moments]
    body = "".join(f"T{i},P1,{m.strftime(fmt)}\n" for i, m in enumerate(moments))
    batch = read_csv_text("ticket_no,priority,created_at\n" + body, tz=zone)
    expected = [m.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC).replace(tzinfo=None) for m in moments]
    assert batch.created.tolist() == expected


def test_resolved_at_creation_is_accepted_but_a_second_earlier_is_not():
    start = datetime(2024, 9, 27, 9, 0)
    ok = read_csv_text(f"ticket_no,priority,created_at,resolved_at\nT1,P1,{start:%Y-%m-%d %H:%M:%S},{start:%Y-%m-%d %H:%M:%S}\n")
    assert ok.resolved[0] == ok.created[0]
    early = start - timedelta(seconds=1)
    error = errors_of(f"ticket_no,priority,created_at,resolved_at\nT1,P1,{start:%Y-%m-%d %H:%M:%S},{early:%Y-%m-%d %H:%M:%S}\n")
    assert error.errors[0].reason == "解决时间早于创建时间"


def test_reading_tickets_does_not_import_django():
    code = "import sys, opsqm.core.ticket_io, opsqm.core.ticket_presets, opsqm.core.sla_calc; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
