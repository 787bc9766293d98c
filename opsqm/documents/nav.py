from django.utils.translation import gettext_lazy as _

from opsqm.documents import policy
from opsqm.navigation import NavItem

ITEMS = [
    NavItem("findings", _("受控文件"), "documents:list", "bi-journal-text", 40, visible=policy.is_staff_reader),
    NavItem("findings", _("体系运行监督"), "documents:feedback_list", "bi-chat-left-text", 45, visible=policy.is_staff_reader),
]
