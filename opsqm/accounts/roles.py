"""The roles of PRODUCT.md, as Django groups with the permissions they imply."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    QUALITY_MANAGER = "quality_manager", _("质量经理")
    QUALITY_SPECIALIST = "quality_specialist", _("质量专员")
    OPS_MANAGER = "ops_manager", _("运维经理")
    AUDITOR = "auditor", _("内审员")
    MGMT_REP = "mgmt_rep", _("管理者代表")
    GM_OFFICE = "gm_office", _("总经办")
    EXTERNAL_REVIEWER = "external_reviewer", _("外部评审")
    ADMIN = "admin", _("系统管理员")


# Roles that see every project (PRODUCT.md visibility rule: "org-wide roles").
ORG_WIDE_ROLES = frozenset({Role.QUALITY_MANAGER, Role.MGMT_REP, Role.GM_OFFICE, Role.ADMIN})
# Roles that may maintain master data (customers, projects, departments, catalog).
MASTER_DATA_ROLES = frozenset({Role.QUALITY_MANAGER, Role.ADMIN})

# Model permissions per role: (app_label, codename prefix set, model names).
_VIEW = ("view",)
_ALL = ("view", "add", "change", "delete")
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.ADMIN: {
        "org.department": _ALL,
        "org.post": _ALL,
        "org.staff": _ALL,
        "org.customer": _ALL,
        "org.serviceitem": _ALL,
        "org.project": _ALL,
        "accounts.user": _ALL,
        "accounts.externalgrant": _ALL,
    },
    Role.QUALITY_MANAGER: {
        "org.department": _VIEW,
        "org.post": _VIEW,
        "org.staff": _VIEW,
        "org.customer": _ALL,
        "org.serviceitem": _ALL,
        "org.project": _ALL,
        "accounts.externalgrant": _ALL,
    },
    Role.QUALITY_SPECIALIST: {"org.customer": _VIEW, "org.project": _VIEW, "org.serviceitem": _VIEW},
    Role.OPS_MANAGER: {"org.customer": _VIEW, "org.project": _VIEW, "org.serviceitem": _VIEW},
    Role.AUDITOR: {"org.customer": _VIEW, "org.project": _VIEW, "org.serviceitem": _VIEW},
    Role.MGMT_REP: {"org.department": _VIEW, "org.staff": _VIEW, "org.customer": _VIEW, "org.project": _VIEW, "org.serviceitem": _VIEW},
    Role.GM_OFFICE: {"org.department": _VIEW, "org.staff": _VIEW, "org.customer": _VIEW, "org.project": _VIEW, "org.serviceitem": _VIEW},
    Role.EXTERNAL_REVIEWER: {"org.customer": _VIEW, "org.project": _VIEW},
}
