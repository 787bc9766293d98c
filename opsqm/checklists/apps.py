from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ChecklistsConfig(AppConfig):
    name = "opsqm.checklists"
    label = "checklists"
    verbose_name = _("检查单库")

    def ready(self) -> None:
        from opsqm.checklists.loading import load_after_migrate

        post_migrate.connect(load_after_migrate, sender=self, dispatch_uid="opsqm.checklists.load_after_migrate")
