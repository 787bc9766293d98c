from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opsqm.quarterly import report
from opsqm.quarterly.selectors import parse_quarter


class Command(BaseCommand):
    help = "生成某季度的季度质量报告（.docx 或 .xlsx，按 --out 的扩展名）；有季度分析时取其内容，否则仅依据系统记录。"

    def add_arguments(self, parser):
        parser.add_argument("quarter", help="季度，如 2026-Q3")
        parser.add_argument("--out", required=True, help="输出文件，.docx 或 .xlsx")

    def handle(self, *args, **options):
        try:
            year, quarter = parse_quarter(options["quarter"])
        except ValueError as exc:
            raise CommandError("季度格式应为 2026-Q3") from exc
        out = Path(options["out"])
        if out.suffix.lower() not in (".docx", ".xlsx"):
            raise CommandError("--out 的扩展名必须是 .docx 或 .xlsx")
        content = report.report_content(year=year, quarter=quarter)
        out.write_bytes(report.render_docx(content) if out.suffix.lower() == ".docx" else report.render_xlsx(content))
        self.stdout.write(self.style.SUCCESS(f"已写入 {out}（{content['status']}）"))
