from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "opsqm.surveys"
    label = "surveys"
    verbose_name = _("客户满意度")

    def ready(self) -> None:
        # The annual plan (opsqm.plans) links a survey campaign to its "客户满意度调查" activity.
        if apps.is_installed("opsqm.plans"):
            from django.urls import reverse

            from opsqm.plans.linking import Linkable, register
            from opsqm.surveys.selectors import campaigns_visible_to

            register(
                Linkable(
                    model="surveys.Campaign",
                    label=_("满意度调查活动"),
                    candidates=campaigns_visible_to,
                    url=lambda c: reverse("surveys:campaign_detail", args=[c.pk]),
                    text=lambda c: f"{c.code} {c.title}",
                    types=("satisfaction",),
                )
            )
