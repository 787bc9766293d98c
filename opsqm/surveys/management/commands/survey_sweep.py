"""opsqm survey-sweep: create the due incident-level survey invitations now (the Huey task runs it every 5 minutes)."""

from django.core.management.base import BaseCommand

from opsqm.surveys.services import survey_sweep, template_install_defaults


class Command(BaseCommand):
    help = "为已解决且到期的工单生成事件级满意度回访邀请（按抽样比例、延迟、有效期和联系人间隔规则）。"

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="", help="邮件中链接的网址前缀，例如 https://qm.example.com")

    def handle(self, *args, **options):
        template_install_defaults()
        stats = survey_sweep(base_url=options["base_url"])
        self.stdout.write(
            f"候选工单 {stats['candidates']}，未抽中 {stats['sampled_out']}，联系人近期已邀请 {stats['contact_recent']}，新建邀请 {stats['created']}，发送提醒 {stats['reminded']}"
        )
