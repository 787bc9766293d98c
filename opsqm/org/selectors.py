"""Reads of organization data, always through the access policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from opsqm.accounts.access import scope_history, visible_customers, visible_projects
from opsqm.org.models import Customer, Project
from opsqm.records.models import AuditEvent


def project_list(
    user: Any, *, q: str = "", status: str = "", customer_id: str | int | None = None, ops_manager_id: str | int | None = None
) -> QuerySet[Project]:
    qs = visible_projects(user).select_related("customer", "ops_manager", "quality_specialist")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(customer__name__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if ops_manager_id:
        qs = qs.filter(ops_manager_id=ops_manager_id)
    return qs.order_by("code")


def customer_list(user: Any, *, q: str = "", industry: str = "") -> QuerySet[Customer]:
    qs = visible_customers(user)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(contact_name__icontains=q))
    if industry:
        qs = qs.filter(industry=industry)
    visible_ids = visible_projects(user).values("pk")
    return qs.annotate(project_count=Count("projects", filter=Q(projects__in=visible_ids), distinct=True)).order_by("code")


def customer_industries(user: Any) -> list[str]:
    return sorted({i for i in visible_customers(user).values_list("industry", flat=True) if i})


def project_history(project: Project, user: Any) -> QuerySet[AuditEvent]:
    """The project's history as `user` may see it (access.scope_history: only events of visible records)."""
    return scope_history(AuditEvent.objects.filter(project_id=project.pk), user).order_by("-id")


def customer_history(customer: Customer) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(model="org.customer", object_id=str(customer.pk)).order_by("-id")
