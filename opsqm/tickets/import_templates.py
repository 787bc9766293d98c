"""Downloadable canonical import templates: Chinese headers and one example row, as
.csv (UTF-8 with BOM, so Excel opens it right) and .xlsx (times as text cells, so
they read back exactly)."""

from __future__ import annotations

import csv
import io

from opsqm.core.cells import neutralize
from opsqm.core.ticket_io import CANONICAL_FIELDS, FIELD_LABELS

__all__ = ["template_csv", "template_xlsx", "example_row"]


def example_row(priority: str = "P2") -> dict[str, str]:
    return {
        "ticket_no": "INC-2026-0001",
        "priority": priority,
        "created_at": "2026-03-02 09:00:00",
        "first_response_at": "2026-03-02 09:20:00",
        "resolved_at": "2026-03-02 15:00:00",
        "pauses": "2026-03-02 12:00:00/2026-03-02 13:00:00",
        "type": "事件",
        "status": "已解决",
        "closed_at": "2026-03-03 09:00:00",
        "reopen_count": "0",
        "first_contact_resolution": "是",
        "title": "打印机无法打印",
        "contact": "张三",
        "contact_phone": "13800000000",
        "contact_email": "zhangsan@example.com",
    }


def template_csv(priority: str = "P2") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([FIELD_LABELS[f] for f in CANONICAL_FIELDS])
    row = example_row(priority)
    writer.writerow([neutralize(row[f]) for f in CANONICAL_FIELDS])
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(priority: str = "P2") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "工单"
    sheet.append([FIELD_LABELS[f] for f in CANONICAL_FIELDS])
    row = example_row(priority)
    sheet.append([neutralize(row[f]) for f in CANONICAL_FIELDS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.number_format = "@"  # text: times read back exactly as typed
    for index, field in enumerate(CANONICAL_FIELDS, start=1):
        width = 40 if field == "pauses" else 22 if field.endswith("_at") or field == "contact_email" else 14
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
