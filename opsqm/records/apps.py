from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "opsqm.records"
    label = "records"
    verbose_name = _("记录与审计追踪")

    def ready(self) -> None:
        from opsqm.records import signals  # noqa: F401  (connects the audit-trail receivers)
