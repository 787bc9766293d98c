"""Demo data: the shipped checklist library (normally already loaded by `migrate`; idempotent)."""

from __future__ import annotations

from opsqm.checklists.loading import library_dir
from opsqm.checklists.services import library_load


def load(ctx) -> None:
    if not library_dir().is_dir():
        ctx.log("检查单库目录不存在，跳过")
        return
    report = library_load(directory=library_dir())
    ctx.log(
        f"检查单库：新增 {len(report.created)} 个，新版本 {len(report.updated)} 个，恢复 {len(report.restored)} 个，未变化 {len(report.unchanged)} 个"
    )
