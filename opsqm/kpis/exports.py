"""The .xlsx exports of the KPI tables (the same rows the pages show)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from opsqm.core.cells import neutralize, new_workbook, print_layout, workbook_bytes, xlsx_response
from opsqm.core.kpi import KPI_DEFINITIONS, Period
from opsqm.kpis import labels

NUMBER_FORMATS = {"%": "0.0%", "h": "0.0", "次": "0", "分": "0.0"}
MISSED_FILL = PatternFill("solid", fgColor="F8D7DA")
HEADER_FILL = PatternFill("solid", fgColor="E9ECEF")
THIN = Side(style="thin", color="ADB5BD")


def _matrix(ws: Any, title: str, sections: list[tuple[Period, list[Any]]], cutoff_at: datetime) -> None:
    """The KPI table as on the screen: one line per scope (and period), one column per KPI,
    each value over its target; percent formats, misses shaded, printable on A4 landscape."""
    ws.append([neutralize(title)])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_("截止时点"), cutoff_at.strftime("%Y-%m-%d %H:%M")])
    ws.append([])
    cells = sections[0][1][0].cells if sections and sections[0][1] else []
    ws.append([_("范围"), *[labels.kpi_name(c.definition) for c in cells]])
    header = ws.max_row
    for cell in ws[header]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = Border(bottom=THIN)
    several = len(sections) > 1
    for period, rows in sections:
        for row in rows:
            scope = _("全公司（汇总）") if row.is_org else f"{row.scope.code} {row.scope.name}"
            label = (
                f"{labels.period_label(period)} {scope}"
                if several and len(rows) > 1
                else (labels.period_label(period) if several else scope)
            )
            ws.append([neutralize(label), *[c.value.value for c in row.cells]])
            ws.append([_("目标"), *[None if c.target is None else float(c.target) for c in row.cells]])
            value_row, target_row = ws.max_row - 1, ws.max_row
            ws.cell(value_row, 1).font = Font(bold=True)
            ws.cell(target_row, 1).font = Font(size=8, color="6C757D")
            ws.cell(target_row, 1).alignment = Alignment(horizontal="right")
            for index, cell in enumerate(row.cells, start=2):
                fmt = NUMBER_FORMATS.get(cell.definition.unit, "General")
                shown, target = ws.cell(value_row, index), ws.cell(target_row, index)
                shown.number_format = target.number_format = fmt
                target.font = Font(size=8, color="6C757D")
                target.border = Border(bottom=THIN)
                if cell.value.value is None:
                    shown.value = "—"
                    shown.alignment = Alignment(horizontal="right")
                if cell.attained is False:
                    shown.fill, shown.font = MISSED_FILL, Font(bold=True, color="B02A37")
            ws.cell(target_row, 1).border = Border(bottom=THIN)
    ws.column_dimensions["A"].width = 38
    for index in range(2, len(cells) + 2):
        ws.column_dimensions[get_column_letter(index)].width = 11
    ws.row_dimensions[header].height = 32
    ws.append([])
    ws.append([_("比率以百分比显示；平均解决时长单位为小时；“—”表示分母为 0；红底为未达标。")])
    print_layout(ws, freeze=f"B{header + 1}")


def _attainment(cell: Any) -> str:
    return {True: _("达标"), False: _("未达标"), None: "—"}[cell.attained]


def _scope_cells(row: Any) -> list[str]:
    if row.is_org:
        return [_("全公司"), _("所有项目汇总")]
    return [neutralize(row.scope.code), neutralize(row.scope.name)]


def workbook_for(title: str, sections: list[tuple[Period, list[Any]]], cutoff_at: datetime) -> Any:
    wb = new_workbook()
    matrix = wb.active
    matrix.title = _("指标矩阵")
    _matrix(matrix, title, sections, cutoff_at)
    ws = wb.create_sheet(_("明细"))
    ws.append([neutralize(title)])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_("截止时点"), cutoff_at.strftime("%Y-%m-%d %H:%M:%S %Z")])
    ws.append([])
    ws.append([_("期间"), _("项目编号"), _("项目名称"), _("指标"), _("数值"), _("分子"), _("分母"), _("目标"), _("达标情况"), _("单位")])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for period, rows in sections:
        for row in rows:
            for cell in row.cells:
                unit = cell.definition.unit
                value = cell.value.value
                ws.append(
                    [
                        labels.period_label(period),
                        *_scope_cells(row),
                        labels.kpi_name(cell.definition),
                        None if value is None else round(value, 6),
                        None if cell.definition.source == "survey" else cell.value.numerator,
                        cell.value.denominator,
                        None if cell.target is None else float(cell.target),
                        _attainment(cell),
                        unit,
                    ]
                )
    ws.column_dimensions["C"].width = 30
    ws.column_dimensions["D"].width = 18
    print_layout(ws, freeze="A5")
    formulas = wb.create_sheet(_("指标公式"))
    formulas.append([_("指标"), _("公式"), _("单位"), _("方向")])
    for definition in KPI_DEFINITIONS.values():
        formulas.append(
            [
                labels.kpi_name(definition),
                labels.kpi_formula(definition),
                definition.unit,
                _("越高越好") if definition.higher_is_better else _("越低越好"),
            ]
        )
    formulas.append([])
    formulas.append(
        [_("说明"), _("比率以小数表示（0.95 = 95%）；分母为 0 时数值为空（页面显示“—”）；平均解决时长的分子为工作时间秒数、数值为小时。")]
    )
    formulas.column_dimensions["B"].width = 80
    for cell in formulas["B"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    print_layout(formulas, freeze="A2")
    return wb


def rows_response(*, title: str, filename: str, sections: list[tuple[Period, list[Any]]], cutoff_at: datetime) -> HttpResponse:
    return xlsx_response(workbook_bytes(workbook_for(title, sections, cutoff_at)), filename)
