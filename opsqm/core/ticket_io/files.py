"""Ticket files (CSV / XLSX) → :class:`TicketBatch`, all-or-nothing."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Final
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from opsqm.core.ticket_io.parse import ParseOptions, parse_columns
from opsqm.core.ticket_io.reader import Source, Table, match_columns, read_table
from opsqm.core.ticket_io.schema import CANONICAL_HEADERS, ColumnMapping, TicketBatch, TicketFileError
from opsqm.core.ticket_io.values import value_counts

__all__ = ["read_ticket_file", "canonical_mapping", "cleaned_columns", "priority_values"]

_DOUBLED_QUOTE_FIELDS: Final = ("title", "type", "status", "contact")
_THOUSANDS: Final = r"^\d{1,3}(?:[ \u00a0\u202f,]\d{3})+$"


def canonical_mapping() -> ColumnMapping:
    return ColumnMapping(columns=dict(CANONICAL_HEADERS))


def _clean(text: pl.Series, null_values: frozenset[str]) -> pl.Series:
    text = text.cast(pl.String).str.strip_chars()
    empty = text.eq("") | text.is_in(list(null_values)) if null_values else text.eq("")
    return pl.select(pl.when(empty).then(None).otherwise(text)).to_series()


def cleaned_columns(table: Table, mapping: ColumnMapping, positions: Mapping[str, int]) -> dict[str, pl.Series]:
    """field → stripped text (null = empty), named by its header, tool quirks undone."""
    out: dict[str, pl.Series] = {}
    for name, index in positions.items():
        header = table.headers[index] or f"第 {index + 1} 列"
        if index >= table.frame.width:
            text = pl.Series(header, [None] * table.frame.height, dtype=pl.String)
        else:
            text = _clean(table.frame.get_column(table.column(index)), mapping.null_values).rename(header)
        if mapping.doubled_quotes and name in _DOUBLED_QUOTE_FIELDS:
            text = text.str.replace_all("''", '"', literal=True)
        if mapping.id_thousands and name == "ticket_no":
            grouped = text.str.contains(_THOUSANDS).fill_null(False)
            digits = text.str.replace_all(r"[ \u00a0\u202f,]", "")
            text = pl.select(pl.when(grouped).then(digits).otherwise(text)).to_series().rename(header)
        out[name] = text
    return out


def _drop_blank_rows(columns: dict[str, pl.Series], first_row: int, height: int) -> tuple[dict[str, pl.Series], np.ndarray]:
    """Rows whose used cells are all empty are skipped; kept rows keep their numbers."""
    rows = np.arange(first_row, first_row + height, dtype=np.int64)
    if not columns or not height:
        return columns, rows
    keep = ~pl.DataFrame(list(columns.values())).select(pl.all_horizontal(pl.all().is_null())).to_series().to_numpy()
    if keep.all():
        return columns, rows
    mask = pl.Series(keep)
    return {k: v.filter(mask) for k, v in columns.items()}, rows[keep]


def read_ticket_file(
    source: Source, *, filename: str, tz: str = "Asia/Shanghai", mapping: ColumnMapping | None = None,
    encoding: str = "auto", priorities: Sequence[tuple[str, str]] | None = None,
    max_lengths: Mapping[str, int] | None = None, on_progress: Callable[[int, int], None] | None = None,
) -> TicketBatch:
    """Read a .csv or .xlsx ticket export. Raises TicketFileError listing every problem
    (including priorities the agreement does not know, when ``priorities`` is given)."""
    ZoneInfo(tz)
    progress = on_progress or (lambda done, total: None)
    mapping = mapping or canonical_mapping()
    table = read_table(source, filename=filename, encoding=encoding)
    progress(1, 4)
    positions = match_columns(table.headers, mapping.columns)
    columns = cleaned_columns(table, mapping, positions)
    header_order = {h: i for i, h in enumerate(table.headers)}
    height, first_row = table.frame.height, table.first_row
    del table  # peak memory: only the used columns stay
    columns, rows = _drop_blank_rows(columns, first_row, height)
    if not len(rows):
        raise TicketFileError("文件只有表头，没有工单数据行；请确认导出时选中了工单")
    progress(2, 4)
    opts = ParseOptions(tz=tz, priorities=priorities, max_lengths=dict(max_lengths or {}),
                        excel_cells=filename.lower().endswith(".xlsx"))
    batch = parse_columns(columns, rows, mapping, opts, header_order)
    progress(4, 4)
    return batch


def priority_values(source: Source, *, filename: str, mapping: ColumnMapping, encoding: str = "auto") -> list[tuple[str, int]]:
    """The distinct source priority values with their counts (the mapping page's value map)."""
    table = read_table(source, filename=filename, encoding=encoding)
    positions = match_columns(table.headers, {k: v for k, v in mapping.columns.items() if k == "priority"},
                              required=("priority",))
    return value_counts(cleaned_columns(table, mapping, positions)["priority"])
