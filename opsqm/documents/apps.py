from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "opsqm.documents"
    label = "documents"
    verbose_name = _("受控文件与体系运行监督")
