"""`opsqm sla-calc INPUT --out OUTPUT.csv`: SLA per ticket from a file, no database needed."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from opsqm.core.calendars import CalendarError
from opsqm.core.sla_calc import CALENDARS, run_sla_calc
from opsqm.core.ticket_io import TicketFileError


class Command(BaseCommand):
    help = (
        "读取标准格式的工单导出文件（CSV/XLSX），按业务日历计算每张工单的响应、解决用时（工作时间秒）和是否达标，"
        "输出 CSV：ticket_no, response_seconds, resolution_seconds, paused_seconds, response_met, resolution_met。"
        "不需要数据库。"
    )
    # Pure file-in, file-out: no system checks (they may open the database).
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("input", help="工单文件（.csv 或 .xlsx，标准格式表头）")
        parser.add_argument("--out", required=True, help="输出 CSV 文件路径")
        parser.add_argument(
            "--calendar", default="cn-5x8", choices=list(CALENDARS), help="业务日历：cn-5x8（含法定节假日和调休，默认）、5x8、7x24"
        )
        parser.add_argument("--slots", default="09:00-12:00,13:30-18:00", help="每日工作时段，默认 09:00-12:00,13:30-18:00")
        parser.add_argument("--tz", default="Asia/Shanghai", help="文件中时间的时区，默认 Asia/Shanghai")
        parser.add_argument(
            "--targets",
            default="P1=30m/4h,P2=2h/8h,P3=4h/24h,P4=8h/40h",
            help="各优先级的响应/解决时限（工作时间），默认 P1=30m/4h,P2=2h/8h,P3=4h/24h,P4=8h/40h",
        )
        parser.add_argument("--cutoff", default=None, help="统计截止时刻（UTC，ISO 格式，如 2026-03-31T16:00:00），默认当前时刻")

    def handle(self, *args, **options):
        import numpy as np

        cutoff = np.datetime64(options["cutoff"], "s") if options["cutoff"] else None
        try:
            count = run_sla_calc(
                options["input"],
                options["out"],
                calendar=options["calendar"],
                slots=options["slots"],
                tz=options["tz"],
                targets=options["targets"],
                cutoff=cutoff,
            )
        except TicketFileError as exc:
            sys.stderr.write(exc.message + "\n")
            for error in exc.errors:
                sys.stderr.write(f"第 {error.row} 行\t{error.column}\t{error.value}\t{error.reason}\n")
            raise SystemExit(1)
        except (CalendarError, ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已计算 {count} 张工单，结果写入 {options['out']}")
