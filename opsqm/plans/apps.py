from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "opsqm.plans"
    label = "plans"
    verbose_name = _("年度质量计划")

    def ready(self) -> None:
        from opsqm.plans.linking import register_builtin

        register_builtin()
