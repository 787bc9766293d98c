from django.utils.translation import gettext_lazy as _

from opsqm.navigation import NavItem

ITEMS = [
    NavItem("kpis", _("客户满意度"), "surveys:results", "bi-emoji-smile", 50),
    NavItem("kpis", _("满意度调查"), "surveys:campaigns", "bi-ui-checks", 51),
    NavItem("kpis", _("客户投诉"), "surveys:complaints", "bi-megaphone", 52),
    NavItem("kpis", _("满意度规则与模板"), "surveys:rules", "bi-sliders", 53),
]
