from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "opsqm.audits"
    label = "audits"
    verbose_name = _("审核与检查")
