from django.utils.translation import gettext_lazy as _

from opsqm.navigation import NavItem

ITEMS = [
    NavItem("audits", _("检查单库"), "checklists:library", "bi-list-check", 50),
]
