"""The satisfaction area's input to the management review (opsqm.reviews.inputs.satisfaction).

    review_input(start, end) -> {"summary": str, "tables": [{"title", "headers", "rows"}], "chart": {...} | None}

`start`..`end` are local dates, both inclusive (the review's period: 1 January to the as-of date). The
section is the whole company's (the review is a company-level record): project scores by level under the
year's rules, response rates, the lowest-scoring questions, and the complaint register with its handling
and return visits. Complaints are listed here and only here (the review's own section no longer lists
complaint findings a second time; those stay in the findings section)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.core import satisfaction as core
from opsqm.surveys import selectors
from opsqm.surveys.models import CompanyMethod, Complaint
from opsqm.surveys.readers import WHOLE_COMPANY
from opsqm.surveys.wording import level_label


def _f(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def review_input(start: dt.date, end: dt.date) -> dict[str, Any]:
    period = core.SurveyPeriod(f"{start.isoformat()}~{end.isoformat()}", "range", start, end + dt.timedelta(days=1))
    roll = selectors.satisfaction_rollup(user=WHOLE_COMPANY, period=period)
    responses = selectors.responses_in_period(WHOLE_COMPANY, period).count()
    rates = selectors.response_rates(user=WHOLE_COMPANY, period=period)
    lowest = selectors.lowest_questions(user=WHOLE_COMPANY, period=period, limit=5)
    complaints = list(selectors.complaints_in_period(WHOLE_COMPANY, period).order_by("received_at", "code"))
    method = roll.rules.company_method
    company = roll.company[method].score
    below = [p for p in roll.projects if p.score is not None and p.score < roll.rules.threshold]
    closed = sum(1 for c in complaints if c.status == Complaint.Status.CLOSED)

    project_rows = []
    for ps in roll.projects:
        cells = [ps.project.code, ps.project.customer.name]
        for lv in core.LEVELS:
            ls = ps.levels[lv]
            cells.append(f"{ls.score:.1f}（{ls.count}）" if ls.score is not None else _("样本不足"))
        cells += [_f(ps.score), ps.band or "—"]
        project_rows.append(cells)
    invited = sum(r["invited"] for r in rates["customer"])
    answered = sum(r["answered"] for r in rates["customer"])
    rate_rows = [
        [r["customer__name"], str(r["invited"]), str(r["answered"]), "—" if r["rate"] is None else f"{r['rate']:.0%}"]
        for r in rates["customer"]
    ]
    complaint_rows = [
        [
            c.code,
            timezone.localtime(c.received_at).date().isoformat(),
            c.project.code if c.project_id else _("%(c)s（客户级）") % {"c": c.customer.name},
            c.get_severity_display(),
            c.content if len(c.content) <= 60 else c.content[:59] + "…",
            c.get_status_display(),
            (c.get_visit_result_display() if c.visit_result else "—"),
        ]
        for c in complaints
    ]
    summary = _(
        "期间回收满意度答卷 %(r)d 份（邀请 %(i)d 份，答复 %(a)d 份）；公司满意度 %(s)s（%(m)s），"
        "低于预警线 %(t)s 分的项目 %(b)d 个；客户投诉 %(c)d 起，已关闭 %(d)d 起。"
    ) % {
        "r": responses,
        "i": invited,
        "a": answered,
        "s": _f(company),
        "m": CompanyMethod(method).label,
        "t": f"{roll.rules.threshold:g}",
        "b": len(below),
        "c": len(complaints),
        "d": closed,
    }
    tables = [
        {
            "title": _("各项目满意度（百分制，括号内为答卷份数）"),
            "headers": [
                _("项目"),
                _("客户"),
                level_label("incident"),
                level_label("project"),
                level_label("customer"),
                _("项目满意度"),
                _("分档"),
            ],
            "rows": project_rows,
        },
        {"title": _("调查回收率（按客户）"), "headers": [_("客户"), _("邀请"), _("答复"), _("回收率")], "rows": rate_rows},
        {
            "title": _("得分最低的题目"),
            "headers": [_("层级"), _("题目"), _("平均分（百分制）"), _("作答数")],
            "rows": [[level_label(q["level"]), q["question"], f"{q['mean']:.1f}", str(q["answers"])] for q in lowest],
        },
        {
            "title": _("客户投诉及处理"),
            "headers": [_("编号"), _("受理日期"), _("项目"), _("严重程度"), _("投诉内容"), _("状态"), _("回访结果")],
            "rows": complaint_rows,
        },
    ]
    scored = [p for p in roll.projects if p.score is not None]
    chart = (
        {
            "title": _("各项目满意度（百分制）"),
            "labels": [p.project.code for p in scored],
            "series": [{"name": _("项目满意度"), "values": [round(p.score, 1) for p in scored]}],
        }
        if scored
        else None
    )
    return {"summary": summary, "tables": tables, "chart": chart}
