"""The one .xlsx table writer: neutralized cells, header style, column widths, wrapped text, number and
percent formats, frozen header, autofilter and an A4 print setup. Exports build rows; this writes them.

Pure openpyxl (no Django), so it lives in the core and is tested without a database.
"""

from __future__ import annotations

import datetime
import decimal
import io
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from opsqm.core.cells import neutralize

__all__ = ["Column", "PERCENT", "write_table", "workbook_bytes", "percent_value"]

PERCENT = "0.0%"


@dataclass(frozen=True)
class Column:
    title: str
    width: float = 12
    number_format: str | None = None  # e.g. PERCENT, "0.00", "yyyy-mm-dd"
    wrap: bool = False


def percent_value(text: Any) -> Any:
    """"85.0%" → 0.85 (a number Excel formats as a percent); anything else unchanged ("—" stays)."""
    if isinstance(text, str) and text.endswith("%"):
        try:
            return float(text[:-1].replace(",", "")) / 100
        except ValueError:
            return text
    return text


_PLAIN = (str, int, float, bool, type(None), datetime.date, datetime.datetime, datetime.time, decimal.Decimal)


def _plain(value: Any) -> Any:
    """Lazy translations and other objects become text (openpyxl only takes plain values)."""
    return value if isinstance(value, _PLAIN) else str(value)


def write_table(ws: Any, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, landscape: bool = True,
                title_rows: int = 1) -> None:
    """Write a header row and the rows into an empty worksheet, formatted for screen and A4 paper."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="C9D1DC")
    ws.append([c.title for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E2F3")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = Border(bottom=thin)
    for row in rows:
        ws.append([neutralize(_plain(v)) for v in row])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.alignment = Alignment(wrap_text=column.wrap, vertical="top")
            if column.number_format and isinstance(cell.value, (int, float)):
                cell.number_format = column.number_format
    ws.freeze_panes = "A2"
    if ws.max_row > 1:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{ws.max_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{title_rows}"
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4


def workbook_bytes(wb: Any) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
