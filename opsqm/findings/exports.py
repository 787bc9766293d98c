"""The findings list as .xlsx (same filters and access scope as the page)."""

from __future__ import annotations

import io
from typing import Any, Iterable

from django.utils import timezone
from openpyxl import Workbook

from opsqm.core.cells import neutralize





def findings_workbook(findings: Iterable[Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    ws.append(["编号", "标题", "等级", "来源", "状态", "项目", "责任人", "提出人", "提出时间", "答复期限", "关闭时间", "原因分析", "问题描述"])
    for f in findings.select_related("raised_by") if hasattr(findings, "select_related") else findings:
        ws.append([neutralize(v) for v in (
            f.code, f.title, f.get_severity_display(), f.get_source_display(), f.get_status_display(),
            f.project.code if f.project_id else "公司级", f.owner.display_name if f.owner_id else "", f.raised_by.display_name,
            timezone.localtime(f.raised_at).strftime("%Y-%m-%d %H:%M"), f.due_date.isoformat() if f.due_date else "",
            timezone.localtime(f.closed_at).strftime("%Y-%m-%d %H:%M") if f.closed_at else "", f.cause, f.description,
        )])
    for col, width in zip("ABCDEFGHIJKLM", (16, 40, 8, 12, 14, 10, 10, 10, 17, 12, 17, 50, 60)):
        ws.column_dimensions[col].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
