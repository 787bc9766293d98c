"""Audit programme progress (leadership) and the auditor's own audits by stage with items left to assess."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsqm.dashboards.panels import Panel, Scope


def _stage_rows(qs, scope: Scope) -> list[dict[str, Any]]:
    from opsqm.audits.models import AuditStage

    counts = dict(qs.values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))
    base = reverse("audits:audit_list")
    return [
        {"label": label, "n": counts.get(value, 0), "url": f"{base}?stage={value}&year={scope.today.year}"}
        for value, label in AuditStage.choices
    ]


def build_program(scope: Scope) -> dict[str, Any] | None:
    from opsqm.audits.selectors import visible_audits

    if not scope.leadership and scope.project is None:
        return None
    qs = visible_audits(scope.user).filter(planned_start__year=scope.today.year)
    if scope.project is not None:
        qs = qs.filter(projects=scope.project)
    total = qs.count()
    if scope.project is not None and not total:
        return None
    done = qs.filter(stage__in=("reported", "followup", "closed")).count()
    return {
        "total": total,
        "done": done,
        "percent": round(done * 100 / total) if total else None,
        "stages": _stage_rows(qs, scope),
        "year": scope.today.year,
        "list_url": reverse("audits:audit_list") + f"?year={scope.today.year}",
    }


def build_mine(scope: Scope) -> dict[str, Any] | None:
    from opsqm.audits.models import AuditItemResult
    from opsqm.audits.selectors import visible_audits

    if scope.project is not None or scope.role not in ("auditor", "quality_specialist", "quality_manager"):
        return None
    qs = visible_audits(scope.user).filter(team__user=scope.user).exclude(stage="closed").distinct()
    left = dict(
        AuditItemResult.objects.filter(audit__in=qs, assessable=True)
        .values_list("audit_id")
        .annotate(n=Count("id", filter=Q(assessed_by__isnull=True)))
        .values_list("audit_id", "n")
    )
    rows = [
        {"audit": a, "left": left.get(a.pk, 0), "url": reverse("audits:audit_detail", args=[a.pk])}
        for a in qs.order_by("planned_start")[:10]
    ]
    if not rows and scope.role != "auditor":
        return None
    return {"rows": rows, "list_url": reverse("audits:audit_list")}


PANELS = [
    Panel("audit_program", _("审核方案进度"), build_program, order=40),
    Panel("my_audits", _("我的审核"), build_mine, order=5, width="col-12"),
]
