"""The satisfaction area's part of the quarterly quality review (opsqm.quarterly.selectors.satisfaction_section).

    section(period, project_ids) -> {"rows": [{"label", "value"}], "complaints": int}

`period` is the quarter (`opsqm.core.kpi.Period`); `project_ids` None = the company, else those projects.
Scores are the roll-up of the quarter's responses by the year's rules (levels below the minimum number of
responses read 样本不足); complaints are those received in the quarter (of those projects)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from opsqm.core import satisfaction as core
from opsqm.surveys import selectors
from opsqm.surveys.models import CompanyMethod
from opsqm.surveys.readers import WHOLE_COMPANY
from opsqm.surveys.services import core_rules
from opsqm.surveys.wording import level_label


def _score(value: float | None, band: str | None = None) -> str:
    if value is None:
        return _("样本不足")
    return f"{value:.1f}" + (f"（{band}）" if band else "")


def _levels(ps: core.ProjectScore) -> str:
    parts = []
    for lv in core.LEVELS:
        ls = ps.levels[lv]
        parts.append(f"{level_label(lv)} " + (f"{ls.score:.1f}（{ls.count} 份）" if ls.score is not None else _("样本不足")))
    return "；".join(parts)


def section(period: Any, project_ids: list[int] | None) -> dict[str, Any]:
    sp = core.parse_period(f"{period.year}-Q{period.quarter}")
    roll = selectors.satisfaction_rollup(user=WHOLE_COMPANY, period=sp)
    complaints = selectors.complaints_in_period(WHOLE_COMPANY, sp)
    responses = selectors.responses_in_period(WHOLE_COMPANY, sp)
    rows: list[dict[str, str]] = []
    if project_ids is None:
        method = roll.rules.company_method
        company = roll.company[method]
        rows.append(
            {
                "label": _("公司满意度（%(m)s）") % {"m": CompanyMethod(method).label},
                "value": _score(company.score, core.band_for(company.score, core_rules(roll.rules).bands)),
            }
        )
        projects = roll.projects
    else:
        ids = set(project_ids)
        projects = [p for p in roll.projects if p.project.pk in ids]
        complaints = complaints.filter(project_id__in=ids)
        customers = {p.project.customer_id for p in projects}
        responses = responses.filter(project_id__in=ids) | responses.filter(project__isnull=True, customer_id__in=customers)
    for ps in projects:
        rows.append({"label": _("%(code)s 项目满意度") % {"code": ps.project.code}, "value": f"{_score(ps.score, ps.band)}　{_levels(ps)}"})
    rows.append({"label": _("本季度回收答卷"), "value": _("%(n)d 份") % {"n": responses.count()}})
    return {"rows": rows, "complaints": complaints.count()}
