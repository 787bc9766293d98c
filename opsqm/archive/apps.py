from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "opsqm.archive"
    label = "archive"
    verbose_name = _("记录保存与评审资料包")
