from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FindingsConfig(AppConfig):
    name = "opsqm.findings"
    label = "findings"
    verbose_name = _("问题与纠正措施")
