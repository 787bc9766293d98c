"""Reading ticket exports (CSV / XLSX) into columnar arrays for the SLA engine.

The reader is all-or-nothing: it either returns a complete :class:`TicketBatch` or
raises :class:`TicketFileError` carrying every row problem it found, so an import
never stores half a file. Parsing is vectorized with polars (one pass per column,
no Python loop per row on the happy path); Python only loops over rows that are
already known to be wrong, to word their error messages.

Canonical columns (English or Chinese headers)::

    ticket_no 工单号 | priority 优先级 | created_at 创建时间 | first_response_at 首次响应时间
    resolved_at 解决时间 | pauses 挂起时段 | type 类型 | status 状态 | closed_at 关闭时间
    reopen_count 重开次数 | first_contact_resolution 一次解决 | title 标题 | contact 联系人

Times are local wall-clock times in ``tz`` and come back as UTC ``datetime64[s]``,
rounded to the nearest second (Excel stores times as fractions of a day, so a cell
typed 17:00 can read back as 16:59:59.999). ``pauses`` holds ``start/end`` intervals
separated by ``;``; an empty end (``start/``) is a pause still open.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Final
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

__all__ = [
    "ColumnMapping",
    "TicketBatch",
    "RowError",
    "TicketFileError",
    "read_ticket_file",
    "detect_encoding",
    "CANONICAL_FIELDS",
    "CANONICAL_HEADERS",
    "FIELD_LABELS",
]

CANONICAL_FIELDS: Final[tuple[str, ...]] = (
    "ticket_no", "priority", "created_at", "first_response_at", "resolved_at", "pauses",
    "type", "status", "closed_at", "reopen_count", "first_contact_resolution", "title", "contact",
)
REQUIRED_FIELDS: Final[tuple[str, ...]] = ("ticket_no", "priority", "created_at")

# Chinese names used in messages; also the canonical Chinese headers.
FIELD_LABELS: Final[dict[str, str]] = {
    "ticket_no": "工单号", "priority": "优先级", "created_at": "创建时间",
    "first_response_at": "首次响应时间", "resolved_at": "解决时间", "pauses": "挂起时段",
    "type": "类型", "status": "状态", "closed_at": "关闭时间", "reopen_count": "重开次数",
    "first_contact_resolution": "一次解决", "title": "标题", "contact": "联系人",
}

# Headers recognised without a mapping, most specific first: when a file has both
# 工单类型 and 类型, the former is the ticket type and the latter may be a category.
CANONICAL_HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "ticket_no": ("ticket_no", "工单号", "工单编号"),
    "priority": ("priority", "优先级"),
    "created_at": ("created_at", "创建时间"),
    "first_response_at": ("first_response_at", "首次响应时间"),
    "resolved_at": ("resolved_at", "解决时间"),
    "pauses": ("pauses", "挂起时段"),
    "type": ("type", "工单类型", "类型"),
    "status": ("status", "状态"),
    "closed_at": ("closed_at", "关闭时间"),
    "reopen_count": ("reopen_count", "重开次数"),
    "first_contact_resolution": ("first_contact_resolution", "一次解决"),
    "title": ("title", "标题"),
    "contact": ("contact", "联系人", "报告人"),
}

_TIME_FIELDS: Final = ("created_at", "first_response_at", "resolved_at", "closed_at")
_TEXT_FIELDS: Final = ("ticket_no", "priority", "type", "status", "title", "contact")

# Tried in this order after the mapping's own formats. The plain form comes first
# because polars parses it about three times faster than the fractional one.
DEFAULT_DATETIME_FORMATS: Final[tuple[str, ...]] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y/%m/%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
)
_TIME_HINT: Final = "应为 YYYY-MM-DD HH:MM:SS（也可为 YYYY-MM-DD HH:MM 或 YYYY/MM/DD HH:MM:SS）"
_PAUSE_HINT: Final = "挂起时段格式应为 开始/结束，多个以 ; 分隔"
# The separating slash is the one followed by a year, so YYYY/MM/DD dates inside an
# interval do not split it; an empty end means the pause is still open.
_PAUSE_PATTERN: Final = r"^(?P<start>.+?)\s*/\s*(?P<end>\d{4}[-/].*)?$"

DEFAULT_FCR_TRUE: Final = frozenset({"1", "true", "yes", "是", "y"})
DEFAULT_FCR_FALSE: Final = frozenset({"0", "false", "no", "否", "n"})
MAX_LISTED_ERRORS: Final = 1000
_PROGRESS_STEPS: Final = 4
_CARDINALITY_SAMPLE: Final = 10_000


@dataclass(frozen=True)
class RowError:
    """One problem in one cell. ``row`` is the row number Excel shows (header = 1)."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        shown = f"「{self.value}」" if self.value else ""
        return f"第 {self.row} 行 [{self.column}] {shown}：{self.reason}"


