"""Open findings by severity, age and overdue; major findings escalated to 总经办."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsqm.dashboards.panels import Panel, Scope

AGE_BUCKETS = ((0, 30, _("30 天内")), (31, 90, _("31–90 天")), (91, None, _("90 天以上")))


def _list_url(scope: Scope, **params: Any) -> str:
    if scope.project is not None:
        params["project"] = scope.project.pk
    return reverse("findings:list") + "?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})


def _findings(scope: Scope):
    from opsqm.findings.models import Finding
    from opsqm.findings.selectors import findings_visible_to

    qs = findings_visible_to(scope.user).exclude(status=Finding.Status.CLOSED)
    if scope.project is not None:
        qs = qs.filter(project=scope.project)
    elif scope.role == "ops_manager":
        qs = qs.filter(Q(owner=scope.user) | Q(project__ops_manager=scope.user))
    elif scope.role == "quality_specialist":
        qs = qs.filter(Q(project__quality_specialist=scope.user) | Q(raised_by=scope.user))
    return qs


def build_open(scope: Scope) -> dict[str, Any] | None:
    from opsqm.findings.models import Finding
    from opsqm.findings.selectors import finding_list

    if scope.role in ("auditor", "external_reviewer") and scope.project is None:
        return None
    qs = _findings(scope)
    counts = dict(qs.values_list("severity").annotate(n=Count("id")).values_list("severity", "n"))
    severities = [
        {"label": label, "n": counts.get(value, 0), "url": _list_url(scope, severity=value, status="unclosed"), "value": value}
        for value, label in Finding.Severity.choices
    ]
    now = timezone.localtime()
    buckets = {}
    for i, (low, high, _label) in enumerate(AGE_BUCKETS):
        q = Q(raised_at__lte=now - timezone.timedelta(days=low))
        if high is not None:
            q &= Q(raised_at__gt=now - timezone.timedelta(days=high + 1))
        buckets[f"b{i}"] = Count("id", filter=q)
    age_counts = qs.aggregate(**buckets)  # one query for all buckets
    ages = [{"label": label, "n": age_counts[f"b{i}"]} for i, (_low, _high, label) in enumerate(AGE_BUCKETS)]
    overdue_ids = finding_list(scope.user, today=scope.today, overdue=True).filter(pk__in=qs.values("pk")).count()
    return {
        "total": sum(counts.values()),
        "total_url": _list_url(scope, status="unclosed"),
        "severities": severities,
        "ages": ages,
        "overdue": overdue_ids,
        "overdue_url": _list_url(scope, overdue=1),
    }


def build_major(scope: Scope) -> dict[str, Any] | None:
    from opsqm.findings.models import Finding

    if not (scope.leadership or scope.project is not None):
        return None
    rows = list(_findings(scope).filter(severity=Finding.Severity.MAJOR).select_related("project", "owner").order_by("-raised_at")[:8])
    if scope.project is not None and not rows:
        return None
    return {"rows": rows, "url": _list_url(scope, severity=Finding.Severity.MAJOR, status="unclosed")}


PANELS = [
    Panel("findings_open", _("未关闭问题"), build_open, order=20),
    Panel("findings_major", _("重大问题（已上报总经办）"), build_major, order=15, width="col-12"),
]
