"""Ticket files (CSV / XLSX) → :class:`TicketBatch` chunks, all-or-nothing.

:func:`iter_ticket_batches` reads a file a chunk of rows at a time, so an import's
memory does not grow with the file: each chunk is parsed, checked and handed on
(the import computes its SLA and stages it), while every problem of every chunk is
collected; duplicates are checked across the whole file at the end
(:mod:`opsqm.core.ticket_io.duplicates`, in memory that does not grow with the file
either). If anything was wrong the iteration ends by raising TicketFileError with the
full report, and the caller writes nothing. Once a problem is found no more batches are
yielded (their rows are still checked, for the report).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from opsqm.core.ticket_io.duplicates import RepeatedNumbers
from opsqm.core.ticket_io.parse import ParseOptions, Problems, parse_columns
from opsqm.core.ticket_io.reader import CHUNK_ROWS, Source, match_columns, read_source, read_table
from opsqm.core.ticket_io.schema import CANONICAL_HEADERS, ColumnMapping, TicketBatch, TicketFileError
from opsqm.core.ticket_io.values import value_counts

__all__ = ["read_ticket_file", "iter_ticket_batches", "canonical_mapping", "cleaned_columns", "priority_values", "concat_batches"]

_DOUBLED_QUOTE_FIELDS: Final = ("title", "type", "status", "contact")
_THOUSANDS: Final = r"^\d{1,3}(?:[ \u00a0\u202f,]\d{3})+$"


def canonical_mapping() -> ColumnMapping:
    return ColumnMapping(columns=dict(CANONICAL_HEADERS))


def _clean(text: pl.Series, null_values: frozenset[str]) -> pl.Series:
    text = text.cast(pl.String).str.strip_chars()
    empty = text.eq("") | text.is_in(list(null_values)) if null_values else text.eq("")
    return pl.select(pl.when(empty).then(None).otherwise(text)).to_series()


def cleaned_columns(
    headers: Sequence[str], frame: pl.DataFrame, mapping: ColumnMapping, positions: Mapping[str, int]
) -> dict[str, pl.Series]:
    """field → stripped text (null = empty), named by its header, tool quirks undone."""
    out: dict[str, pl.Series] = {}
    for name, index in positions.items():
        header = headers[index] or f"第 {index + 1} 列"
        if index >= frame.width:
            text = pl.Series(header, [None] * frame.height, dtype=pl.String)
        else:
            text = _clean(frame.get_column(f"c{index}"), mapping.null_values).rename(header)
        if mapping.doubled_quotes and name in _DOUBLED_QUOTE_FIELDS:
            text = text.str.replace_all("''", '"', literal=True)
        if mapping.id_thousands and name == "ticket_no":
            grouped = text.str.contains(_THOUSANDS).fill_null(False)
            digits = text.str.replace_all(r"[ \u00a0\u202f,]", "")
            text = pl.select(pl.when(grouped).then(digits).otherwise(text)).to_series().rename(header)
        out[name] = text
    return out


def _drop_blank_rows(columns: dict[str, pl.Series], rows: np.ndarray) -> tuple[dict[str, pl.Series], np.ndarray]:
    """Rows whose used cells are all empty are skipped; kept rows keep their numbers."""
    if not columns or not len(rows):
        return columns, rows
    keep = ~pl.DataFrame(list(columns.values())).select(pl.all_horizontal(pl.all().is_null())).to_series().to_numpy()
    if keep.all():
        return columns, rows
    mask = pl.Series(keep)
    return {k: v.filter(mask) for k, v in columns.items()}, rows[keep]


def iter_ticket_batches(
    source: Source,
    *,
    filename: str,
    tz: str = "Asia/Shanghai",
    mapping: ColumnMapping | None = None,
    encoding: str = "auto",
    priorities: Sequence[tuple[str, str]] | None = None,
    max_lengths: Mapping[str, int] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    on_rows: Callable[[int], None] | None = None,
) -> Iterator[TicketBatch]:
    """Batches of at most ``chunk_rows`` tickets; raises TicketFileError at the end
    (or at once, for a file that cannot be read at all) listing every problem."""
    ZoneInfo(tz)
    mapping = mapping or canonical_mapping()
    if not isinstance(source, (str, Path, bytes, bytearray, memoryview)):
        source = read_source(source)  # a stream is read whole anyway; bytes can be read twice
    table = read_table(source, filename=filename, encoding=encoding, chunk_rows=chunk_rows)
    positions = match_columns(table.headers, mapping.columns)
    problems = Problems({h: i for i, h in enumerate(table.headers)})
    opts = ParseOptions(tz=tz, priorities=priorities, max_lengths=dict(max_lengths or {}), excel_cells=filename.lower().endswith(".xlsx"))
    next_row, kept = table.first_row, 0
    with RepeatedNumbers(spill_dir=Path(source).parent if isinstance(source, (str, Path)) else None) as repeated:
        for frame in table.chunks:
            rows = np.arange(next_row, next_row + frame.height, dtype=np.int64)
            next_row += frame.height
            columns, rows = _drop_blank_rows(cleaned_columns(table.headers, frame, mapping, positions), rows)
            del frame
            if not len(rows):
                continue
            kept += len(rows)
            batch = parse_columns(columns, rows, mapping, opts, problems)
            repeated.add(columns["ticket_no"], rows)
            if on_rows:
                on_rows(kept)
            if not problems.total:
                yield batch
            del batch, columns
        if not kept:
            raise TicketFileError("文件只有表头，没有工单数据行；请确认导出时选中了工单")
        repeated.report(problems, lambda suspects: _numbers_at(source, suspects, filename, encoding, mapping, chunk_rows))
    problems.raise_if_any()


def _numbers_at(
    source: Source, rows: np.ndarray, filename: str, encoding: str, mapping: ColumnMapping, chunk_rows: int
) -> tuple[pl.Series, np.ndarray]:
    """The ticket numbers of the given rows (sorted), read again from the file, cleaned as the
    import reads them."""
    table = read_table(source, filename=filename, encoding=encoding, chunk_rows=chunk_rows)
    wanted = {k: v for k, v in mapping.columns.items() if k == "ticket_no"}
    positions = match_columns(table.headers, wanted, required=("ticket_no",))
    numbers: list[pl.Series] = []
    next_row = table.first_row
    for frame in table.chunks:
        lo, hi = np.searchsorted(rows, [next_row, next_row + frame.height])
        if hi > lo:
            picked = rows[lo:hi] - next_row
            column = cleaned_columns(table.headers, frame, mapping, positions)["ticket_no"]
            numbers.append(column.gather(picked))
        next_row += frame.height
    found = pl.concat(numbers) if numbers else pl.Series([], dtype=pl.String)
    if len(found) != len(rows):  # the file changed under the import: refuse it rather than guess
        raise TicketFileError("文件在导入期间被改动，请重新上传")
    return found, rows


def concat_batches(batches: Sequence[TicketBatch]) -> TicketBatch:
    if len(batches) == 1:
        return batches[0]
    offsets = np.cumsum([0] + [len(b) for b in batches[:-1]])
    first = batches[0]
    cat = lambda name: np.concatenate([getattr(b, name) for b in batches])  # noqa: E731
    return TicketBatch(
        **{
            name: cat(name)
            for name in (
                "ticket_no",
                "priority",
                "type",
                "status",
                "title",
                "contact",
                "contact_phone",
                "contact_email",
                "created",
                "first_response",
                "resolved",
                "closed",
                "reopen_count",
                "fcr",
                "pause_start",
                "pause_end",
                "source_row",
            )
        },
        has_fcr_column=first.has_fcr_column,
        present=first.present,
        pause_ticket=np.concatenate([b.pause_ticket + off for b, off in zip(batches, offsets)]),
    )


def read_ticket_file(
    source: Source,
    *,
    filename: str,
    tz: str = "Asia/Shanghai",
    mapping: ColumnMapping | None = None,
    encoding: str = "auto",
    priorities: Sequence[tuple[str, str]] | None = None,
    max_lengths: Mapping[str, int] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> TicketBatch:
    """The whole file as one batch (the command-line calculator, tests); imports use
    :func:`iter_ticket_batches` so that memory does not grow with the file."""
    progress = on_progress or (lambda done, total: None)
    progress(1, 4)
    batches = list(
        iter_ticket_batches(
            source,
            filename=filename,
            tz=tz,
            mapping=mapping,
            encoding=encoding,
            priorities=priorities,
            max_lengths=max_lengths,
            on_rows=lambda rows: progress(2, 4),
        )
    )
    progress(4, 4)
    return concat_batches(batches)


def priority_values(source: Source, *, filename: str, mapping: ColumnMapping, encoding: str = "auto") -> list[tuple[str, int]]:
    """The distinct source priority values with their counts (the mapping page's value map)."""
    table = read_table(source, filename=filename, encoding=encoding)
    positions = match_columns(table.headers, {k: v for k, v in mapping.columns.items() if k == "priority"}, required=("priority",))
    counts: dict[str, int] = {}
    for frame in table.chunks:
        for value, count in value_counts(cleaned_columns(table.headers, frame, mapping, positions)["priority"]):
            counts[value] = counts.get(value, 0) + count
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
