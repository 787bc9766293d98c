from django.utils.translation import gettext_lazy as _

from opsqm.navigation import NavItem
from opsqm.reviews import policy

ITEMS = [
    NavItem("findings", _("管理评审"), "reviews:list", "bi-people", 30, visible=policy.can_read_all),
]
