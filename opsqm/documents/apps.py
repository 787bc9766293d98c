from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "opsqm.documents"
    label = "documents"
    verbose_name = _("受控文件与体系运行监督")

    def ready(self) -> None:
        # The annual plan (opsqm.plans, merged separately) links a monthly collection round to its "体系运行监督" activity.
        if apps.is_installed("opsqm.plans"):
            from django.urls import reverse

            from opsqm.documents import policy
            from opsqm.documents.models import FeedbackRound
            from opsqm.plans.linking import Linkable, register

            def rounds_visible_to(user):
                return FeedbackRound.objects.all() if policy.can_review_feedback(user) else FeedbackRound.objects.none()

            register(
                Linkable(
                    model="documents.FeedbackRound",
                    label=_("体系运行反馈征集"),
                    candidates=rounds_visible_to,
                    url=lambda r: reverse("documents:feedback_list"),
                    text=str,
                    types=("supervision",),
                )
            )
