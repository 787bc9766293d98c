from __future__ import annotations

from typing import Any

from django import template

from opsqm.accounts.access import is_org_wide
from opsqm.findings.selectors import open_major_findings

register = template.Library()


@register.inclusion_tag("findings/_major_panel.html", takes_context=True)
def major_findings_panel(context: dict[str, Any]) -> dict[str, Any]:
    """The 总经办 panel on the dashboard: open major findings, for org-wide roles only."""
    user = context.get("user")
    if not is_org_wide(user):
        return {"show": False}
    rows = list(open_major_findings(user)[:10])
    return {"show": True, "rows": rows, "count": open_major_findings(user).count() if len(rows) == 10 else len(rows)}
