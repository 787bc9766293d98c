"""opsqm satisfaction-report PERIOD --out FILE(.docx|.xlsx): the company-wide satisfaction report."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from opsqm.core.satisfaction import parse_period


class Command(BaseCommand):
    help = "生成满意度报告（.docx 或 .xlsx，按文件扩展名），范围为全公司。"

    def add_arguments(self, parser):
        parser.add_argument("period", help="2026、2026-Q3 或 2026-09")
        parser.add_argument("--out", required=True)

    def handle(self, *args, **options):
        from opsqm.surveys import report

        try:
            period = parse_period(options["period"])
        except ValueError as exc:
            raise CommandError("期间格式应为 2026、2026-Q3 或 2026-09") from exc
        out = Path(options["out"])
        # The command runs with company-wide visibility (an org-wide reader), like the quality manager's page.
        reader = get_user_model()(username="report", role="quality_manager", is_active=True)
        ctx = report.report_context(user=reader, period=period)
        data = report.render_xlsx(ctx) if out.suffix.lower() == ".xlsx" else report.render_docx(ctx)
        out.write_bytes(data)
        self.stdout.write(f"已写入 {out}（{len(data)} 字节）")
