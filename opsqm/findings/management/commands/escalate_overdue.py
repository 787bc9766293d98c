from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from opsqm.findings.services import actions_escalate_overdue


class Command(BaseCommand):
    help = "逾期纠正措施逐级督办（责任人 → 运维经理 → 管理者代表 → 总经办）；同一天重复运行不会重复督办。"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按指定日期计算逾期天数（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("--today 的格式应为 YYYY-MM-DD") from exc
        else:
            today = timezone.localdate()
        rows = actions_escalate_overdue(today=today)
        for row in rows:
            self.stdout.write(
                f"{row.action.finding.code} 措施#{row.action_id} 逾期 {row.days_overdue} 天 → {row.get_level_display()}（通知 {row.notified.count()} 人）"
            )
        self.stdout.write(self.style.SUCCESS(f"{today.isoformat()}：新增督办 {len(rows)} 条。"))
