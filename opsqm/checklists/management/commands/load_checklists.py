from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opsqm.checklists.loading import library_dir
from opsqm.checklists.services import library_load
from opsqm.core.checklists import ChecklistError
from opsqm.records.context import Actor, acting_as


class Command(BaseCommand):
    help = "加载检查单库（YAML）。先校验全部文件，任何错误都不写入；重复运行不会产生变化。"

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=None, help="检查单库目录（默认 library/checklists）")

    def handle(self, *args, **options):
        directory = options["dir"] or library_dir()
        try:
            with acting_as(Actor(None, "opsqm load-checklists")):
                report = library_load(directory=directory)
        except ChecklistError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"检查单库有 {len(exc.errors)} 个问题，未写入任何内容。请修正后重新运行。") from None
        for label, refs in (("新增", report.created), ("新版本", report.updated), ("恢复为库文件版本", report.restored)):
            for ref in refs:
                self.stdout.write(f"{label}：{ref}")
        self.stdout.write(
            self.style.SUCCESS(
                f"检查单库已加载：新增 {len(report.created)} 个，生成新版本 {len(report.updated)} 个，"
                f"恢复为库文件版本 {len(report.restored)} 个，未变化 {len(report.unchanged)} 个。"
            )
        )
