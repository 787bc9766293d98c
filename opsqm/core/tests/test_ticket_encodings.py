"""Encodings decoded correctly or refused with a message that says why; empty, header-only,
corrupt, XXE and bomb workbooks refused before anything is parsed."""

from __future__ import annotations

import codecs
import io
import zipfile

import openpyxl
import pytest

from opsqm.core.ticket_io import TicketFileError, preview_headers, read_ticket_file

TEXT = "工单号,优先级,创建时间,标题\nT1,P1,2024-09-27 17:00:00,打印机卡纸\nT2,P2,2024-09-27 18:00:00,网络中断\n"


def titles(raw: bytes, **kwargs) -> list[str]:
    return read_ticket_file(raw, filename="t.csv", **kwargs).title.tolist()


@pytest.mark.parametrize(
    "raw",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("utf-16-le"),  # no BOM
        TEXT.encode("utf-16-be"),  # no BOM
        TEXT.encode("gbk"),
        TEXT.encode("gb18030"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be", "gbk", "gb18030"],
)
def test_it_decodes_every_encoding_it_can_read_correctly(raw):
    assert titles(raw) == ["打印机卡纸", "网络中断"]


def test_big5_is_refused_automatically_and_read_when_chosen():
    raw = "ticket_no,priority,created_at,title\nT1,P1,2024-09-27 17:00:00,印表機卡紙發生錯誤請協助處理\n".encode("big5")
    with pytest.raises(TicketFileError, match="乱码") as caught:
        titles(raw)
    assert "Big5" in caught.value.message and "文件编码" in caught.value.message
    assert titles(raw, encoding="big5") == ["印表機卡紙發生錯誤請協助處理"]


def test_windows_1252_is_refused_with_a_message_offering_the_encoding_choice():
    raw = "ticket_no,priority,created_at,title\nT1,P1,2024-09-27 17:00:00,Café déjà vu à Zürich\n".encode("cp1252")
    with pytest.raises(TicketFileError, match="乱码.*文件编码"):
        titles(raw)


def test_a_wrong_chosen_encoding_says_so():
    with pytest.raises(TicketFileError, match="按所选编码"):
        titles("ticket_no,priority,created_at\nT1,P1,2024-09-27 17:00:00,é\n".encode("cp1252"), encoding="utf-8")


def test_empty_and_header_only_files_get_specific_messages():
    with pytest.raises(TicketFileError, match="0 字节"):
        read_ticket_file(b"", filename="t.csv")
    with pytest.raises(TicketFileError, match="只有表头"):
        read_ticket_file("工单号,优先级,创建时间\n".encode(), filename="t.csv")
    with pytest.raises(TicketFileError, match=r"Excel 文件是空的（0 字节）"):
        read_ticket_file(b"", filename="t.xlsx")
    book = openpyxl.Workbook()
    book.active.append(["工单号", "优先级", "创建时间"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(TicketFileError, match="只有表头"):
        read_ticket_file(out.getvalue(), filename="t.xlsx")


def _workbook_with(sheet_xml: bytes, shared: bytes | None = None) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["工单号", "优先级", "创建时间"])
    source = io.BytesIO()
    book.save(source)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source.getvalue())) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            new.writestr(item, data)
    return out.getvalue()


def test_a_corrupt_workbook_is_refused_in_chinese():
    with pytest.raises(TicketFileError, match="已损坏"):
        read_ticket_file(b"PK\x03\x04" + b"\x00" * 200, filename="t.xlsx")


def test_an_xxe_workbook_is_refused_and_the_entity_never_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>'
    ).encode()
    with pytest.raises(TicketFileError, match="DOCTYPE") as caught:
        preview_headers(_workbook_with(xml), filename="t.xlsx")
    assert "TOP-SECRET" not in caught.value.message


def test_a_header_cell_that_decompresses_to_200_mb_is_refused_before_reading():
    cell = b"A" * (200 * 1024 * 1024)
    xml = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>' + cell + b"</t></is></c></row></sheetData></worksheet>"
    )
    raw = _workbook_with(xml)
    del cell, xml
    assert len(raw) < 1024 * 1024  # a small upload
    with pytest.raises(TicketFileError, match="超长的单元格|过大"):
        preview_headers(raw, filename="t.xlsx")
