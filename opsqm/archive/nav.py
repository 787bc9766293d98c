from django.utils.translation import gettext_lazy as _

from opsqm.accounts.access import is_external_reviewer
from opsqm.archive import policy
from opsqm.navigation import NavItem

ITEMS = [
    NavItem(
        "system",
        _("评审资料包"),
        "archive:packages",
        "bi-file-earmark-zip",
        20,
        visible=lambda user: policy.can_build_packages(user) or is_external_reviewer(user),
    ),
    NavItem("system", _("记录保存期限"), "archive:retention", "bi-archive", 30, visible=policy.can_manage_retention),
]
