"""Bytes → a table of text cells, the header preview and the one header-matching rule.

One spreadsheet library (polars; calamine for .xlsx) reads both the mapping page's
preview and the import, and one function (:func:`match_columns`) decides which
column a field uses, so the page proposes exactly what the import will read.

Columns of the table are named by position (``c0``, ``c1``…) because exports repeat
headers (Jira writes ``Labels`` and ``Comment`` once per value); a field always uses
the leftmost column with a matching header.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Final

import polars as pl

from opsqm.core.ticket_io.encoding import ENCODINGS, detect_file_encoding, to_utf8, transcode_file
from opsqm.core.ticket_io.schema import FIELD_LABELS, REQUIRED_FIELDS, ColumnMapping, TicketFileError

__all__ = [
    "Table",
    "read_table",
    "read_source",
    "preview_headers",
    "proposed_columns",
    "match_columns",
    "header_key",
    "check_xlsx_parts",
    "MAX_CELL_CHARS",
]

MAX_CELL_CHARS: Final = 32_767  # Excel's own limit for one cell
MAX_XLSX_PART_BYTES: Final = 1 << 30
CHUNK_ROWS: Final = 200_000  # rows parsed, checked and staged at a time: memory does not grow with the file
_HEAD: Final = 1 << 20
_CHUNK: Final = 1 << 16
Source = str | Path | bytes | bytearray | memoryview | BinaryIO


@dataclass
class Table:
    """A sheet as text cells. ``chunks`` yields the data rows in order, a bounded
    number at a time (CSV files are streamed, never held whole); columns are named
    c0, c1… by position. Iterate ``chunks`` once."""

    headers: list[str]  # as written, repeated headers included, position = column
    chunks: Iterator[pl.DataFrame]
    first_row: int  # row number (as Excel shows it) of the first data row

    def column(self, index: int) -> str:
        return f"c{index}"

    def whole(self) -> pl.DataFrame:
        frames = list(self.chunks)
        if not frames:
            return pl.DataFrame({f"c{i}": pl.Series([], dtype=pl.String) for i in range(len(self.headers))})
        return pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]


def read_source(source: Source) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, (str, Path)):
        return Path(source).read_bytes()
    return source.read()


def header_key(text: str) -> str:
    """Header comparison ignores case, surrounding spaces and space/underscore runs."""
    return re.sub(r"[\s_]+", "_", str(text).replace("\ufeff", "").strip().casefold())


def match_columns(
    headers: Sequence[str], wanted: Mapping[str, str | Sequence[str]], *, required: Sequence[str] = REQUIRED_FIELDS
) -> dict[str, int]:
    """field → column position: the first candidate header present, leftmost column of
    that header. THE matching rule for the reader and the mapping page alike."""
    positions: dict[str, int] = {}
    for i, header in enumerate(headers):
        if str(header).strip():
            positions.setdefault(header_key(header), i)
    found: dict[str, int] = {}
    for name, candidates in wanted.items():
        options = (candidates,) if isinstance(candidates, str) else tuple(candidates)
        hit = next((positions[header_key(c)] for c in options if header_key(c) in positions), None)
        if hit is not None:
            found[name] = hit
    missing = [name for name in required if name not in found]
    if missing:
        raise TicketFileError(_missing_message(missing, wanted))
    return found


def _missing_message(missing: Sequence[str], wanted: Mapping[str, str | Sequence[str]]) -> str:
    parts = []
    for name in missing:
        options = wanted.get(name, ())
        options = (options,) if isinstance(options, str) else tuple(options)
        expected = "、".join(f"“{o}”" for o in options) or "（列映射未指定）"
        parts.append(f"{FIELD_LABELS[name]}（表头应为 {expected}）")
    return "缺少必填列：" + "；".join(parts)


# ----------------------------------------------------------------------- CSV


def _sniff_separator(header_line: str) -> str:
    """Comma unless the header line has more semicolons (GLPI) or tabs (Excel text)."""
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


def _csv_input(source: Source, encoding: str) -> tuple[object, bytes, Path | None]:
    """(what polars scans — a UTF-8 path or buffer —, its first MB, a temp file to remove)."""
    if not isinstance(source, (str, Path)):
        raw = read_source(source)
        if not raw:
            raise TicketFileError("文件是空的（0 字节），请重新导出后再上传")
        if raw.startswith(b"PK\x03\x04"):
            raise TicketFileError("文件内容是 Excel 工作簿而不是 CSV，请使用 .xlsx 扩展名上传")
        data = to_utf8(raw, encoding)
        return io.BytesIO(data), data[:_HEAD], None
    path = Path(source)
    with path.open("rb") as stream:
        head = stream.read(_HEAD)
    if not head:
        raise TicketFileError("文件是空的（0 字节），请重新导出后再上传")
    if head.startswith(b"PK\x03\x04"):
        raise TicketFileError("文件内容是 Excel 工作簿而不是 CSV，请使用 .xlsx 扩展名上传")
    if encoding not in ENCODINGS:
        raise TicketFileError(f"不支持的文件编码“{encoding}”，可选：{'、'.join(ENCODINGS.values())}")
    codec = detect_file_encoding(path, head) if encoding == "auto" else encoding
    if codec == "utf-16" and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = "utf-16-le" if head[1:2] == b"\0" else "utf-16-be"
    if codec in ("utf-8", "utf-8-sig") and encoding == "auto":
        return path, head, None
    handle, name = tempfile.mkstemp(prefix=".opsqm-utf8-", suffix=".csv", dir=path.parent)
    temp = Path(name)
    try:
        with os.fdopen(handle, "wb") as target:
            transcode_file(path, codec, target, ENCODINGS.get(encoding, codec))
        with temp.open("rb") as stream:
            head = stream.read(_HEAD)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp, head, temp


def _csv_chunks(scan: object, separator: str, width: int, chunk_rows: int, temp: Path | None) -> Iterator[pl.DataFrame]:
    try:
        lazy = pl.scan_csv(
            scan,
            has_header=True,
            infer_schema=False,
            separator=separator,  # type: ignore[arg-type]
            new_columns=[f"c{i}" for i in range(width)],
        )
        yield from lazy.collect_batches(chunk_size=chunk_rows)
    except pl.exceptions.NoDataError:
        return
    except pl.exceptions.PolarsError as exc:
        raise TicketFileError(f"CSV 格式错误（例如某行的列数多于表头，或引号不成对）：{str(exc).splitlines()[0]}") from exc
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)


def _read_csv(source: Source, encoding: str, header_only: bool, chunk_rows: int) -> Table:
    scan, head_bytes, temp = _csv_input(source, encoding)
    head = head_bytes.decode("utf-8", errors="ignore").lstrip("\ufeff")
    if not head.strip():
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise TicketFileError("文件是空的（只有空白），请重新导出后再上传")
    separator = _sniff_separator(head.split("\n", 1)[0])
    headers = [h.strip() for h in next(csv.reader(io.StringIO(head), delimiter=separator), [])]
    if header_only:
        if temp is not None:
            temp.unlink(missing_ok=True)
        return Table(headers, iter(()), 2)
    return Table(headers, _csv_chunks(scan, separator, len(headers), chunk_rows, temp), 2)


# ---------------------------------------------------------------------- XLSX


def check_xlsx_parts(raw: bytes) -> None:
    """Refuse a workbook before any XML is parsed: corrupt zip, a part that would
    decompress beyond the cap, a cell text longer than Excel allows, or a DOCTYPE
    (XML entities are never expanded). Streams each part; never holds one whole."""
    try:
        book = zipfile.ZipFile(io.BytesIO(raw))
        infos = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise TicketFileError("Excel 文件已损坏，无法读取，请在 Excel 中重新保存为 .xlsx 后再上传") from exc
    if sum(i.file_size for i in infos) > MAX_XLSX_PART_BYTES:
        raise TicketFileError("Excel 文件解压后过大（疑似压缩炸弹），已拒绝")
    limit = MAX_CELL_CHARS * 6 + 64  # UTF-8 bytes and XML escapes of the longest legal cell
    with book:
        for info in infos:
            if not info.filename.endswith((".xml", ".rels")):
                continue
            run, read = 0, 0
            try:
                with book.open(info) as part:
                    while chunk := part.read(_CHUNK):
                        read += len(chunk)
                        if read > MAX_XLSX_PART_BYTES:
                            raise TicketFileError("Excel 文件解压后过大（疑似压缩炸弹），已拒绝")
                        if read == len(chunk) and b"<!DOCTYPE" in chunk[:4096].upper():
                            raise TicketFileError("Excel 文件含有不安全的 XML 声明（DOCTYPE），已拒绝；请在 Excel 中另存为 .xlsx 后再上传")
                        last = chunk.rfind(b"<")
                        if last < 0:
                            run += len(chunk)
                        else:
                            first = chunk.find(b"<")
                            run += first
                            if run > limit:
                                break
                            run = len(chunk) - last
                        if run > limit:
                            break
            except TicketFileError:
                raise
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise TicketFileError("Excel 文件已损坏，无法读取，请在 Excel 中重新保存为 .xlsx 后再上传") from exc
            if run > limit:
                raise TicketFileError(f"Excel 文件中有超长的单元格（超过 {MAX_CELL_CHARS} 个字符），已拒绝")


def _xlsx_header_row(raw: bytes) -> int:
    """Sheet row number of the first row with a value (calamine skips leading empty rows)."""
    from defusedxml import ElementTree

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
            sheet = next(el for el in workbook.iter() if el.tag.endswith("}sheet"))
            rel_id = next(v for k, v in sheet.attrib.items() if k.endswith("}id"))
            rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
            target = next(el.get("Target") for el in rels if el.get("Id") == rel_id)
            path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            with book.open(path) as part:
                row, implicit = 0, 0
                for event, element in ElementTree.iterparse(part, events=("start", "end")):
                    if event == "start" and element.tag.endswith("}row"):
                        implicit += 1
                        row = implicit = int(element.get("r") or implicit)
                    elif event == "end" and element.tag.endswith(("}v", "}t")) and element.text:
                        return row or 1
    except Exception:  # unusual layout: the common case
        return 1
    return 1


def _read_xlsx(raw: bytes, header_only: bool) -> Table:
    if not raw:
        raise TicketFileError("Excel 文件是空的（0 字节），可能是下载或保存未完成，请重新导出后再上传")
    if not raw.startswith(b"PK\x03\x04"):
        raise TicketFileError("文件内容不是有效的 .xlsx 工作簿（可能已损坏，或是改了扩展名的其他文件）")
    check_xlsx_parts(raw)
    try:
        frame = pl.read_excel(
            raw,
            engine="calamine",
            has_header=False,
            read_options={"dtypes": "string"},
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
        )
    except Exception as exc:  # calamine raises its own exception types
        raise TicketFileError("Excel 文件已损坏或格式无法识别，请在 Excel 中重新保存为 .xlsx 后再上传") from exc
    if frame.height == 0 or frame.width == 0:
        raise TicketFileError("Excel 工作簿的第一个工作表是空的")
    headers = ["" if v is None else str(v).strip() for v in frame.row(0)]
    body = frame.slice(1) if not header_only else frame.clear()
    body.columns = [f"c{i}" for i in range(body.width)]
    return Table(headers, iter((body,)), _xlsx_header_row(raw) + 1)


def read_table(source: Source, *, filename: str, encoding: str = "auto", header_only: bool = False, chunk_rows: int = CHUNK_ROWS) -> Table:
    """The first sheet (or the CSV) as text cells; the kind comes from ``filename``."""
    suffix = Path(filename).suffix.lower()
    if isinstance(source, (str, Path)):
        with Path(source).open("rb") as stream:
            magic = stream.read(8)
    else:
        source = read_source(source)
        magic = source[:8]
    if suffix == ".xls" or magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise TicketFileError("不支持旧版 Excel 97-2003（.xls）文件，请在 Excel 中“另存为” .xlsx 格式后再导入")
    if suffix == ".csv":
        table = _read_csv(source, encoding, header_only, chunk_rows)
    elif suffix == ".xlsx":
        table = _read_xlsx(read_source(source), header_only)
    else:
        raise TicketFileError(f"不支持的文件类型“{suffix or filename}”，请上传 .csv 或 .xlsx 文件")
    if not any(table.headers):
        raise TicketFileError("没有读到表头：文件第一行应为列名")
    return table


def preview_headers(source: Source, *, filename: str, encoding: str = "auto") -> list[str]:
    """The headers for the mapping page: each distinct header once, in file order."""
    table = read_table(source, filename=filename, encoding=encoding, header_only=True)
    keys: set[str] = set()
    unique: list[str] = []
    for header in table.headers:
        if header and header_key(header) not in keys:
            keys.add(header_key(header))
            unique.append(header)
    return unique


def proposed_columns(headers: Sequence[str], mapping: ColumnMapping) -> dict[str, str]:
    """field → header text the import will read (what the mapping page preselects)."""
    found = match_columns(headers, mapping.columns, required=())
    return {name: headers[i] for name, i in found.items()}
