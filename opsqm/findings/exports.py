"""The findings register as .xlsx (same filters and access scope as the page), one row per corrective
action (a finding without an action has one row), written by the one sheet writer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from opsqm.core.cells import Column, new_workbook, workbook_bytes, write_table

COLUMNS = [
    Column("编号", 15),
    Column("标题", 36, wrap=True),
    Column("等级", 8),
    Column("来源", 11),
    Column("状态", 13),
    Column("项目", 10),
    Column("责任人", 9),
    Column("提出人", 9),
    Column("提出时间", 16),
    Column("答复期限", 11),
    Column("关闭时间", 16),
    Column("原因分析", 40, wrap=True),
    Column("问题描述", 48, wrap=True),
    Column("纠正措施", 44, wrap=True),
    Column("措施责任人", 10),
    Column("完成期限", 11),
    Column("措施状态", 12),
    Column("实施情况", 36, wrap=True),
    Column("验证人", 9),
    Column("验证时间", 16),
    Column("验证意见", 30, wrap=True),
]


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def findings_workbook(findings: Iterable[Any]) -> bytes:
    from opsqm.findings.models import CorrectiveAction

    if hasattr(findings, "select_related"):
        actions = CorrectiveAction.objects.select_related("owner", "verified_by").order_by("created_at", "pk")
        findings = findings.select_related("raised_by", "owner", "project").prefetch_related(Prefetch("actions", queryset=actions))
    rows = []
    for f in findings:
        base = [
            f.code,
            f.title,
            f.get_severity_display(),
            f.get_source_display(),
            f.get_status_display(),
            f.project.code if f.project_id else "公司级",
            f.owner.display_name if f.owner_id else "",
            f.raised_by.display_name,
            _local(f.raised_at),
            f.due_date.isoformat() if f.due_date else "",
            _local(f.closed_at),
            f.cause,
            f.description,
        ]
        actions = list(f.actions.all())
        if not actions:
            rows.append(base + [""] * 8)
        for a in actions:
            rows.append(
                base
                + [
                    a.description,
                    a.owner.display_name,
                    a.due_date.isoformat(),
                    a.get_status_display(),
                    a.implementation_note,
                    a.verified_by.display_name if a.verified_by_id else "",
                    _local(a.verified_at),
                    a.verification_note,
                ]
            )
    wb = new_workbook()
    ws = wb.active
    ws.title = "问题清单"
    write_table(ws, COLUMNS, rows)
    return workbook_bytes(wb)
