from django.utils.translation import gettext_lazy as _

from opsqm.audits.selectors import can_see_programs
from opsqm.audits.services import can_plan_audits
from opsqm.navigation import NavItem

ITEMS = [
    NavItem("audits", _("审核与检查"), "audits:audit_list", "bi-clipboard-check", 10),
    NavItem("audits", _("年度内审方案"), "audits:program_list", "bi-calendar2-check", 20, visible=can_see_programs),
    NavItem("audits", _("符合率统计"), "audits:conformance", "bi-percent", 30),
    NavItem("audits", _("报告模板"), "audits:report_template", "bi-file-earmark-word", 40, visible=can_plan_audits),
]
