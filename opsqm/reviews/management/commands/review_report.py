from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opsqm.reviews.models import ManagementReview, ReviewStatus
from opsqm.reviews.report import render_report


class Command(BaseCommand):
    help = "写出某年度的管理评审报告（.docx）。已批准归档的报告原样导出，否则按当前记录生成。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="评审年度，例如 2025")
        parser.add_argument("--out", required=True, help="输出文件路径（.docx）")

    def handle(self, *args, **options):
        review = ManagementReview.objects.filter(year=options["year"]).first()
        if review is None:
            raise CommandError(f"{options['year']} 年度没有管理评审。")
        if review.status == ReviewStatus.APPROVED and review.report_id:
            with review.report.file.open("rb") as f:
                content = f.read()
            source = "已批准归档的报告"
        else:
            content = render_report(review)
            source = "按当前记录生成（报告尚未批准）"
        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"{review.title}：{source}，已写入 {out}（{len(content)} 字节）。"))
