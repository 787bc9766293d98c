"""Spreadsheet cell safety for everything opsqm exports (.xlsx and .csv).

A cell whose text starts with = + - @ tab or CR would be run as a formula by Excel or
WPS (CSV/formula injection); such text is written with a leading apostrophe, which the
spreadsheet shows as plain text. Importers strip it again with `unneutralize`.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["FORMULA_PREFIXES", "neutralize", "unneutralize", "print_layout"]

FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unneutralize(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def print_layout(ws: Any, *, freeze: str | None = None, landscape: bool = True, fit_width: bool = True) -> None:
    """Print setup of an openpyxl worksheet: A4, landscape, fit to one page wide, frozen panes.

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
    ws.page_margins.left = ws.page_margins.right = 0.4
    if freeze:
        ws.freeze_panes = freeze
        row = "".join(ch for ch in freeze if ch.isdigit())
        col = "".join(ch for ch in freeze if ch.isalpha())
        if row and int(row) > 1:
            ws.print_title_rows = f"1:{int(row) - 1}"
        if col and col != "A":
            ws.print_title_cols = "A:A"
