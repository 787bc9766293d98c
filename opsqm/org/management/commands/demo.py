from __future__ import annotations

import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from opsqm.demo import DemoContext, demo_loaders
from opsqm.org.models import Project
from opsqm.records.context import Actor, acting_as


class Command(BaseCommand):
    help = "载入演示数据（一家完整的演示公司）。数据库已有项目时不做任何改动。"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="数据库已有数据时静默跳过（用于 make run）")
        parser.add_argument("--seed", type=int, default=20261123)

    def handle(self, *args, **options):
        if Project.objects.exists():
            if options["if_empty"]:
                return
            raise CommandError("数据库中已有项目数据，演示数据只能载入空数据库。")
        now = timezone.now()
        ctx = DemoContext(today=timezone.localdate(now), now=now, rng=random.Random(options["seed"]), log=self.stdout.write)  # nosec B311 # seeded demo data, not security
        # The demo company's people and customers have made-up addresses: what the loaders "send"
        # (survey invitations, notifications) is kept in memory, not printed or mailed.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            acting_as(Actor(None, "opsqm demo")),
            transaction.atomic(),
        ):
            for _label, load in demo_loaders():
                load(ctx)
        self.stdout.write(self.style.SUCCESS("演示数据已载入。质量经理登录：qm / opsqm-demo"))
