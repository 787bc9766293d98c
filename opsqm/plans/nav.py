from django.utils.translation import gettext_lazy as _

from opsqm.navigation import NavItem
from opsqm.plans.selectors import can_see_plans
from opsqm.quarterly.selectors import can_see_reviews

ITEMS = [
    NavItem("plans", _("年度质量计划"), "plans:list", "bi-calendar3", 10, visible=can_see_plans),
    NavItem("plans", _("项目质量保证计划"), "plans:qa_list", "bi-shield-check", 20, visible=can_see_plans),
    NavItem("plans", _("季度质量分析"), "quarterly:list", "bi-graph-up", 30, visible=can_see_reviews),
    NavItem("plans", _("日历订阅"), "plans:feed_settings", "bi-calendar-event", 40, visible=can_see_plans),
]
