"""外部评审: only the granted scope — the projects and the grant window."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from opsqm.dashboards.panels import Panel, Scope


def build(scope: Scope) -> dict[str, Any] | None:
    from opsqm.accounts.access import visible_projects

    if scope.role != "external_reviewer" or scope.project is not None:
        return None
    return {
        "projects": list(visible_projects(scope.user).select_related("customer").order_by("code")),
        "grants": list(scope.user.external_grants.all()),
    }


PANELS = [Panel("granted_scope", _("授权查看范围"), build, order=1, width="col-12")]
