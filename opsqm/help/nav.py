from django.utils.translation import gettext_lazy as _

from opsqm.navigation import NavItem

ITEMS = [
    NavItem("system", _("使用帮助"), "help:index", "bi-question-circle", 900),
]
