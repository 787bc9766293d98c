from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "opsqm.reviews"
    label = "reviews"
    verbose_name = _("管理评审")

    def ready(self) -> None:
        # The annual plan (opsqm.plans, merged separately) links a management review to its "年度管理评审" activity.
        if apps.is_installed("opsqm.plans"):
            from django.urls import reverse

            from opsqm.plans.linking import Linkable, register
            from opsqm.reviews.selectors import reviews_visible_to

            register(
                Linkable(
                    model="reviews.ManagementReview",
                    label=_("管理评审"),
                    candidates=reviews_visible_to,
                    url=lambda r: reverse("reviews:detail", args=[r.pk]),
                    text=str,
                    types=("management_review",),
                )
            )
            from opsqm.reviews.links import complete_plan_activity
            from opsqm.reviews.services import review_approved

            review_approved.connect(complete_plan_activity, dispatch_uid="reviews.complete_plan_activity")
