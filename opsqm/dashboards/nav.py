from django.utils.translation import gettext_lazy as _

from opsqm.navigation import NavItem

ITEMS = [
    NavItem("home", _("质量驾驶舱"), "dashboards:home", "bi-speedometer2", 10),
    NavItem("home", _("我的待办"), "dashboards:my_work", "bi-list-check", 20),
]
