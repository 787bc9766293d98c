from django.utils.translation import gettext_lazy as _

from opsqm.navigation import NavItem

ITEMS = [NavItem("home", _("我的通知"), "notifications:list", "bi-bell", 30)]
