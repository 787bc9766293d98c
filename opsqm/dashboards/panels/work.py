"""What waits for the user (我的待办), overdue first — the specialist's and the O&M manager's first panel."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsqm.dashboards.panels import Panel, Scope


def build(scope: Scope) -> dict[str, Any] | None:
    from opsqm.dashboards.mywork import work_for

    if scope.project is not None or scope.role == "external_reviewer":
        return None
    items = sorted(work_for(scope.user, scope.today), key=lambda i: (not i.overdue(scope.today), i.due or scope.today))
    return {
        "items": items[:8],
        "count": len(items),
        "overdue": sum(1 for i in items if i.overdue(scope.today)),
        "today": scope.today,
        "url": reverse("dashboards:my_work"),
    }


PANELS = [Panel("my_work", _("等待我处理"), build, order=8, width="col-12")]
