"""Assessor-package provider: the audit reports of the period (only audits wholly inside the package's projects)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from opsqm.archive.providers import PackageItem, PackageScope

SECTION = "audits"
TITLE = _("内部审核与质量检查报告")
ORDER = 20


def items(scope: PackageScope) -> Iterable[PackageItem]:
    from opsqm.audits.models import Audit
    from opsqm.audits.report import render_docx, report_context

    audits = (
        Audit.objects.filter(planned_start__gte=scope.start, planned_start__lte=scope.end)
        .prefetch_related("projects")
        .select_related("report_docx")
        .order_by("planned_start", "code")
    )
    for audit in audits:
        project_ids = [p.pk for p in audit.projects.all()]
        result_projects = set(audit.results.exclude(project__isnull=True).values_list("project_id", flat=True))
        if not scope.projects_ok(set(project_ids) | result_projects):
            continue  # an audit that also covers another project (or the organisation only) stays out of a project package

        def content(audit=audit) -> bytes:
            if audit.report_docx_id:
                with audit.report_docx.file.open("rb") as f:
                    return f.read()
            return render_docx(report_context(audit))

        note = str(_("已出具的报告")) if audit.report_docx_id else str(_("按当前记录生成（尚未出具正式报告）"))
        yield PackageItem(
            path=f"audits/{audit.code}-{audit.get_kind_display()}报告.docx", title=f"{audit.code} {audit.title}", content=content, note=note
        )
