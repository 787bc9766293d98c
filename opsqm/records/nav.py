from django.utils.translation import gettext_lazy as _

from opsqm.accounts.access import is_org_wide
from opsqm.navigation import NavItem


def _is_admin(user) -> bool:
    return user.is_staff


ITEMS = [
    NavItem("system", _("审计追踪"), "records:audit_trail", "bi-clock-history", 10, visible=is_org_wide),
    NavItem("system", _("系统管理"), "admin:index", "bi-gear", 90, visible=_is_admin),
]
