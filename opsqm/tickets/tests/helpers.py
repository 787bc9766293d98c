from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

CANONICAL_CSV = (
    "ticket_no,priority,created_at,first_response_at,resolved_at,pauses,status,reopen_count,first_contact_resolution\n"
    "T1,P1,2026-03-02 09:00:00,2026-03-02 09:20:00,2026-03-02 14:00:00,2026-03-02 10:00:00/2026-03-02 11:00:00,已关闭,0,是\n"
    "T2,P2,2026-03-06 17:00:00,,2026-03-09 10:00:00,,已关闭,1,否\n"
    "T3,P1,2026-02-13 17:00:00,2026-02-14 09:10:00,,,处理中,0,\n"
)
CHINESE_CSV = CANONICAL_CSV.replace(
    "ticket_no,priority,created_at,first_response_at,resolved_at,pauses,status,reopen_count,first_contact_resolution",
    "工单号,优先级,创建时间,首次响应时间,解决时间,挂起时段,状态,重开次数,一次解决",
)


def xlsx_bytes(text: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in text.strip().splitlines():
        sheet.append(line.split(","))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_import(capture, actor, project, name: str, content: bytes, preset: str = "canonical", mapping=None):
    from opsqm.tickets.services import ticket_import_start

    with capture(execute=True):
        record = ticket_import_start(
            actor=actor, project=project, uploaded_file=SimpleUploadedFile(name, content), preset=preset, mapping=mapping
        )
    record.refresh_from_db()
    return record
