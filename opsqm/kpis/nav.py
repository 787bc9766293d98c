from django.utils.translation import gettext_lazy as _

from opsqm.navigation import NavItem

ITEMS = [
    NavItem("kpis", _("质量指标总览"), "kpis:overview", "bi-graph-up", 10),
    NavItem("kpis", _("指标目录"), "kpis:catalogue", "bi-list-check", 20),
]
