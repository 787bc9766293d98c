"""Assessor-package provider: the year's customer satisfaction report (.docx with charts, and .xlsx), rendered
for the whole company. A company-level record (scores, comments and complaints of every project and
customer), so only whole-company packages carry it."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from opsqm.archive.providers import PackageItem, PackageScope

SECTION = "surveys"
TITLE = _("客户满意度调查报告")
ORDER = 70


def items(scope: PackageScope) -> Iterable[PackageItem]:
    from opsqm.core import satisfaction as core
    from opsqm.surveys import report, selectors
    from opsqm.surveys.readers import WHOLE_COMPANY

    if not scope.whole_company:
        return
    period = core.parse_period(str(scope.year))
    if not selectors.responses_in_period(WHOLE_COMPANY, period).exists():
        return
    cache: dict[str, object] = {}

    def ctx() -> dict:
        if "ctx" not in cache:
            cache["ctx"] = report.report_context(user=WHOLE_COMPANY, period=period)
        return cache["ctx"]  # type: ignore[return-value]

    yield PackageItem(
        path=f"surveys/{scope.year}-客户满意度报告.docx",
        title=str(_("%(y)s 年度客户满意度报告") % {"y": scope.year}),
        content=lambda: report.render_docx(ctx()),
    )
    yield PackageItem(
        path=f"surveys/{scope.year}-客户满意度报告.xlsx",
        title=str(_("%(y)s 年度客户满意度报告（数据表）") % {"y": scope.year}),
        content=lambda: report.render_xlsx(ctx()),
    )


EMPTY = _("客户满意度调查报告是公司级记录（含各项目、各客户的得分与意见），只放入全公司范围的资料包；或本年度尚无答卷。")