class TicketFileError(ValueError):
    """The file cannot be imported. ``errors`` lists at most MAX_LISTED_ERRORS row
    problems (sorted by row); ``total`` counts all of them."""

    def __init__(self, message: str, errors: Sequence[RowError] = (), total: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = list(errors)
        self.total = len(self.errors) if total is None else total


@dataclass(frozen=True)
class ColumnMapping:
    """How a file's headers and values map onto the canonical fields.

    ``columns`` maps a canonical field to its header, or to a tuple of alternative
    headers (the first one present wins) for tools whose export wording varies.
    Header matching ignores case, surrounding spaces and space/underscore
    differences. ``datetime_formats`` use polars (chrono) strftime codes and are
    tried before the defaults. ``null_values`` are cell texts meaning "empty"
    (e.g. ``--``). Keys of ``priority_map``/``status_map`` match case-insensitively.
    """

    columns: Mapping[str, str | tuple[str, ...]]
    priority_map: Mapping[str, str] = field(default_factory=dict)
    datetime_formats: tuple[str, ...] = ()
    pause_format: str = "canonical"
    status_map: Mapping[str, str] = field(default_factory=dict)
    fcr_true_values: frozenset[str] = DEFAULT_FCR_TRUE
    fcr_false_values: frozenset[str] = DEFAULT_FCR_FALSE
    null_values: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        unknown = sorted(set(self.columns) - set(CANONICAL_FIELDS))
        if unknown:
            raise ValueError(f"列映射中有未知字段：{', '.join(unknown)}；可用字段：{', '.join(CANONICAL_FIELDS)}")
        if self.pause_format != "canonical":
            raise ValueError(f"不支持的挂起时段格式：{self.pause_format}（目前只支持 canonical）")
        for fmt in self.datetime_formats:
            try:
                pl.Series(["2024-01-02 03:04:05"]).str.to_datetime(fmt, strict=False)
            except pl.exceptions.PolarsError as exc:
                raise ValueError(f"无效的时间格式“{fmt}”：{str(exc).splitlines()[0]}") from exc
        clash = {v.strip().lower() for v in self.fcr_true_values} & {v.strip().lower() for v in self.fcr_false_values}
        if clash:
            raise ValueError(f"一次解决的“是”和“否”取值重叠：{', '.join(sorted(clash))}")

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form, for saving a custom mapping."""
        return {
            "columns": {k: list(v) if isinstance(v, tuple) else v for k, v in self.columns.items()},
            "priority_map": dict(self.priority_map),
            "datetime_formats": list(self.datetime_formats),
            "pause_format": self.pause_format,
            "status_map": dict(self.status_map),
            "fcr_true_values": sorted(self.fcr_true_values),
            "fcr_false_values": sorted(self.fcr_false_values),
            "null_values": sorted(self.null_values),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> ColumnMapping:
        columns = {k: tuple(v) if isinstance(v, list) else v for k, v in dict(data["columns"]).items()}  # type: ignore[arg-type]
        return cls(
            columns=columns,
            priority_map=dict(data.get("priority_map") or {}),  # type: ignore[arg-type]
            datetime_formats=tuple(data.get("datetime_formats") or ()),  # type: ignore[arg-type]
            pause_format=str(data.get("pause_format") or "canonical"),
            status_map=dict(data.get("status_map") or {}),  # type: ignore[arg-type]
            fcr_true_values=frozenset(data.get("fcr_true_values") or DEFAULT_FCR_TRUE),  # type: ignore[arg-type]
            fcr_false_values=frozenset(data.get("fcr_false_values") or DEFAULT_FCR_FALSE),  # type: ignore[arg-type]
            null_values=frozenset(data.get("null_values") or ()),  # type: ignore[arg-type]
        )


@dataclass
class TicketBatch:
    """Tickets of one file as columns, in file order (fully blank rows skipped).

    Text columns are object arrays with "" when absent; instants are UTC
    ``datetime64[s]`` with NaT when empty. Pauses are one row per interval:
    ``pause_ticket`` indexes the tickets, ``pause_end`` is NaT for an open pause.
    ``source_row`` is each ticket's row number in the file as Excel shows it;
    ``present`` names the canonical fields the file had a column for.
    """

    ticket_no: np.ndarray
    priority: np.ndarray
    type: np.ndarray
    status: np.ndarray
    title: np.ndarray
    contact: np.ndarray
    created: np.ndarray
    first_response: np.ndarray
    resolved: np.ndarray
    closed: np.ndarray
    reopen_count: np.ndarray
    fcr: np.ndarray
    has_fcr_column: bool
    pause_ticket: np.ndarray
    pause_start: np.ndarray
    pause_end: np.ndarray
    source_row: np.ndarray
    present: frozenset[str] = frozenset()

    def __len__(self) -> int:
        return int(self.ticket_no.shape[0])


# --------------------------------------------------------------------- bytes in


def detect_encoding(raw: bytes) -> str:
    """"utf-8-sig" (BOM), "utf-16" (BOM, Excel's "Unicode text"), "utf-8" when the
    bytes are strictly valid UTF-8, else "gb18030" (superset of GBK/GB2312)."""
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _is_utf8(raw):
        return "utf-8"
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise TicketFileError("无法识别文件编码，请将文件另存为 UTF-8 或 GBK 编码的 CSV") from exc
    return "gb18030"


def _is_utf8(raw: bytes, chunk: int = 1 << 22) -> bool:
    # Incremental, so a large file is validated without holding a decoded copy.
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    view = memoryview(raw)
    try:
        for start in range(0, len(view), chunk):
            decoder.decode(view[start:start + chunk], final=False)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _read_source(source: str | Path | bytes | bytearray | memoryview | BinaryIO) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, (str, Path)):
        return Path(source).read_bytes()
    return source.read()


def _utf8_bytes(raw: bytes) -> bytes:
    """The CSV as UTF-8 bytes without a BOM, which is what polars reads."""
    encoding = detect_encoding(raw)
    if encoding == "utf-8":
        return raw
    if encoding == "utf-8-sig":
        return raw[len(codecs.BOM_UTF8):]
    return raw.decode(encoding).lstrip("\ufeff").encode("utf-8")


def _sniff_separator(data: bytes) -> str:
    """Comma unless the header line has more semicolons (GLPI) or tabs (Excel text)."""
    end = data.find(b"\n")
    header = data if end < 0 else data[:end]  # a slice, not a split: no copy of the body
    counts = {sep: header.count(sep.encode()) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


# ---------------------------------------------------------------- file → frame


def _read_frame(raw: bytes, filename: str) -> tuple[pl.DataFrame, int]:
    """All cells as strings, plus the Excel row number of the first data row."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xls" or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise TicketFileError("不支持旧版 Excel 97-2003（.xls）文件，请在 Excel 中“另存为” .xlsx 格式后再导入")
    if suffix == ".csv":
        if raw.startswith(b"PK\x03\x04"):
            raise TicketFileError("文件内容是 Excel 工作簿而不是 CSV，请使用 .xlsx 扩展名上传")
        return _read_csv(raw), 2
    if suffix == ".xlsx":
        if not raw.startswith(b"PK\x03\x04"):
            raise TicketFileError("文件内容不是有效的 .xlsx 工作簿（可能是改了扩展名的其他文件）")
        return _read_xlsx(raw)
    raise TicketFileError(f"不支持的文件类型“{suffix or filename}”，请上传 .csv 或 .xlsx 文件")


def _read_csv(raw: bytes) -> pl.DataFrame:
    if not raw.strip():
        raise TicketFileError("文件为空")
    data = _utf8_bytes(raw)
    try:
        # Every column as text: ticket numbers keep leading zeros, nothing is guessed.
        return pl.read_csv(io.BytesIO(data), infer_schema_length=0, separator=_sniff_separator(data))
    except pl.exceptions.NoDataError as exc:
        raise TicketFileError("文件为空") from exc
    except pl.exceptions.PolarsError as exc:
        raise TicketFileError(f"CSV 格式错误（例如某行的列数多于表头，或引号不成对）：{exc}") from exc


def _read_xlsx(raw: bytes) -> tuple[pl.DataFrame, int]:
    try:
        # dtypes="string" turns date cells into "YYYY-MM-DD HH:MM:SS[.fff]" text, so
        # date cells and text cells of one column go through the same parser.
        frame = pl.read_excel(
            raw, engine="calamine", read_options={"dtypes": "string"},
            drop_empty_rows=False, drop_empty_cols=False, raise_if_empty=False,
        )
    except Exception as exc:  # calamine raises its own exception types
        raise TicketFileError(f"无法读取 Excel 文件：{exc}") from exc
    if not frame.columns:
        raise TicketFileError("文件为空")
    return frame, _xlsx_header_row(raw) + 1


def _xlsx_header_row(raw: bytes) -> int:
    """Sheet row number of the header: the first row with a value in the first sheet.

    calamine starts the table at the first non-empty row and does not say which row
    that was; error reports must name the row the user sees, so peek at the XML.
    """
    from defusedxml import ElementTree  # only XLSX needs it; safe XML parsing

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            sheet_path = _first_sheet_path(book, ElementTree)
            with book.open(sheet_path) as sheet:
                return _first_valued_row(ElementTree.iterparse(sheet, events=("start", "end")))
    except Exception:  # unusual workbook layout: fall back to the common case
        return 1


def _first_sheet_path(book: zipfile.ZipFile, etree: object) -> str:
    workbook = etree.fromstring(book.read("xl/workbook.xml"))  # type: ignore[attr-defined]
    sheet = next(el for el in workbook.iter() if el.tag.endswith("}sheet"))
    rel_id = next(v for k, v in sheet.attrib.items() if k.endswith("}id"))
    rels = etree.fromstring(book.read("xl/_rels/workbook.xml.rels"))  # type: ignore[attr-defined]
    target = next(el.get("Target") for el in rels if el.get("Id") == rel_id)
    return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)


def _first_valued_row(events: Iterable[tuple[str, object]]) -> int:
    row, implicit = 0, 0
    for event, element in events:
        tag = element.tag  # type: ignore[attr-defined]
        if event == "start" and tag.endswith("}row"):
            implicit += 1
            row = int(element.get("r") or implicit)  # type: ignore[attr-defined]
            implicit = row
        elif event == "end" and (tag.endswith("}v") or tag.endswith("}t")) and element.text:  # type: ignore[attr-defined]
            return row or 1
    return 1


# ------------------------------------------------------------------- headers


def _header_key(text: str) -> str:
    return re.sub(r"[\s_]+", "_", text.replace("\ufeff", "").strip().casefold())


def _resolve_columns(headers: Sequence[str], mapping: ColumnMapping | None) -> dict[str, str]:
    """canonical field → header of the frame; raises when a required one is missing."""
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(_header_key(header), header)  # the leftmost duplicate wins
    wanted = mapping.columns if mapping is not None else CANONICAL_HEADERS
    found: dict[str, str] = {}
    for name, candidates in wanted.items():
        options = (candidates,) if isinstance(candidates, str) else tuple(candidates)
        hit = next((by_key[_header_key(c)] for c in options if _header_key(c) in by_key), None)
        if hit is not None:
            found[name] = hit
    missing = [name for name in REQUIRED_FIELDS if name not in found]
    if missing:
        raise TicketFileError(_missing_message(missing, wanted))
    return found


def _missing_message(missing: Sequence[str], wanted: Mapping[str, str | tuple[str, ...]]) -> str:
    parts = []
    for name in missing:
        options = wanted.get(name, ())
        options = (options,) if isinstance(options, str) else tuple(options)
        expected = "、".join(f"“{o}”" for o in options) or "（列映射未指定）"
        parts.append(f"{FIELD_LABELS[name]}（表头应为 {expected}）")
    return "缺少必填列：" + "；".join(parts)


# -------------------------------------------------------------------- errors


@dataclass
class _Problems:
    """Row problems gathered column by column; only the first few of each kind are
    turned into RowError objects, but all are counted."""

    header_order: dict[str, int]
    listed: list[RowError] = field(default_factory=list)
    total: int = 0

    def add(self, rows: np.ndarray, values: Sequence[str | None], column: str,
            reason: str | Sequence[str]) -> None:
        count = int(len(rows))
        if count == 0:
            return
        self.total += count
        reasons = [reason] * min(count, MAX_LISTED_ERRORS) if isinstance(reason, str) else reason
        for row, value, why in zip(rows[:MAX_LISTED_ERRORS], values, reasons):
            self.listed.append(RowError(int(row), column, "" if value is None else str(value), why))

    def add_mask(self, mask: pl.Series | np.ndarray, rows: np.ndarray, raw: pl.Series, column: str, reason: str) -> None:
        flags = mask.to_numpy() if isinstance(mask, pl.Series) else mask
        flags = np.asarray(flags, dtype=bool)
        if not flags.any():
            return
        values = raw.filter(pl.Series(flags)).head(MAX_LISTED_ERRORS).to_list()
        self.add(rows[flags], values, column, reason)

    def raise_if_any(self) -> None:
        if not self.total:
            return
        ordered = sorted(self.listed, key=lambda e: (e.row, self.header_order.get(e.column, 0)))[:MAX_LISTED_ERRORS]
        message = f"文件中有 {self.total} 处错误，未导入任何工单"
        if self.total > len(ordered):
            message += f"（仅列出前 {len(ordered)} 处）"
        raise TicketFileError(message + "：" + str(ordered[0]), ordered, self.total)


# ------------------------------------------------------------------- parsing


def _cleaned(frame: pl.DataFrame, headers: Iterable[str], null_values: frozenset[str]) -> pl.DataFrame:
    """The used columns as stripped text, with empty cells (and tool-specific "empty"
    markers such as "--") as null. One select, so polars cleans columns in parallel."""
    def clean(header: str) -> pl.Expr:
        text = pl.col(header).cast(pl.String).str.strip_chars()
        empty = text.eq("") | text.is_in(list(null_values)) if null_values else text.eq("")
        return pl.when(empty).then(None).otherwise(text).alias(header)

    return frame.select(clean(h) for h in dict.fromkeys(headers))


def _parse_naive(text: pl.Series, formats: Sequence[str]) -> pl.Series:
    """Naive datetimes; the first format that fits each value wins, null otherwise.

    Later formats run only on the values still unparsed, so a file in the common
    format costs one pass."""
    result = text.str.to_datetime(formats[0], strict=False, time_unit="us")
    for fmt in formats[1:]:
        todo = (result.is_null() & text.is_not_null()).arg_true()
        if todo.len() == 0:
            break
        retry = text.gather(todo).str.to_datetime(fmt, strict=False, time_unit="us")
        result = result.scatter(todo, retry)
    return result


def _to_utc(naive: pl.Series, tz: str) -> pl.Series:
    local = naive.dt.round("1s").dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
    return local.dt.convert_time_zone("UTC").dt.replace_time_zone(None)


def _as_seconds(utc: pl.Series) -> np.ndarray:
    return utc.to_numpy().astype("datetime64[s]")


def _time_hint(formats: Sequence[str]) -> str:
    extra = [f for f in formats if f not in DEFAULT_DATETIME_FORMATS]
    return _TIME_HINT + (f"，或 {'、'.join(extra)}" if extra else "")


def _parse_times(text: pl.Series, formats: Sequence[str], tz: str, rows: np.ndarray,
                 problems: _Problems, what: str) -> np.ndarray:
    naive = _parse_naive(text, formats)
    unreadable = naive.is_null() & text.is_not_null()
    problems.add_mask(unreadable, rows, text, text.name, f"无法识别的{what}，{_time_hint(formats)}")
    utc = _to_utc(naive, tz)
    skipped = utc.is_null() & naive.is_not_null()
    problems.add_mask(skipped, rows, text, text.name, f"该时间在时区 {tz} 中不存在（夏令时切换跳过的时刻）")
    return _as_seconds(utc)


def _text_array(text: pl.Series | None, n: int) -> np.ndarray:
    if text is None:
        return np.full(n, "", dtype=object)
    filled = text.fill_null("")
    if filled.head(_CARDINALITY_SAMPLE).n_unique() * 8 > min(n, _CARDINALITY_SAMPLE):
        return np.asarray(filled.to_numpy(), dtype=object)
    # Few distinct values (priority, status, type...): one str object per value,
    # shared by every row, instead of a million copies of "P3".
    distinct = filled.unique(maintain_order=True)
    codes = filled.replace_strict(distinct, pl.int_range(distinct.len(), eager=True), return_dtype=pl.UInt32)
    values = np.empty(distinct.len(), dtype=object)
    values[:] = distinct.to_list()
    return values[codes.to_numpy().astype(np.intp)]


def _apply_value_map(text: pl.Series, value_map: Mapping[str, str]) -> pl.Series:
    """Mapped values (keys case-insensitive); unmapped values pass through."""
    if not value_map:
        return text
    lowered = {str(k).strip().lower(): str(v) for k, v in value_map.items()}
    mapped = text.str.to_lowercase().replace_strict(lowered, default=None, return_dtype=pl.String)
    return pl.select(pl.coalesce(mapped, text)).to_series().rename(text.name)


def _require(text: pl.Series, rows: np.ndarray, problems: _Problems, label: str) -> None:
    problems.add_mask(text.is_null(), rows, text, text.name, f"{label}不能为空")


def _parse_reopen(text: pl.Series | None, rows: np.ndarray, problems: _Problems) -> np.ndarray:
    n = len(rows)
    if text is None:
        return np.zeros(n, dtype=np.int32)
    value = text.cast(pl.Int32, strict=False)
    retry = (value.is_null() & text.is_not_null()).arg_true()
    if retry.len():
        # "2.0" is how a whole number typed in an Excel number cell may come back.
        digits = text.gather(retry).str.replace(r"^\+?(\d+)\.?0*$", "$1").cast(pl.Int32, strict=False)
        value = value.scatter(retry, digits)
    bad = text.is_not_null() & (value.is_null() | (value < 0))
    problems.add_mask(bad, rows, text, text.name, "重开次数应为非负整数")
    return value.fill_null(0).to_numpy().astype(np.int32)


def _parse_fcr(text: pl.Series | None, rows: np.ndarray, mapping: ColumnMapping, problems: _Problems) -> np.ndarray:
    n = len(rows)
    if text is None:
        return np.full(n, -1, dtype=np.int8)
    lowered = text.str.to_lowercase()
    yes = lowered.is_in([v.strip().lower() for v in mapping.fcr_true_values]).fill_null(False)
    no = lowered.is_in([v.strip().lower() for v in mapping.fcr_false_values]).fill_null(False)
    result = np.full(n, -1, dtype=np.int8)
    result[yes.to_numpy()] = 1
    result[no.to_numpy()] = 0
    bad = text.is_not_null() & ~yes & ~no
    accepted = "、".join(sorted(mapping.fcr_true_values)) + " / " + "、".join(sorted(mapping.fcr_false_values))
    problems.add_mask(bad, rows, text, text.name, f"一次解决应为 是/否（可用取值：{accepted}）")
    return result


def _parse_pauses(text: pl.Series | None, n: int, rows: np.ndarray, formats: Sequence[str], tz: str,
                  problems: _Problems) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    empty_time = np.array([], dtype="datetime64[s]")
    if text is None or text.null_count() == n:
        return np.array([], dtype=np.int64), empty_time, empty_time.copy()
    header = text.name
    parts = (
        pl.DataFrame({"ticket": np.arange(n, dtype=np.int64), "cell": text})
        .filter(pl.col("cell").is_not_null())
        .with_columns(pl.col("cell").str.replace_all("；", ";").str.replace_all(r"[\r\n]+", ";").str.split(";"))
        .explode("cell")
        .with_columns(pl.col("cell").str.strip_chars())
        .filter(pl.col("cell") != "")
        .with_columns(pl.col("cell").str.extract_groups(_PAUSE_PATTERN).alias("pair"))
        .unnest("pair")
    )
    ticket = parts.get_column("ticket").to_numpy()
    part_rows = rows[ticket]
    cell = parts.get_column("cell")
    start_text, end_text = parts.get_column("start"), parts.get_column("end")
    malformed = start_text.is_null()
    problems.add_mask(malformed, part_rows, cell, header, _PAUSE_HINT)
    start = _parse_naive(start_text, formats)
    end = _parse_naive(end_text, formats)
    unreadable = ~malformed & ((start.is_null() & start_text.is_not_null()) | (end.is_null() & end_text.is_not_null()))
    problems.add_mask(unreadable, part_rows, cell, header, f"挂起时段中的时间无法识别：时间{_TIME_HINT}；{_PAUSE_HINT}")
    start_utc, end_utc = _as_seconds(_to_utc(start, tz)), _as_seconds(_to_utc(end, tz))
    reversed_ = end_utc < start_utc  # NaT compares False, so open pauses pass
    problems.add_mask(reversed_, part_rows, cell, header, "挂起结束时间早于开始时间")
    keep = ~np.isnat(start_utc)
    return ticket[keep], start_utc[keep], end_utc[keep]


def _check_order(later: np.ndarray, created: np.ndarray, text: pl.Series | None, rows: np.ndarray,
                 problems: _Problems, reason: str) -> None:
    if text is None:
        return
    problems.add_mask(later < created, rows, text, text.name, reason)  # NaT compares False


def _check_duplicates(ticket_no: pl.Series, rows: np.ndarray, problems: _Problems) -> None:
    duplicated = (ticket_no.is_duplicated() & ticket_no.is_not_null()).to_numpy()
    if not duplicated.any():
        return
    dup_rows = rows[duplicated]
    values = ticket_no.filter(pl.Series(duplicated)).to_list()
    rows_by_value: dict[str, list[int]] = {}
    for row, value in zip(dup_rows.tolist(), values):  # error rows only
        rows_by_value.setdefault(value, []).append(row)
    reasons = []
    for row, value in zip(dup_rows.tolist()[:MAX_LISTED_ERRORS], values):
        others = [str(r) for r in rows_by_value[value] if r != row]
        shown = "、".join(others[:5]) + ("等" if len(others) > 5 else "")
        reasons.append(f"工单号在同一文件中重复（与第 {shown} 行相同）")
    problems.add(dup_rows, values, ticket_no.name, reasons)


# ------------------------------------------------------------------- entry point


def _drop_blank_rows(frame: pl.DataFrame, first_row: int) -> tuple[pl.DataFrame, np.ndarray]:
    """Rows whose used cells are all empty are skipped (Excel leaves such rows at the
    end of sheets); the kept rows keep their original numbers for error reports."""
    rows = np.arange(first_row, first_row + frame.height, dtype=np.int64)
    if frame.width == 0 or frame.height == 0:
        return frame, rows
    blank = pl.all_horizontal(pl.col(c).is_null() for c in frame.columns)
    keep = frame.select(~blank).to_series().to_numpy()
    if keep.all():
        return frame, rows
    return frame.filter(pl.Series(keep)), rows[keep]


def read_ticket_file(
    source: str | Path | bytes | BinaryIO,
    *,
    filename: str,
    tz: str = "Asia/Shanghai",
    mapping: ColumnMapping | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> TicketBatch:
    """Read a .csv or .xlsx ticket export (the kind is taken from ``filename``).

    ``source`` is a path, the file's bytes or a binary file object. Without a
    ``mapping`` the canonical English or Chinese headers are detected. Raises
    TicketFileError listing every row problem; never returns a partial batch.
    ``on_progress(done, total)`` is called after each of four stages (read,
    tabulate, parse, validate).
    """
    ZoneInfo(tz)  # an unknown zone is the caller's mistake: fail before reading
    progress = on_progress or (lambda done, total: None)
    raw = _read_source(source)
    progress(1, _PROGRESS_STEPS)
    frame, first_row = _read_frame(raw, filename)
    del raw  # peak memory: the bytes are no longer needed once tabulated
    columns = _resolve_columns(frame.columns, mapping)
    header_order = {h: i for i, h in enumerate(frame.columns)}
    null_values = mapping.null_values if mapping is not None else frozenset()
    cleaned = _cleaned(frame, columns.values(), null_values)
    del frame
    cleaned, rows = _drop_blank_rows(cleaned, first_row)
    progress(2, _PROGRESS_STEPS)
    batch = _parse_frame(cleaned, columns, rows, mapping, tz, header_order, progress)
    progress(4, _PROGRESS_STEPS)
    return batch


def _parse_frame(cleaned: pl.DataFrame, columns: Mapping[str, str], rows: np.ndarray,
                 mapping: ColumnMapping | None, tz: str, header_order: dict[str, int],
                 progress: Callable[[int, int], None]) -> TicketBatch:
    n = cleaned.height
    problems = _Problems(header_order)
    formats = tuple(dict.fromkeys((*(mapping.datetime_formats if mapping else ()), *DEFAULT_DATETIME_FORMATS)))

    def col(name: str) -> pl.Series | None:
        return cleaned.get_column(columns[name]) if name in columns else None

    ticket_no, priority, created_text = col("ticket_no"), col("priority"), col("created_at")
    assert ticket_no is not None and priority is not None and created_text is not None  # required
    _require(ticket_no, rows, problems, "工单号")
    _require(priority, rows, problems, "优先级")
    _require(created_text, rows, problems, "创建时间")
    priority = _apply_value_map(priority, mapping.priority_map if mapping else {})
    status = col("status")
    if status is not None:
        status = _apply_value_map(status, mapping.status_map if mapping else {})

    times: dict[str, np.ndarray] = {}
    for name in _TIME_FIELDS:
        text = col(name)
        times[name] = (_parse_times(text, formats, tz, rows, problems, FIELD_LABELS[name]) if text is not None
                       else np.full(n, np.datetime64("NaT"), dtype="datetime64[s]"))
    created = times["created_at"]
    progress(3, _PROGRESS_STEPS)
    _check_order(times["first_response_at"], created, col("first_response_at"), rows, problems, "首次响应时间早于创建时间")
    _check_order(times["resolved_at"], created, col("resolved_at"), rows, problems, "解决时间早于创建时间")
    _check_order(times["closed_at"], created, col("closed_at"), rows, problems, "关闭时间早于创建时间")

    pause_ticket, pause_start, pause_end = _parse_pauses(col("pauses"), n, rows, formats, tz, problems)
    reopen = _parse_reopen(col("reopen_count"), rows, problems)
    fcr_mapping = mapping or ColumnMapping(columns={})
    fcr = _parse_fcr(col("first_contact_resolution"), rows, fcr_mapping, problems)
    _check_duplicates(ticket_no, rows, problems)
    problems.raise_if_any()

    return TicketBatch(
        ticket_no=_text_array(ticket_no, n),
        priority=_text_array(priority, n),
        type=_text_array(col("type"), n),
        status=_text_array(status, n),
        title=_text_array(col("title"), n),
        contact=_text_array(col("contact"), n),
        created=created,
        first_response=times["first_response_at"],
        resolved=times["resolved_at"],
        closed=times["closed_at"],
        reopen_count=reopen,
        fcr=fcr,
        has_fcr_column="first_contact_resolution" in columns,
        pause_ticket=pause_ticket,
        pause_start=pause_start,
        pause_end=pause_end,
        source_row=rows,
        present=frozenset(columns),
    )
