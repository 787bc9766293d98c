"""A table of text cells → a :class:`TicketBatch`, vectorized with polars, reporting
every bad cell of every row at once (unknown priorities and over-long texts included).

Times are local wall-clock times of ``tz`` and become UTC ``datetime64[s]``; a
fraction of a second is dropped (floored), never rounded. Excel stores times as
fractions of a day, so a typed 17:00 can read back as 16:59:59.9999; workbook cells
are first rounded to the millisecond, which only removes that binary noise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import polars as pl

from opsqm.core.ticket_io.schema import (
    FIELD_LABELS,
    MAX_LISTED_ERRORS,
    TIME_FIELDS,
    ColumnMapping,
    RowError,
    TicketBatch,
    TicketFileError,
)
from opsqm.core.ticket_io.values import map_priorities

__all__ = ["DEFAULT_DATETIME_FORMATS", "ParseOptions", "Problems", "check_duplicates", "parse_columns"]

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
_PAUSE_PATTERN: Final = r"^(?P<start>.+?)\s*/\s*(?P<end>\d{4}[-/].*)?$"
_CARDINALITY_SAMPLE: Final = 10_000


@dataclass(frozen=True)
class ParseOptions:
    tz: str = "Asia/Shanghai"
    priorities: Sequence[tuple[str, str]] | None = None  # the agreement's (code, name); None: no check
    max_lengths: Mapping[str, int] = field(default_factory=dict)
    excel_cells: bool = False
    extra_formats: tuple[str, ...] = ()


@dataclass
class Problems:
    header_order: dict[str, int]
    listed: list[RowError] = field(default_factory=list)
    total: int = 0

    def add(self, rows: np.ndarray, values: Sequence[object], column: str, reason: str | Sequence[str]) -> None:
        count = int(len(rows))
        if not count:
            return
        self.total += count
        reasons = [reason] * min(count, MAX_LISTED_ERRORS) if isinstance(reason, str) else reason
        for row, value, why in zip(rows[:MAX_LISTED_ERRORS], values, reasons):
            self.listed.append(RowError(int(row), column, "" if value is None else str(value)[:80], why))

    def add_mask(self, mask: pl.Series | np.ndarray, rows: np.ndarray, raw: pl.Series, column: str, reason: str) -> None:
        flags = np.asarray(mask.fill_null(False).to_numpy() if isinstance(mask, pl.Series) else mask, dtype=bool)
        if flags.any():
            self.add(rows[flags], raw.filter(pl.Series(flags)).head(MAX_LISTED_ERRORS).to_list(), column, reason)

    def raise_if_any(self) -> None:
        if not self.total:
            return
        ordered = sorted(self.listed, key=lambda e: (e.row, self.header_order.get(e.column, 0)))[:MAX_LISTED_ERRORS]
        message = f"文件中有 {self.total} 处错误，未导入任何工单"
        if self.total > len(ordered):
            message += f"（仅列出前 {len(ordered)} 处）"
        raise TicketFileError(message + "：" + str(ordered[0]), ordered, self.total)


def _parse_naive(text: pl.Series, formats: Sequence[str]) -> pl.Series:
    """The first format that fits each value wins; later formats only see what is left."""
    result = text.str.to_datetime(formats[0], strict=False, time_unit="us")
    for fmt in formats[1:]:
        todo = (result.is_null() & text.is_not_null()).arg_true()
        if todo.len() == 0:
            break
        retry = text.gather(todo).str.to_datetime(fmt, strict=False, time_unit="us")
        result = result.scatter(todo, retry)
    return result


def _to_utc_seconds(naive: pl.Series, opts: ParseOptions) -> pl.Series:
    if opts.excel_cells:
        naive = naive.dt.round("1ms")
    local = naive.dt.truncate("1s").dt.replace_time_zone(opts.tz, ambiguous="earliest", non_existent="null")
    return local.dt.convert_time_zone("UTC").dt.replace_time_zone(None)


def _seconds(utc: pl.Series) -> np.ndarray:
    return utc.to_numpy().astype("datetime64[s]")


def _hint(formats: Sequence[str]) -> str:
    extra = [f for f in formats if f not in DEFAULT_DATETIME_FORMATS]
    return _TIME_HINT + (f"，或 {'、'.join(extra)}" if extra else "")


def _parse_times(
    text: pl.Series, formats: Sequence[str], opts: ParseOptions, rows: np.ndarray, problems: Problems, what: str
) -> np.ndarray:
    naive = _parse_naive(text, formats)
    problems.add_mask(naive.is_null() & text.is_not_null(), rows, text, text.name, f"无法识别的{what}，{_hint(formats)}")
    utc = _to_utc_seconds(naive, opts)
    problems.add_mask(
        utc.is_null() & naive.is_not_null(), rows, text, text.name, f"该时间在时区 {opts.tz} 中不存在（夏令时切换跳过的时刻）"
    )
    return _seconds(utc)


def text_array(text: pl.Series | None, n: int) -> np.ndarray:
    if text is None:
        return np.full(n, "", dtype=object)
    filled = text.fill_null("")
    if filled.head(_CARDINALITY_SAMPLE).n_unique() * 8 > min(n, _CARDINALITY_SAMPLE):
        return np.asarray(filled.to_numpy(), dtype=object)
    # Few distinct values (priority, status…): one str object shared by every row.
    distinct = filled.unique(maintain_order=True)
    codes = filled.replace_strict(distinct, pl.int_range(distinct.len(), eager=True), return_dtype=pl.UInt32)
    values = np.empty(distinct.len(), dtype=object)
    values[:] = distinct.to_list()
    return values[codes.to_numpy().astype(np.intp)]


def _map_values(text: pl.Series, value_map: Mapping[str, str]) -> pl.Series:
    if not value_map:
        return text
    lowered = {str(k).strip().lower(): str(v) for k, v in value_map.items()}
    mapped = text.str.to_lowercase().replace_strict(lowered, default=None, return_dtype=pl.String)
    return pl.select(pl.coalesce(mapped, text)).to_series().rename(text.name)


def _parse_reopen(text: pl.Series | None, rows: np.ndarray, problems: Problems) -> np.ndarray:
    if text is None:
        return np.zeros(len(rows), dtype=np.int32)
    value = text.cast(pl.Int32, strict=False)
    retry = (value.is_null() & text.is_not_null()).arg_true()
    if retry.len():  # "2.0": a whole number typed in an Excel number cell
        digits = text.gather(retry).str.replace(r"^\+?(\d+)\.?0*$", "$1").cast(pl.Int32, strict=False)
        value = value.scatter(retry, digits)
    problems.add_mask(text.is_not_null() & (value.is_null() | (value < 0)), rows, text, text.name, "重开次数应为非负整数")
    return value.fill_null(0).to_numpy().astype(np.int32)


def _parse_fcr(text: pl.Series | None, rows: np.ndarray, mapping: ColumnMapping, problems: Problems) -> np.ndarray:
    result = np.full(len(rows), -1, dtype=np.int8)
    if text is None:
        return result
    lowered = text.str.to_lowercase()
    yes = lowered.is_in([v.strip().lower() for v in mapping.fcr_true_values]).fill_null(False)
    no = lowered.is_in([v.strip().lower() for v in mapping.fcr_false_values]).fill_null(False)
    result[yes.to_numpy()] = 1
    result[no.to_numpy()] = 0
    accepted = "、".join(sorted(mapping.fcr_true_values)) + " / " + "、".join(sorted(mapping.fcr_false_values))
    problems.add_mask(text.is_not_null() & ~yes & ~no, rows, text, text.name, f"一次解决应为 是/否（可用取值：{accepted}）")
    return result


def _parse_pauses(
    text: pl.Series | None, n: int, rows: np.ndarray, formats: Sequence[str], opts: ParseOptions, problems: Problems
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    empty = np.array([], dtype="datetime64[s]")
    if text is None or text.null_count() == n:
        return np.array([], dtype=np.int64), empty, empty.copy()
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
    part_rows, cell = rows[ticket], parts.get_column("cell")
    start_text, end_text = parts.get_column("start"), parts.get_column("end")
    malformed = start_text.is_null()
    problems.add_mask(malformed, part_rows, cell, text.name, _PAUSE_HINT)
    start, end = _parse_naive(start_text, formats), _parse_naive(end_text, formats)
    unreadable = ~malformed & ((start.is_null() & start_text.is_not_null()) | (end.is_null() & end_text.is_not_null()))
    problems.add_mask(unreadable, part_rows, cell, text.name, f"挂起时段中的时间无法识别：时间{_TIME_HINT}；{_PAUSE_HINT}")
    start_utc, end_utc = _seconds(_to_utc_seconds(start, opts)), _seconds(_to_utc_seconds(end, opts))
    problems.add_mask(end_utc < start_utc, part_rows, cell, text.name, "挂起结束时间早于开始时间")
    keep = ~np.isnat(start_utc)
    return ticket[keep], start_utc[keep], end_utc[keep]


def check_duplicates(ticket_no: pl.Series, rows: np.ndarray, problems: Problems) -> None:
    duplicated = (ticket_no.is_duplicated() & ticket_no.is_not_null()).to_numpy()
    if not duplicated.any():
        return
    dup_rows, values = rows[duplicated], ticket_no.filter(pl.Series(duplicated)).to_list()
    rows_by_value: dict[str, list[int]] = {}
    for row, value in zip(dup_rows.tolist(), values):
        rows_by_value.setdefault(value, []).append(row)
    reasons = []
    for row, value in zip(dup_rows.tolist()[:MAX_LISTED_ERRORS], values):
        others = [str(r) for r in rows_by_value[value] if r != row]
        reasons.append(f"工单号在同一文件中重复（与第 {'、'.join(others[:5])}{'等' if len(others) > 5 else ''} 行相同）")
    problems.add(dup_rows, values, ticket_no.name, reasons)


def _check_lengths(columns: Mapping[str, pl.Series], limits: Mapping[str, int], rows: np.ndarray, problems: Problems) -> None:
    for name, limit in limits.items():
        text = columns.get(name)
        if text is not None:
            problems.add_mask(text.str.len_chars() > limit, rows, text, text.name, f"长度超过 {limit} 个字符")


def parse_columns(
    columns: Mapping[str, pl.Series], rows: np.ndarray, mapping: ColumnMapping, opts: ParseOptions, problems: Problems
) -> TicketBatch:
    """``columns``: field → cleaned text Series (named by its header, null = empty).
    Problems are added to ``problems`` (the caller raises); duplicates are the caller's
    check too, since they span chunks."""
    n = len(rows)
    formats = tuple(dict.fromkeys((*mapping.datetime_formats, *opts.extra_formats, *DEFAULT_DATETIME_FORMATS)))
    col = columns.get
    ticket_no, priority_text, created_text = col("ticket_no"), col("priority"), col("created_at")
    assert ticket_no is not None and priority_text is not None and created_text is not None
    for text, label in ((ticket_no, "工单号"), (priority_text, "优先级"), (created_text, "创建时间")):
        problems.add_mask(text.is_null(), rows, text, text.name, f"{label}不能为空")
    priority, unknown = map_priorities(priority_text, mapping.priority_map, opts.priorities)
    if opts.priorities is not None:
        allowed = "、".join(code if not name or name == code else f"{code}（{name}）" for code, name in opts.priorities)
        problems.add_mask(
            unknown, rows, priority_text, priority_text.name, f"优先级不在本项目 SLA 协议中，且列映射中没有对应关系（可用：{allowed}）"
        )
    status = col("status")
    if status is not None:
        status = _map_values(status, mapping.status_map)
    _check_lengths(columns, opts.max_lengths, rows, problems)
    times: dict[str, np.ndarray] = {}
    for name in TIME_FIELDS:
        text = col(name)
        times[name] = (
            _parse_times(text, formats, opts, rows, problems, FIELD_LABELS[name])
            if text is not None
            else np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
        )
    if mapping.resolved_statuses and status is not None:
        done = status.str.strip_chars().is_in(list(mapping.resolved_statuses)).fill_null(False).to_numpy()
        times["resolved_at"] = np.where(done, times["resolved_at"], np.datetime64("NaT", "s"))
    created = times["created_at"]
    for name, label in (("first_response_at", "首次响应时间"), ("resolved_at", "解决时间"), ("closed_at", "关闭时间")):
        if col(name) is not None:
            problems.add_mask(times[name] < created, rows, col(name), col(name).name, f"{label}早于创建时间")
    pause_ticket, pause_start, pause_end = _parse_pauses(col("pauses"), n, rows, formats, opts, problems)
    reopen = _parse_reopen(col("reopen_count"), rows, problems)
    fcr = _parse_fcr(col("first_contact_resolution"), rows, mapping, problems)
    return TicketBatch(
        ticket_no=text_array(ticket_no, n),
        priority=text_array(priority, n),
        type=text_array(col("type"), n),
        status=text_array(status, n),
        title=text_array(col("title"), n),
        contact=text_array(col("contact"), n),
        contact_phone=text_array(col("contact_phone"), n),
        contact_email=text_array(col("contact_email"), n),
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
