from django.core.management.base import BaseCommand, CommandError

from opsqm.records.trail import verify_chain


class Command(BaseCommand):
    help = "校验审计追踪的哈希链；被篡改时指出第一条异常记录并以非零状态退出。"

    def handle(self, *args, **options):
        result = verify_chain()
        if not result.ok:
            where = f"第一条异常记录 id={result.first_bad_id}" if result.first_bad_id is not None else "审计追踪比锚点短"
            raise CommandError(f"审计追踪被篡改：{where}（{result.reason}）；此前 {result.checked} 条完好。")
        self.stdout.write(self.style.SUCCESS(f"审计追踪完整：共 {result.checked} 条记录，哈希链一致。"))
