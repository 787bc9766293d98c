from django.utils.translation import gettext_lazy as _

from opsqm.navigation import NavItem

ITEMS = [
    NavItem("findings", _("问题清单"), "findings:list", "bi-exclamation-triangle", 10),
    NavItem("findings", _("服务改进计划"), "improvements:list", "bi-graph-up-arrow", 20),
]
