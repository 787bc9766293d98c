from django.utils.translation import gettext_lazy as _

from opsqm.navigation import NavItem

ITEMS = [
    NavItem("tickets", _("工单与 SLA"), "tickets:index", "bi-ticket-detailed", 10),
    NavItem("tickets", _("业务日历"), "tickets:calendar_list", "bi-calendar3", 20),
]
