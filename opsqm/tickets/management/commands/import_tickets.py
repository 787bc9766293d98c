"""`opsqm import-tickets PROJECT_CODE FILE`: the same import as the page, run synchronously."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opsqm.core.ticket_io import ENCODINGS
from opsqm.core.ticket_presets import PRESETS
from opsqm.org.models import Project
from opsqm.records.context import Actor, acting_as


class Command(BaseCommand):
    help = "把工单文件导入项目（全部成功或全部不导入），并计算 SLA。"
    requires_system_checks: list[str] = []  # a bulk job: the URL/system checks cost seconds and check nothing here

    def add_arguments(self, parser):
        parser.add_argument("project_code")
        parser.add_argument("file")
        parser.add_argument("--preset", default="canonical", choices=list(PRESETS), help="文件格式预设，默认 canonical")
        parser.add_argument("--encoding", default="auto", choices=list(ENCODINGS), help="CSV 文件编码，默认自动识别")

    def handle(self, *args, **options):
        from opsqm.tickets.models import ImportStatus, TicketImport
        from opsqm.tickets.services import ticket_import_run

        project = Project.objects.filter(code=options["project_code"]).first()
        if project is None:
            raise CommandError(f"项目 {options['project_code']} 不存在")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        started = time.perf_counter()
        with acting_as(Actor(None, "opsqm import-tickets")):
            # The command reads the file in place: no copy of a large file under media.
            with path.open("rb") as stream:
                sha = hashlib.file_digest(stream, "sha256").hexdigest()
            record = TicketImport.objects.create(
                project=project,
                file_name=path.name,
                file_sha256=sha,
                stored_path="",
                preset=options["preset"],
                mapping={"encoding": options["encoding"]} if options["encoding"] != "auto" else {},
            )
            record = ticket_import_run(import_id=record.pk, source_path=path)
        elapsed = time.perf_counter() - started
        if record.status != ImportStatus.SUCCEEDED:
            self.stderr.write(record.message)
            if record.error_report:
                self.stderr.write(f"错误报告：{record.error_report.path}")
            raise SystemExit(1)
        self.stdout.write(f"{project.code}：{record.total_rows} 行，{record.message} 用时 {elapsed:.1f} 秒")
