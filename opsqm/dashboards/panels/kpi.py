"""KPI attainment this quarter against targets: which KPI how many projects miss, and the trend by quarter."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsqm.core.kpi import Period
from opsqm.dashboards.panels import Panel, Scope
from opsqm.dashboards.panels.kpi_source import kpi_cells


def _projects(scope: Scope) -> list[Any]:
    from opsqm.accounts.access import visible_projects
    from opsqm.org.models import ProjectStatus

    qs = visible_projects(scope.user).filter(status=ProjectStatus.ACTIVE).order_by("code").only("pk", "code", "name")
    if scope.project is not None:
        qs = qs.filter(pk=scope.project.pk)
    elif scope.role == "quality_specialist":
        qs = qs.filter(quality_specialist=scope.user)
    elif scope.role == "ops_manager":
        qs = qs.filter(ops_manager=scope.user)
    return list(qs)


def kpi_name(definition: Any) -> str:
    from django.utils.translation import get_language

    return definition.name_zh if (get_language() or "zh").startswith("zh") else definition.name_en


def _view(cell: Any) -> dict[str, Any]:
    return {"name": kpi_name(cell.definition), "display": cell.display, "target_display": cell.target_display, "attained": cell.attained}


def build(scope: Scope) -> dict[str, Any] | None:
    if scope.role in ("auditor", "external_reviewer") and scope.project is None:
        return None
    projects = _projects(scope)
    if not projects:
        return None
    period = Period.of(scope.today, "quarter")
    quarters = [Period(period.year, quarter=q) for q in range(1, period.quarter + 1)]
    by_period = kpi_cells(scope.user, [p.pk for p in projects], quarters, project=scope.project)
    cells = by_period[period]
    overview = reverse("kpis:overview") + f"?granularity=quarter&year={period.year}&period={period.key}"
    by_kpi: dict[str, dict[str, Any]] = {}
    missing_projects = []
    for project in projects:
        missed = [c for c in cells.get(project.pk, []) if c.attained is False]
        if missed:
            missing_projects.append(
                {"project": project, "missed": [_view(c) for c in missed], "url": reverse("kpis:project", args=[project.pk])}
            )
        for c in cells.get(project.pk, []):
            row = by_kpi.setdefault(c.code.value, {"name": kpi_name(c.definition), "missed": 0, "met": 0, "empty": 0, "code": c.code.value})
            row["missed" if c.attained is False else "met" if c.attained else "empty"] += 1
    trend = []
    for qp in quarters:
        qcells = by_period[qp]
        trend.append({"period": qp.key, "missing": sum(1 for pk in qcells if any(c.attained is False for c in qcells[pk]))})
    single = scope.project is not None or len(projects) == 1
    return {
        "period": period,
        "projects": projects,
        "by_kpi": list(by_kpi.values()),
        "missing_projects": missing_projects,
        "overview_url": overview,
        "trend": trend,
        "single": single,
        "cells": [_view(c) for c in cells.get(projects[0].pk, [])] if single else [],
        "project_url": reverse("kpis:project", args=[projects[0].pk]) if single else "",
    }


PANELS = [Panel("kpi_attainment", _("本季度指标达成"), build, order=10, width="col-12")]
