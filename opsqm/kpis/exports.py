"""The .xlsx exports of the KPI tables (the same rows the pages show)."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from opsqm.core.kpi import KPI_DEFINITIONS, Period
from opsqm.core.cells import neutralize
from opsqm.kpis import labels





def _attainment(cell: Any) -> str:
    return {True: _("达标"), False: _("未达标"), None: "—"}[cell.attained]


def _scope_cells(row: Any) -> list[str]:
    if row.is_org:
        return [_("全公司"), _("所有项目汇总")]
    return [neutralize(row.scope.code), neutralize(row.scope.name)]


def workbook_for(title: str, sections: list[tuple[Period, list[Any]]], cutoff_at: datetime) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = _("指标")
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
                ws.append([
                    labels.period_label(period), *_scope_cells(row), labels.kpi_name(cell.definition),
                    None if value is None else round(value, 6), cell.value.numerator, cell.value.denominator,
                    None if cell.target is None else float(cell.target), _attainment(cell), unit,
                ])
    ws.column_dimensions["C"].width = 30
    ws.column_dimensions["D"].width = 18
    formulas = wb.create_sheet(_("指标公式"))
    formulas.append([_("指标"), _("公式"), _("单位"), _("方向")])
    for definition in KPI_DEFINITIONS.values():
        formulas.append([labels.kpi_name(definition), labels.kpi_formula(definition), definition.unit,
                         _("越高越好") if definition.higher_is_better else _("越低越好")])
    formulas.append([])
    formulas.append([_("说明"), _("比率以小数表示（0.95 = 95%）；分母为 0 时数值为空（页面显示“—”）；平均解决时长的分子为工作时间秒数、数值为小时。")])
    formulas.column_dimensions["B"].width = 80
    return wb


def rows_response(*, title: str, filename: str, sections: list[tuple[Period, list[Any]]], cutoff_at: datetime) -> HttpResponse:
    buffer = BytesIO()
    workbook_for(title, sections, cutoff_at).save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
