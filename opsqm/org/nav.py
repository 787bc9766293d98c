from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsqm.accounts.access import is_org_wide
from opsqm.navigation import NavItem

ITEMS = [
    NavItem("org", _("运维项目"), "org:project_list", "bi-kanban", 10),
    NavItem("org", pgettext_lazy("list", "客户"), "org:customer_list", "bi-building", 20),
    NavItem("org", _("员工与部门"), "org:staff_list", "bi-people", 30, visible=is_org_wide),
    NavItem("org", _("服务目录"), "org:service_catalog", "bi-journal-text", 40),
]
