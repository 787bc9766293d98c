from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecklistsConfig(AppConfig):
    name = "opsqm.checklists"
    label = "checklists"
    verbose_name = _("检查单库")
