from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from opsqm.dashboards.selectors import home_summary


@login_required
def home(request: HttpRequest) -> HttpResponse:
    summary = home_summary(request.user, timezone.localdate())
    return render(request, "dashboards/home.html", {
        "summary": summary,
        "chart_status": [{"name": s["label"], "value": s["value"]} for s in summary.by_status],
        "chart_value": summary.value_by_customer,
    })


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    from opsqm.dashboards.mywork import work_for

    today = timezone.localdate()
    items = work_for(request.user, today)
    return render(request, "dashboards/my_work.html", {"items": items, "today": today,
                                                      "overdue_count": sum(1 for i in items if i.overdue(today))})
