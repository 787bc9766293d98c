from django.utils.translation import gettext_lazy as _

from opsqm.navigation import NavItem
from opsqm.plans.selectors import can_see_plans
from opsqm.quarterly.selectors import can_see_reviews

# Existing sections until the lead adds a translated "质量计划" section (a new section needs its English label).
ITEMS = [
    NavItem("audits", _("年度质量计划"), "plans:list", "bi-calendar3", 1, visible=can_see_plans),
    NavItem("audits", _("项目质量保证计划"), "plans:qa_list", "bi-shield-check", 2, visible=can_see_plans),
    NavItem("kpis", _("季度质量分析"), "quarterly:list", "bi-graph-up", 50, visible=can_see_reviews),
    NavItem("home", _("日历订阅"), "plans:feed_settings", "bi-calendar-event", 90, visible=can_see_plans),
]
