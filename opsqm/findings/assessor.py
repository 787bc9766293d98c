"""Assessor-package provider: the findings register of the period with corrective actions and their verification."""

from __future__ import annotations

from collections.abc import Iterable

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsqm.archive.providers import PackageItem, PackageScope

SECTION = "findings"
TITLE = _("不符合项登记表（含纠正措施及验证）")
ORDER = 40


def items(scope: PackageScope) -> Iterable[PackageItem]:
    from opsqm.findings.models import Finding, ImprovementItem

    findings = Finding.objects.filter(raised_at__gte=scope.start_dt, raised_at__lt=scope.end_dt).select_related(
        "project", "owner", "raised_by"
    )
    improvements = ImprovementItem.objects.filter(created_at__gte=scope.start_dt, created_at__lt=scope.end_dt).select_related(
        "project", "owner"
    )
    if not scope.whole_company:
        findings = findings.filter(project_id__in=scope.project_ids)
        improvements = improvements.filter(project_id__in=scope.project_ids)
    findings = list(findings.prefetch_related("actions__owner", "actions__verified_by", "actions__implemented_by").order_by("code"))
    html = render_to_string(
        "findings/assessor_register.html",
        {
            "findings": findings,
            "improvements": list(improvements.order_by("code")),
            "scope": scope,
            "generated": timezone.now(),
        },
    )
    yield PackageItem(
        path="findings/findings-register.html",
        title=str(_("不符合项登记表与服务改进计划")),
        content=html.encode("utf-8"),
        note=str(_("%(n)d 个问题，%(m)d 个改进项")) % {"n": len(findings), "m": len(improvements)},
    )
