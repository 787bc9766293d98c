from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opsqm.records.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "在线备份数据库和附件到一个 ZIP 文件（运行中也可安全执行）。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="备份文件路径，例如 backups/opsqm-2026-11-23.zip")

    def handle(self, *args, **options):
        try:
            manifest = backup_create(Path(options["path"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{options['path']}（{manifest['engine']}，{len(manifest['migrations'])} 个迁移，{len(manifest['media'])} 个附件）"
            )
        )
