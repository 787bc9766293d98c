from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    name = "opsqm.kpis"
    label = "kpis"
    verbose_name = _("服务质量指标")
