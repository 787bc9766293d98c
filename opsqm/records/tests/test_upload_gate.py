"""The one upload gate (records.uploads): type lies, scripts, traversal, size, zip and xlsx bombs, XXE."""

from __future__ import annotations

import io
import random
import string
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from opsqm.records.uploads import UploadRejected, display_name, generated_name, upload_check

OFFICE = [".pdf", ".png", ".docx", ".xlsx", ".txt", ".zip"]
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _check(name: str, content: bytes, allowed=OFFICE, **kw) -> str:
    return upload_check(SimpleUploadedFile(name, content), name=name, allowed_extensions=allowed, **kw)


def _rejected(name: str, content: bytes, allowed=OFFICE, **kw) -> str:
    with pytest.raises(UploadRejected) as exc:
        _check(name, content, allowed, **kw)
    return exc.value.messages[0]


MARK = "HEADER-CELL"
SHEET = "xl/worksheets/sheet1.xml"


def xlsx_bytes(header: str = MARK) -> bytes:
    wb = Workbook()
    wb.active.append([header, "标题"])
    wb.active.append(["T-1", "服务器宕机"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rewrite(xlsx: bytes, part: str, writer) -> bytes:
    """Copy `xlsx`, replacing `part` with what `writer(stream)` writes (streamed, never held whole)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if info.filename == part:
                continue
            dst.writestr(info, src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo(part)
        info.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(info, "w", force_zip64=True) as stream:
            writer(stream, src.read(part) if part in src.namelist() else b"")
    return out.getvalue()


def xlsx_with_huge_header(size: int = 200 * 1024 * 1024) -> bytes:
    """The issue's file: about 200 KB on disk, a header cell that decompresses to `size` bytes."""

    def write(stream, original):
        before, after = original.decode().split(MARK, 1)
        stream.write(before.encode())
        block = b"A" * (1024 * 1024)
        for _ in range(size // len(block)):
            stream.write(block)
        stream.write(after.encode())

    return _rewrite(xlsx_bytes(), SHEET, write)


def test_real_files_pass_and_return_their_kind():
    assert _check("台账.xlsx", xlsx_bytes()) == "xlsx"
    assert _check("说明.txt", "中文".encode()) == "text"
    assert _check("a.pdf", b"%PDF-1.7\n...") == "pdf"
    assert _check("工单.csv", "编号,标题\n1,宕机\n".encode("utf-16"), allowed=[".csv"]) == "text"
    assert _check("工单.csv", "编号,标题\n".encode("gb18030") * 30000, allowed=[".csv"]) == "text"  # sample ends mid-character


def test_an_exe_named_pdf_is_rejected_naming_what_it_is():
    message = _rejected("报告.pdf", b"MZ\x90\x00\x03" + b"\0" * 100)
    assert "声称 .pdf，实际为 可执行程序" in message


def test_an_elf_binary_named_txt_is_rejected():
    assert "可执行程序" in _rejected("说明.txt", b"\x7fELF\x02\x01\x01" + b"\0" * 100)


def test_svg_with_script_is_refused_whatever_it_is_called():
    assert "不支持的文件类型“.svg”" in _rejected("logo.svg", SVG)
    assert "SVG" in _rejected("logo.png", SVG)
    assert "SVG" in _rejected("logo.pdf", SVG)
    assert "网页" in _rejected("报告.docx", b"<!DOCTYPE html><html><script>alert(1)</script></html>")


def test_an_extension_not_allowed_for_this_use_is_refused_even_if_real():
    message = _rejected("台账.xlsx", xlsx_bytes(), allowed=[".docx"])
    assert "不支持的文件类型“.xlsx”" in message and ".docx" in message


def test_traversal_names_are_reduced_to_a_base_name_and_never_used_for_storage():
    assert _check("../../x.pdf", b"%PDF-1.4") == "pdf"
    assert display_name("../../x.pdf") == "x.pdf"
    assert display_name("..\\..\\windows\\system32\\x.pdf") == "x.pdf"
    assert display_name("a\x00b\r\n.pdf") == "ab.pdf"
    name = generated_name(".pdf")
    assert len(name) == 36 and name.endswith(".pdf") and "/" not in name and ".." not in name
    assert generated_name("/../x").count(".") == 0


def test_oversize_and_empty_files_are_refused_with_the_cap(settings):
    assert "上限为 0.0 MB" in _rejected("a.pdf", b"%PDF-" + b"0" * 100, max_bytes=10)
    settings.OPSQM_MAX_UPLOAD_BYTES = 10
    assert "文件过大" in _rejected("a.pdf", b"%PDF-" + b"0" * 100)
    assert "文件是空的" in _rejected("a.pdf", b"")


def test_a_zip_bomb_is_refused_without_extracting():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.txt", b"\0" * (20 * 1024 * 1024))
    assert "压缩炸弹" in _rejected("日志.zip", buf.getvalue())


def test_a_zip_with_traversal_entries_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../etc/cron.d/x", b"hello")
    assert "非法路径" in _rejected("日志.zip", buf.getvalue())


def test_the_200kb_xlsx_whose_header_decompresses_to_200mb_is_refused_fast():
    bomb = xlsx_with_huge_header()
    assert len(bomb) < 400 * 1024
    started = time.perf_counter()
    assert "压缩炸弹" in _rejected("工单.xlsx", bomb)
    assert time.perf_counter() - started < 2


def test_a_long_cell_under_the_ratio_limit_is_refused_by_the_cell_cap():
    rng = random.Random(7)
    noise = "".join(rng.choice(string.ascii_letters) for _ in range(300_000)).encode()  # barely compressible
    xlsx = _rewrite(xlsx_bytes(), SHEET, lambda stream, original: stream.write(original.replace(MARK.encode(), noise)))
    assert "超长的单元格" in _rejected("工单.xlsx", xlsx)


def test_the_cell_cap_comes_from_settings(settings):
    settings.OPSQM_UPLOAD_MAX_CELL_CHARS = 10
    assert "超过 10 个字符" in _rejected("工单.xlsx", xlsx_bytes("编号" * 100))
    settings.OPSQM_UPLOAD_MAX_CELL_CHARS = 32767
    assert _check("工单.xlsx", xlsx_bytes("编号" * 5000)) == "xlsx"


def test_an_xlsx_with_an_external_entity_is_refused_and_never_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        "<si><t>&xxe;</t></si></sst>"
    ).encode()
    xlsx = _rewrite(xlsx_bytes(), "xl/sharedStrings.xml", lambda stream, original: stream.write(xxe))
    assert "xl/sharedStrings.xml" in zipfile.ZipFile(io.BytesIO(xlsx)).namelist()
    message = _rejected("工单.xlsx", xlsx)
    assert "DOCTYPE/ENTITY" in message and "TOP-SECRET" not in message
    from openpyxl import load_workbook  # and even if a reader saw it, the entity stays unexpanded (defusedxml)

    try:
        values = [c.value for row in load_workbook(io.BytesIO(xlsx)).active.iter_rows() for c in row]
    except Exception:  # noqa: BLE001 - refusing is as good as not expanding
        values = []
    assert "TOP-SECRET" not in values


def test_a_docx_with_a_billion_laughs_is_refused():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>&lol2;</w:body></w:document>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", laughs)
    assert "DOCTYPE/ENTITY" in _rejected("模板.docx", buf.getvalue())


def test_a_declaration_split_across_read_chunks_is_still_found(settings):
    from opsqm.records import uploads

    settings.OPSQM_UPLOAD_MAX_RATIO = 10_000  # the padding compresses well; this test is about the scanner

    padding = b"<a/>" * (uploads._CHUNK // 4 - 1) + b"<a>"
    body = padding + b"<!DOCTYPE x []><b/>"
    xlsx = _rewrite(xlsx_bytes(), "xl/styles.xml", lambda stream, original: stream.write(body))
    assert body.index(b"<!DOCTYPE") < uploads._CHUNK < body.index(b"<!DOCTYPE") + 9
    assert "DOCTYPE/ENTITY" in _rejected("工单.xlsx", xlsx)


def test_a_corrupt_office_file_is_refused_with_a_message():
    assert "损坏" in _rejected("工单.xlsx", b"PK\x03\x04garbage")
