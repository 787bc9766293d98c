"""Helpers shared by the audits tests."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from django.utils import timezone


def meeting_kwargs(**extra: Any) -> dict[str, Any]:
    return dict(held_at=timezone.now(), location="三楼会议室", attendees=[], external_attendees="", minutes="说明审核安排", **extra)


def run_to(world, audit, stage: str):
    """Advance `audit` (led by world.auditor) through the stages up to and including `stage`."""
    from opsqm.audits import services

    lead = world.auditor
    steps = ["opening", "onsite", "concluded", "closing", "reported", "followup"]
    from opsqm.audits.models import STAGE_ORDER

    for step in steps:
        if STAGE_ORDER.index(step) <= STAGE_ORDER.index(audit.stage):
            continue
        if step == "opening":
            audit = services.audit_record_opening(actor=lead, audit=audit, **meeting_kwargs())
        elif step == "onsite":
            audit = services.audit_start_onsite(actor=lead, audit=audit)
        elif step == "concluded":
            for checklist in audit.checklists.all():  # 本节全部符合 for whatever the test left unassessed
                services.audit_items_conform_rest(actor=lead, audit=audit, audit_checklist_id=checklist.pk)
            audit = services.audit_conclude(actor=lead, audit=audit, conclusion="基本有效", rating="basically")
        elif step == "closing":
            audit = services.audit_record_closing(actor=lead, audit=audit, **meeting_kwargs())
        elif step == "reported":
            audit = services.audit_issue_report(actor=lead, audit=audit)
        elif step == "followup":
            audit = services.audit_start_followup(actor=lead, audit=audit)
        if step == stage:
            return audit
    return audit


def assess(world, audit, results: dict[str, str], element: str | None = None):
    """Set results by ref_id (assessable items of the audit, optionally of one element only)."""
    from opsqm.audits import services
    from opsqm.audits.models import AuditItemResult

    items = AuditItemResult.objects.filter(audit=audit, assessable=True)
    if element:
        items = items.filter(element=element)
    for item in items:
        if item.ref_id in results:
            services.audit_item_assess(
                actor=world.auditor, item=item, result=results[item.ref_id], notes=f"记录 {item.ref_id}", expected_version=item.version
            )


def png_bytes() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"\x00\xff\x00\x00"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    buf = io.BytesIO()
    wb = Workbook()
    wb.active["A1"] = "证据"
    wb.save(buf)
    return buf.getvalue()
