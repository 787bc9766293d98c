from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "opsqm.tickets"
    label = "tickets"
    verbose_name = _("工单与 SLA")

    def ready(self):
        from opsqm.tickets import receivers  # noqa: F401  (connects signal receivers)
