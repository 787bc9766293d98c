""".xlsx export and import of one checklist version (sheet "检查单": header fields, then the item table)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from opsqm.core import checklists as core
from opsqm.core.cells import XLSX_MIME, neutralize, new_workbook, print_layout, style_header, unneutralize, workbook_bytes

SHEET = "检查单"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # archive-bomb guard
MAX_ROWS = 5000
XLSX_CONTENT_TYPE = XLSX_MIME

META_KEYS = ("urn", "ref_id", "name", "name_en", "kind", "element", "phase", "source", "description", "version")
META_LABELS = {
    "urn": "检查单 URN（勿改；改了即视为新检查单）",
    "ref_id": "编号",
    "name": "名称",
    "name_en": "英文名称",
    "kind": "类别代码",
    "element": "要素代码",
    "phase": "项目阶段代码（仅项目级阶段检查）",
    "source": "来源",
    "description": "说明",
    "version": "导出时的版本号（导入时仅作参考）",
}
ITEM_LABELS = {
    "urn": "条目 URN",
    "ref_id": "编号",
    "parent": "父条目 URN",
    "order": "同级顺序",
    "text": "检查点",
    "guidance": "检查方法",
    "evidence": "应见证据",
    "assessable": "可评估（是/否）",
    "area": "检查领域代码",
}
_WIDTHS = {"urn": 44, "ref_id": 10, "parent": 40, "order": 8, "text": 60, "guidance": 50, "evidence": 40, "assessable": 10, "area": 18}
_META_FONT = Font(bold=True)


class XlsxImportError(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


def export_checklist(checklist: core.Checklist) -> bytes:
    wb = new_workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(["属性", "值", "说明"])
    style_header(ws[1], fill="1F4E79", color="FFFFFF")
    for key in META_KEYS:
        value = getattr(checklist, key)
        ws.append([key, neutralize("" if value is None else value), META_LABELS[key]])
        ws.cell(row=ws.max_row, column=1).font = _META_FONT
    ws.append([])
    ws.append([f"{key}（{ITEM_LABELS[key]}）" for key in core.ITEM_FIELDS])
    header_row = ws.max_row
    style_header(ws[header_row], fill="1F4E79", color="FFFFFF")
    for row in core.checklist_to_rows(checklist):
        values = []
        for key in core.ITEM_FIELDS:
            value = row[key]
            if key == "assessable":
                value = "是" if value else "否"
            values.append(neutralize("" if value is None else value))
        ws.append(values)
        for cell in ws[ws.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, key in enumerate(core.ITEM_FIELDS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = _WIDTHS[key]
    print_layout(ws, freeze=ws.cell(row=header_row + 1, column=1).coordinate)
    return workbook_bytes(wb)


def _check_container(data: bytes) -> None:
    if len(data) > MAX_UPLOAD_BYTES:
        raise XlsxImportError([_("文件超过 5 MB，请拆分或精简后再导入。")])
    if not data.startswith(b"PK\x03\x04"):
        raise XlsxImportError([_("文件不是有效的 .xlsx 表格（内容不是 Excel 工作簿）。请用 Excel/WPS 另存为 .xlsx 后再导入。")])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise XlsxImportError([_("文件已损坏，无法作为 .xlsx 打开。")]) from None
    if total > MAX_UNCOMPRESSED_BYTES:
        raise XlsxImportError([_("表格解压后过大，拒绝导入。")])
    if "xl/workbook.xml" not in names:
        raise XlsxImportError([_("文件不是有效的 .xlsx 表格（缺少工作簿）。")])


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return unneutralize(value)
    return value


def read_checklist(data: bytes) -> tuple[dict, list[dict]]:
    """Meta and item rows of an uploaded workbook; raises XlsxImportError with Chinese messages."""
    _check_container(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for malformed packages
        raise XlsxImportError([_("无法读取表格内容，请确认文件是 Excel/WPS 保存的 .xlsx。")]) from None
    try:
        if SHEET not in wb.sheetnames:
            raise XlsxImportError([_("表格中没有名为“%(s)s”的工作表；请使用本系统导出的表格作为模板。") % {"s": SHEET}])
        rows = list(wb[SHEET].iter_rows(values_only=True, max_row=MAX_ROWS + 50))
    finally:
        wb.close()
    meta: dict[str, Any] = {}
    header_index = None
    for index, row in enumerate(rows):
        first = str(row[0]).strip() if row and row[0] is not None else ""
        if first.split("（")[0] == "urn" and len(row) > 1 and str(row[1] or "").split("（")[0].strip() == "ref_id":
            header_index = index
            break
        if first in META_KEYS:
            meta[first] = _text(row[1]) if len(row) > 1 else None
    if header_index is None:
        raise XlsxImportError([_("没有找到条目表头（第一列为 urn、第二列为 ref_id 的行）；请使用本系统导出的表格作为模板。")])
    header = [str(cell or "").split("（")[0].strip() for cell in rows[header_index]]
    unknown = [h for h in header if h and h not in core.ITEM_FIELDS]
    if unknown:
        raise XlsxImportError([_("条目表头有未知的列：%(c)s") % {"c": "、".join(unknown)}])
    items = []
    for row in rows[header_index + 1 :]:
        if not row or all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row):
            continue
        items.append({key: _text(row[i]) for i, key in enumerate(header) if key and i < len(row)})
    if len(items) > MAX_ROWS:
        raise XlsxImportError([_("条目超过 %(n)s 行，拒绝导入。") % {"n": MAX_ROWS}])
    for key in ("name_en", "source", "description", "phase"):
        if meta.get(key) is None:
            meta[key] = ""
    meta.pop("version", None)  # the database numbers versions; the exported number is informational
    for key in ("urn", "ref_id", "name", "kind", "element"):
        if isinstance(meta.get(key), (int, float)):
            meta[key] = str(meta[key])
    return meta, items


def import_checklist(data: bytes) -> core.Checklist:
    meta, rows = read_checklist(data)
    try:
        return core.rows_to_checklist(meta, rows)
    except core.ChecklistError as exc:
        raise XlsxImportError(exc.errors) from None
