"""`opsqm recompute-sla [--project CODE]`: recompute stored SLA results as of now."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from opsqm.org.models import Project


class Command(BaseCommand):
    help = "按当前日历和 SLA 协议重新计算工单的 SLA 结果（截止时刻为现在）。"

    def add_arguments(self, parser):
        parser.add_argument("--project", help="只计算该项目编号的工单")

    def handle(self, *args, **options):
        from opsqm.tickets.services import sla_recompute_project

        projects = Project.objects.order_by("code")
        if options["project"]:
            projects = projects.filter(code=options["project"])
            if not projects:
                raise CommandError(f"项目 {options['project']} 不存在")
        for project in projects:
            count = sla_recompute_project(project=project)
            if count:
                self.stdout.write(f"{project.code}：{count} 张工单")
