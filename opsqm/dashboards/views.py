from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from opsqm.dashboards.panels import Scope, panels_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The cockpit: the panels for this user's role, built from the records they may see."""
    scope = Scope(user=request.user, today=timezone.localdate())
    return render(request, "dashboards/home.html", {"panels": panels_for(scope)})


@login_required
def project(request: HttpRequest, pk: int) -> HttpResponse:
    """The same panels for one project (a foreign project is 404)."""
    from opsqm.accounts.access import get_project_or_404

    scope = Scope(user=request.user, today=timezone.localdate(), project=get_project_or_404(request.user, pk=pk))
    return render(request, "dashboards/home.html", {"panels": panels_for(scope), "project": scope.project})


@login_required
def my_work(request: HttpRequest) -> HttpResponse:
    from opsqm.dashboards.mywork import work_for

    today = timezone.localdate()
    items = work_for(request.user, today)
    return render(
        request, "dashboards/my_work.html", {"items": items, "today": today, "overdue_count": sum(1 for i in items if i.overdue(today))}
    )
