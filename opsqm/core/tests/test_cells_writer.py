"""The one .xlsx table writer: safe cells, percent numbers, widths, wrapping, frozen header, A4 print setup."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from opsqm.core.cells import PERCENT, Column, percent_value, workbook_bytes, write_table


def _written():
    wb = Workbook()
    write_table(
        wb.active,
        [Column("名称", 30, wrap=True), Column("符合率", 10, PERCENT)],
        [["=cmd|' /C calc'!A0", percent_value("85.0%")], ["正常文本", percent_value("—")]],
    )
    return load_workbook(io.BytesIO(workbook_bytes(wb))).active


def test_formula_text_is_neutralized_and_percent_text_becomes_a_formatted_number():
    ws = _written()
    assert ws["A2"].value.startswith("'=")
    assert ws["B2"].value == 0.85 and ws["B2"].number_format == PERCENT
    assert ws["B3"].value == "—"  # an empty rate stays a dash, never 0 %


def test_layout_is_set_for_screen_and_a4_paper():
    ws = _written()
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width == 30 and ws["A2"].alignment.wrap_text
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.auto_filter.ref == "A1:B3"


def test_percent_value_leaves_other_values_alone():
    assert percent_value("100.0%") == 1.0 and percent_value(3) == 3 and percent_value("abc%") == "abc%"
