"""Demo assessor package: this year's package for the first project (downloadable by the demo reviewer)."""

from __future__ import annotations

import datetime as dt

from opsqm.archive import services
from opsqm.archive.tasks import build_package_task
from opsqm.demo import DemoContext


def load(ctx: DemoContext) -> None:
    project = ctx.projects[0]
    package = services.package_create(
        actor=ctx.users["qm"],
        year=ctx.today.year,
        period_start=dt.date(ctx.today.year, 1, 1),
        period_end=ctx.today,
        projects=[project],
        enqueue=False,
    )
    build_package_task.call_local(package.pk, str(package.job_id))
    package.refresh_from_db()
    ctx.log(f"评审资料包：{package.code}（{project.code}），{len(package.manifest)} 个文件")
