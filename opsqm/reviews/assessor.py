"""Assessor-package provider: the year's approved management review report (a company-level record:
it summarises every project, so only whole-company packages carry it)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from opsqm.archive.providers import PackageItem, PackageScope

SECTION = "reviews"
TITLE = _("管理评审报告")
ORDER = 30


def items(scope: PackageScope) -> Iterable[PackageItem]:
    from opsqm.reviews.models import ManagementReview, ReviewStatus

    if not scope.whole_company:
        return
    review = (
        ManagementReview.objects.filter(year=scope.year, status=ReviewStatus.APPROVED, report__isnull=False)
        .select_related("report")
        .first()
    )
    if review is None:
        return

    def read() -> bytes:
        with review.report.file.open("rb") as f:
            return f.read()

    yield PackageItem(
        path=f"reviews/{review.year}-管理评审报告.docx",
        title=review.title,
        content=read,
        note=str(_("已批准")) + f" {review.approved_at:%Y-%m-%d}",
    )


EMPTY = _("管理评审报告是公司级记录（汇总各项目情况），只放入全公司范围的资料包；或本年度报告尚未批准。")
