from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from opsqm.accounts.roles import Role
from opsqm.plans.services import plan_generate


class Command(BaseCommand):
    help = "按年度质量管理节奏生成某年的年度质量管理计划草稿（该年已有计划时拒绝）。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="年度，如 2027")
        parser.add_argument("--user", help="编制人（质量经理）用户名，默认第一位在职质量经理")

    def handle(self, *args, **options):
        users = get_user_model().objects.filter(role=Role.QUALITY_MANAGER, is_active=True)
        actor = users.filter(username=options["user"]).first() if options.get("user") else users.order_by("pk").first()
        if actor is None:
            raise CommandError("没有可作为编制人的在职质量经理。")
        try:
            plan = plan_generate(actor=actor, year=options["year"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"已生成《{plan.title}》（草稿）：{plan.activities.count()} 项活动，{plan.objectives.count()} 个质量目标。")
        )
