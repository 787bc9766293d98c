from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "opsqm.reviews"
    label = "reviews"
    verbose_name = _("管理评审")
