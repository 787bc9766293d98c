"""Assessor-package provider: the kept quarterly quality reports (.docx and .xlsx) of the closed quarters of the
year that fall in the package's period. Company-level records (they report every project), so only
whole-company packages carry them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from opsqm.archive.providers import PackageItem, PackageScope

SECTION = "quarterly"
TITLE = _("季度质量报告")
ORDER = 60


def _reader(evidence):
    def read() -> bytes:
        with evidence.file.open("rb") as f:
            return f.read()

    return read


def items(scope: PackageScope) -> Iterable[PackageItem]:
    from opsqm.quarterly.models import QuarterlyReview

    if not scope.whole_company:
        return
    closed = (
        QuarterlyReview.objects.filter(year=scope.year, status=QuarterlyReview.Status.CLOSED)
        .select_related("report_docx", "report_xlsx")
        .order_by("quarter")
    )
    for review in closed:
        first = dt.date(review.year, 3 * review.quarter - 2, 1)
        last = dt.date(review.year + (review.quarter == 4), (3 * review.quarter) % 12 + 1, 1) - dt.timedelta(days=1)
        if last < scope.start or first > scope.end:
            continue
        note = str(_("总经办已阅")) + (f" {review.gm_at:%Y-%m-%d}" if review.gm_at else "")
        for evidence, ext in ((review.report_docx, "docx"), (review.report_xlsx, "xlsx")):
            if evidence is not None:
                yield PackageItem(
                    path=f"quarterly/{review.year}-Q{review.quarter}-季度质量报告.{ext}",
                    title=f"{review}（{ext}）",
                    content=_reader(evidence),
                    note=note,
                )


EMPTY = _("季度质量报告是公司级记录（汇总各项目情况），只放入全公司范围的资料包；或期间内尚无已关闭的季度。")
