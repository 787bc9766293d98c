from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opsqm.archive.package import build_zip
from opsqm.archive.providers import PackageScope


class Command(BaseCommand):
    help = "生成评审资料包（ZIP，含可离线打开的 index.html 与 SHA-256 清单），与页面生成的内容相同。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度，例如 2026")
        parser.add_argument("--project", action="append", default=[], metavar="CODE", help="项目编号，可重复；不指定为全公司")
        parser.add_argument("--from", dest="start", help="期间开始（YYYY-MM-DD），默认该年 1 月 1 日")
        parser.add_argument("--to", dest="end", help="期间结束（YYYY-MM-DD），默认该年 12 月 31 日")
        parser.add_argument("--evidence", type=int, action="append", default=[], metavar="ID", help="附带的证据文件 ID，可重复")
        parser.add_argument("--out", required=True, help="输出文件路径（.zip）")

    def handle(self, *args, **options):
        from opsqm.org.models import Project
        from opsqm.records.models import EvidenceFile

        year = options["year"]
        try:
            start = dt.date.fromisoformat(options["start"]) if options["start"] else dt.date(year, 1, 1)
            end = dt.date.fromisoformat(options["end"]) if options["end"] else dt.date(year, 12, 31)
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD") from exc
        if start > end:
            raise CommandError("期间结束日期不能早于开始日期")
        codes = options["project"]
        projects = list(Project.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {p.code for p in projects})
        if missing:
            raise CommandError(f"项目不存在：{'、'.join(missing)}")
        ids = frozenset(p.pk for p in projects) or None
        for ev in EvidenceFile.objects.filter(pk__in=options["evidence"]):
            if ids is not None and ev.project_id not in ids:
                raise CommandError(f"证据文件 #{ev.pk} 不属于所选项目")
        scope = PackageScope(year=year, start=start, end=end, project_ids=ids, evidence_ids=tuple(options["evidence"]))
        scope_name = "、".join(sorted(codes)) or "全公司"
        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("wb") as f:
            manifest = build_zip(
                scope,
                f,
                title=f"{year} 年度评审资料包（{scope_name}）",
                progress=lambda done, total, message: (
                    self.stderr.write(f"[{done}/{total}] {message}") if options["verbosity"] > 1 else None
                ),
            )
        self.stdout.write(self.style.SUCCESS(f"已写入 {out}：{len(manifest)} 个文件，{out.stat().st_size} 字节。"))
