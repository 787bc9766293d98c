"""Assessor-package provider: the year's annual quality plan as a Word document (a company-level record: its
activities and objectives cover every project, so only whole-company packages carry it)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from opsqm.archive.providers import PackageItem, PackageScope

SECTION = "plan"
TITLE = _("年度质量管理计划")
ORDER = 10


def items(scope: PackageScope) -> Iterable[PackageItem]:
    from opsqm.plans import document, selectors
    from opsqm.plans.models import QualityPlan
    from opsqm.plans.services import today

    if not scope.whole_company:
        return
    plan = QualityPlan.objects.filter(year=scope.year).first()
    if plan is None:
        return
    as_of = min(today(), scope.end)
    yield PackageItem(
        path=f"plan/{plan.year}-年度质量管理计划.docx",
        title=plan.title,
        content=lambda: document.render_plan_docx(plan, selectors.objective_attainment(plan, as_of)),
        note=f"{plan.get_status_display()}" + (f" {plan.approved_at:%Y-%m-%d}" if plan.approved_at else ""),
    )


EMPTY = _("年度质量管理计划是公司级记录（覆盖各项目的活动与目标），只放入全公司范围的资料包；或本年度尚未编制计划。")
