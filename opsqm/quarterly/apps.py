from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuarterlyConfig(AppConfig):
    name = "opsqm.quarterly"
    label = "quarterly"
    verbose_name = _("季度质量分析")

    def ready(self) -> None:
        from django.urls import reverse

        from opsqm.plans.linking import Linkable, register
        from opsqm.quarterly.selectors import reviews_for

        register(
            Linkable(
                model="quarterly.QuarterlyReview",
                label=_("季度质量分析报告"),
                candidates=reviews_for,
                url=lambda r: reverse("quarterly:detail", args=[r.pk]),
                types=("kpi_review",),
            )
        )
