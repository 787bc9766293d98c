from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from opsqm.records.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "从备份恢复。先完整校验备份（损坏或来自更新版本的备份会被拒绝，现有数据不受影响），再替换数据。"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="不再询问确认")

    def handle(self, *args, **options):
        if not options["yes"]:
            answer = input("恢复将用备份替换当前全部数据，确定继续吗？[y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("已取消。")
        try:
            manifest = backup_restore(Path(options["path"]))
        except BackupError as exc:
            raise CommandError(f"拒绝恢复：{exc}") from exc
        call_command("migrate", interactive=False, verbosity=0)  # an older backup is brought up to this schema
        from opsqm.records.trail import anchor_file_reset

        anchor_file_reset()  # the audit-trail anchor file now describes the restored history
        self.stdout.write(self.style.SUCCESS(f"已从 {options['path']} 恢复（备份时间 {manifest['created_at']}）。"))
