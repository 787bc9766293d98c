"""JSON tickets (push API) → :class:`TicketBatch` through the same parser as files.

Field names are the canonical ones. A time is any text a file import accepts (in the
project's time zone) or ISO 8601 with an offset (``Z``, ``+08:00``). ``pauses`` is a
list of ``{"start", "end"}`` objects (``end`` null while still paused) or the
canonical text ``start/end;start/``. Every bad field of every item is reported at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from opsqm.core.ticket_io.parse import ParseOptions, Problems, check_duplicates, parse_columns
from opsqm.core.ticket_io.schema import (
    CANONICAL_FIELDS,
    MAX_LISTED_ERRORS,
    TIME_FIELDS,
    ColumnMapping,
    RowError,
    TicketBatch,
)

__all__ = ["items_to_batch"]

_KNOWN: Final = frozenset(CANONICAL_FIELDS)
_FCR: Final = {True: "true", False: "false"}


def _local_text(value: str, zone: ZoneInfo) -> str:
    """An instant with an offset becomes local wall-clock text; anything else is left
    for the shared parser (so push accepts exactly what files accept)."""
    text = value.strip()
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if moment.tzinfo is None:
        return text
    return moment.astimezone(zone).replace(tzinfo=None).isoformat(sep=" ")


def _pause_text(value: Any, zone: ZoneInfo) -> str:
    if isinstance(value, str):
        return value
    if not isinstance(value, list) or not all(isinstance(p, dict) and isinstance(p.get("start"), str) for p in value):
        raise TypeError
    parts = []
    for pause in value:
        end = pause.get("end")
        if end is not None and not isinstance(end, str):
            raise TypeError
        parts.append(f"{_local_text(pause['start'], zone)}/{_local_text(end, zone) if end else ''}")
    return ";".join(parts)


def _cell(field: str, value: Any, zone: ZoneInfo) -> str | None:
    if value is None or value == "":
        return None
    if field == "pauses":
        return _pause_text(value, zone)
    if field == "first_contact_resolution":
        if not isinstance(value, bool):
            raise TypeError
        return _FCR[value]
    if field == "reopen_count":
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError
        return str(value)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError
    return _local_text(value, zone) if field in TIME_FIELDS else str(value)


_TYPE_REASON: Final = {
    "pauses": '挂起时段应为 [{"start": ..., "end": ...}] 列表或“开始/结束”文本',
    "first_contact_resolution": "应为 true、false 或 null",
    "reopen_count": "应为非负整数",
}


def items_to_batch(
    items: Sequence[Any],
    *,
    tz: str,
    mapping: ColumnMapping | None = None,
    priorities: Sequence[tuple[str, str]] | None = None,
    max_lengths: Mapping[str, int] | None = None,
) -> TicketBatch:
    """Raises TicketFileError with every problem (row = item number, column = field)."""
    zone = ZoneInfo(tz)
    n = len(items)
    cells: dict[str, list[str | None]] = {f: [None] * n for f in CANONICAL_FIELDS}
    seen: set[str] = set()
    errors: list[RowError] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            errors.append(RowError(i + 1, "", "", "每个元素应为 JSON 对象"))
            continue
        for key in sorted(set(item) - _KNOWN):
            errors.append(RowError(i + 1, str(key)[:50], "", "未知字段"))
        for field in _KNOWN & set(item):
            seen.add(field)
            try:
                cells[field][i] = _cell(field, item[field], zone)
            except (TypeError, AttributeError):
                errors.append(RowError(i + 1, field, str(item[field])[:50], _TYPE_REASON.get(field, "应为字符串")))
    present = {f for f in CANONICAL_FIELDS if f in seen or f in ("ticket_no", "priority", "created_at")}
    columns = {f: pl.Series(f, cells[f], dtype=pl.String).str.strip_chars() for f in present}
    columns = {f: pl.select(pl.when(s == "").then(None).otherwise(s)).to_series().rename(f) for f, s in columns.items()}
    rows = np.arange(1, n + 1, dtype=np.int64)
    opts = ParseOptions(tz=tz, priorities=priorities, max_lengths=dict(max_lengths or {}), extra_formats=("%Y-%m-%d %H:%M:%S%.f",))
    order = {f: i for i, f in enumerate(CANONICAL_FIELDS)}
    problems = Problems(order)
    batch = parse_columns(columns, rows, mapping or ColumnMapping(columns={}), opts, problems)
    check_duplicates(columns["ticket_no"], rows, problems)
    problems.listed.extend(errors[:MAX_LISTED_ERRORS])
    problems.total += len(errors)
    problems.raise_if_any()
    return batch
