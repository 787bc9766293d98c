"""The one spreadsheet writer of opsqm (.xlsx, and the cell rule for .csv).

Every .xlsx export builds its workbook with `new_workbook()`, fills it (usually with
`write_table`, or cell by cell for special layouts) and turns it into bytes with
`workbook_bytes()` (or an HTTP answer with `xlsx_response()`). `workbook_bytes` sweeps every cell
of every sheet before saving, so no export can write a formula: a text starting with = + - @ tab
or CR (CSV/formula injection in Excel or WPS) is written with a leading apostrophe and stays plain
text; a cell openpyxl took for a formula is turned back into text the same way. Importers strip
the apostrophe again with `unneutralize`.

Formats: `Column` (width, number/percent format, wrapped text), `write_table` (header style,
frozen header, autofilter, A4 print setup), `print_layout` for hand-laid sheets.
Pure openpyxl (no Django models), so it is tested without a database.
"""

from __future__ import annotations

import datetime
import decimal
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "FORMULA_PREFIXES",
    "neutralize",
    "unneutralize",
    "print_layout",
    "Column",
    "PERCENT",
    "percent_value",
    "write_table",
    "style_header",
    "new_workbook",
    "neutralize_workbook",
    "workbook_bytes",
    "xlsx_response",
    "XLSX_MIME",
]

FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT: Final = "0.0%"


def neutralize(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unneutralize(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


@dataclass(frozen=True)
class Column:
    title: str
    width: float = 12
    number_format: str | None = None  # e.g. PERCENT, "0.00", "yyyy-mm-dd"
    wrap: bool = False


def percent_value(text: Any) -> Any:
    """ "85.0%" → 0.85 (a number Excel formats as a percent); anything else unchanged ("—" stays)."""
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


def new_workbook() -> Any:
    """An empty openpyxl workbook (exports never import openpyxl themselves)."""
    from openpyxl import Workbook

    return Workbook()


def print_layout(ws: Any, *, freeze: str | None = None, landscape: bool = True, fit_width: bool = True, grid_lines: bool = False) -> None:
    """Print setup of a worksheet: A4, landscape, fit to one page wide, frozen panes.

    `freeze` is the first scrolling cell ("B5": column A and rows 1–4 stay in view and are
    repeated on every printed page).
    """
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    if fit_width:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.print_options.gridLines = grid_lines
    ws.page_margins.left = ws.page_margins.right = 0.4
    if freeze:
        ws.freeze_panes = freeze
        row = "".join(ch for ch in freeze if ch.isdigit())
        col = "".join(ch for ch in freeze if ch.isalpha())
        if row and int(row) > 1:
            ws.print_title_rows = f"1:{int(row) - 1}"
        if col and col != "A":
            ws.print_title_cols = "A:A"


def style_header(cells: Iterable[Any], *, fill: str = "D9E2F3", color: str | None = None) -> None:
    """Bold, shaded, wrapped header cells (one look for every export)."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    for cell in cells:
        cell.font = Font(bold=True, color=color) if color else Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=fill)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = Border(bottom=Side(style="thin", color="C9D1DC"))


def write_table(ws: Any, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, landscape: bool = True, title_rows: int = 1) -> None:
    """Write a header row and the rows into an empty worksheet, formatted for screen and A4 paper."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    ws.append([neutralize(_plain(c.title)) for c in columns])
    style_header(ws[1])
    for row in rows:
        ws.append([neutralize(_plain(v)) for v in row])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.alignment = Alignment(wrap_text=column.wrap, vertical="top")
            if column.number_format and isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                cell.number_format = column.number_format
    if ws.max_row > 1:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{ws.max_row}"
    print_layout(ws, freeze="A2", landscape=landscape, grid_lines=True)
    ws.print_title_rows = f"1:{title_rows}"


def neutralize_workbook(wb: Any) -> None:
    """No formula anywhere: every formula cell and formula-looking text becomes plain (apostrophed) text."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f" or (isinstance(value, str) and value.startswith(FORMULA_PREFIXES)):
                    text = value if isinstance(value, str) else str(value)
                    cell.value = neutralize(text) if text.startswith(FORMULA_PREFIXES) else text
                    cell.data_type = "s"


def workbook_bytes(wb: Any) -> bytes:
    """The .xlsx file of `wb`, swept by `neutralize_workbook` first (the only way exports save)."""
    neutralize_workbook(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(data: bytes, filename: str) -> Any:
    """An HTTP download of .xlsx bytes produced by `workbook_bytes`."""
    from django.http import HttpResponse

    response = HttpResponse(data, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
