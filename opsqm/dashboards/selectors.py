"""What the first dashboard shows: real counts, scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from opsqm.accounts.access import is_org_wide, visible_customers, visible_projects
from opsqm.org.models import ProjectStatus, Staff

ENDING_WINDOW = dt.timedelta(days=180)


@dataclass(frozen=True)
class HomeSummary:
    project_count: int
    active_project_count: int
    customer_count: int
    staff_count: int | None
    contract_value: Decimal
    by_status: list[dict[str, Any]]
    value_by_customer: list[dict[str, Any]]
    ending_soon: list[Any]


def home_summary(user: Any, today) -> HomeSummary:
    projects = visible_projects(user)
    status_rows = {row["status"]: row["n"] for row in projects.values("status").annotate(n=Count("pk", distinct=True)).order_by()}
    by_status = [{"code": code, "label": str(label), "value": status_rows.get(code, 0)} for code, label in ProjectStatus.choices]
    value_rows = (
        projects.filter(status__in=[ProjectStatus.ACTIVE, ProjectStatus.PLANNING])
        .values("customer__name")
        .annotate(total=Sum("contract_value"))
        .order_by("-total")[:10]
    )
    ids = projects.values("pk")
    from opsqm.org.models import Project

    ending = (
        Project.objects.filter(pk__in=ids, status=ProjectStatus.ACTIVE, contract_end__gte=today, contract_end__lte=today + ENDING_WINDOW)
        .select_related("customer")
        .order_by("contract_end")[:5]
    )
    totals = Project.objects.filter(pk__in=ids).aggregate(total=Sum("contract_value"))
    return HomeSummary(
        project_count=sum(status_rows.values()),
        active_project_count=status_rows.get(ProjectStatus.ACTIVE, 0),
        customer_count=visible_customers(user).count(),
        staff_count=Staff.objects.count() if is_org_wide(user) else None,
        contract_value=totals["total"] or Decimal(0),
        by_status=by_status,
        value_by_customer=[{"name": r["customer__name"], "value": float(r["total"] or 0)} for r in value_rows],
        ending_soon=[{"project": p, "days_left": (p.contract_end - today).days} for p in ending],
    )
