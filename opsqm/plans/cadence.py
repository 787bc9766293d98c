"""The seed's yearly cadence as dated activities on China working days (pure, no database).

Seed 2.1 / 2.3.1 / 2.4.2-3 and itss_domain §1.4: plan drafting in January, system-operation
supervision monthly, KPI collection and analysis at each quarter end, the annual customer
satisfaction survey, internal audit twice (mid-year, year-end), management review once at year
end after the second audit, a project QA plan per running project.

A nominal date that is not a working day moves to the next working day of the calendar
(statutory holidays off, 调休 weekends on): a due date in 国庆 moves past the holiday.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from dataclasses import dataclass

from opsqm.core.calendars import BusinessCalendar

__all__ = ["CadenceItem", "next_working_day", "add_working_days", "working_days_between", "yearly_cadence"]


@dataclass(frozen=True)
class CadenceItem:
    key: str  # stable id within the year, e.g. "supervision-03"
    type: str  # ActivityType value
    title: str
    content: str
    nominal: dt.date  # the date the cadence asks for
    due: dt.date  # nominal moved onto a working day
    output: str
    owner_role: str  # who does it by default (Role value)
    project_id: int | None = None


def next_working_day(day: dt.date, cal: BusinessCalendar) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it."""
    current = day
    for _ in range(60):  # the longest Chinese holiday is 8 days; 60 is a safety bound
        if cal.is_workday(current):
            return current
        current += dt.timedelta(days=1)
    raise ValueError(f"no working day within 60 days of {day}")


def add_working_days(day: dt.date, n: int, cal: BusinessCalendar) -> dt.date:
    """`n` working days after (n > 0) or before (n < 0) `day`."""
    step = 1 if n >= 0 else -1
    current, left = day, abs(n)
    while left:
        current += dt.timedelta(days=step)
        if cal.is_workday(current):
            left -= 1
    return current


def working_days_between(start: dt.date, end: dt.date, cal: BusinessCalendar) -> int:
    """Working days in (start, end]; negative when end < start."""
    if end < start:
        return -working_days_between(end, start, cal)
    return sum(1 for i in range(1, (end - start).days + 1) if cal.is_workday(start + dt.timedelta(days=i)))


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, _cal.monthrange(year, month)[1])


def yearly_cadence(year: int, cal: BusinessCalendar, projects: list[tuple[int, str, str]] = ()) -> list[CadenceItem]:
    """The year's activities. `projects`: (id, code, name) of the projects running that year."""
    items: list[CadenceItem] = []

    def add(
        key: str, type_: str, title: str, content: str, nominal: dt.date, output: str, owner_role: str, project_id: int | None = None
    ) -> None:
        items.append(CadenceItem(key, type_, title, content, nominal, next_working_day(nominal, cal), output, owner_role, project_id))

    add(
        "plan",
        "plan",
        f"{year} 年度质量管理计划编制",
        "编制年度质量目标与质量管理活动安排，报总经办审批。",
        dt.date(year, 1, 15),
        "年度质量管理计划",
        "quality_manager",
    )
    for m in range(1, 13):
        add(
            f"supervision-{m:02d}",
            "supervision",
            f"{m} 月体系运行监督",
            "收集制度运行情况反馈，发现运行不畅的环节，沟通讨论后改进。",
            dt.date(year, m, 25),
            "体系运行监督记录",
            "quality_manager",
        )
    for q in range(1, 5):
        add(
            f"kpi-q{q}",
            "kpi_review",
            f"第 {q} 季度服务质量指标收集与分析",
            "质量经理发起，运维经理提交季度工作总结和下季度工作计划，分析指标完成情况，向总经办汇报。",
            _month_end(year, 3 * q),
            "季度质量分析报告",
            "quality_manager",
        )
    add(
        "audit-mid",
        "internal_audit",
        "年中运维服务能力内审",
        "按年度内审方案审核人员、资源、技术、过程四要素（GB/T 28827.1）。",
        dt.date(year, 6, 20),
        "内部审核报告、不符合项整改记录",
        "quality_manager",
    )
    add(
        "satisfaction",
        "satisfaction",
        "年度客户满意度调查",
        "按《客户满意度调查及投诉管理制度》开展客户级满意度调查。",
        dt.date(year, 10, 1),
        "满意度调查报告",
        "quality_manager",
    )
    add(
        "audit-end",
        "internal_audit",
        "年末运维服务能力内审",
        "按年度内审方案开展第二次内部审核，覆盖全部要素及重点项目。",
        dt.date(year, 11, 20),
        "内部审核报告、不符合项整改记录",
        "quality_manager",
    )
    add(
        "review",
        "management_review",
        "年度管理评审",
        "管理者代表组织，质量管理部协助；在第二次内审之后召开。",
        dt.date(year, 12, 15),
        "管理评审报告",
        "mgmt_rep",
    )
    for pk, code, name in projects:
        add(
            f"qa-{pk}",
            "project_qa",
            f"{code} 项目质量保证计划",
            f"与运维经理一起策划 {name} 的项目级质量保证活动。",
            dt.date(year, 1, 31),
            "项目质量保证计划",
            "quality_manager",
            project_id=pk,
        )
    # The management review follows the year-end audit even if holidays pushed them together.
    audit_end = next(i for i in items if i.key == "audit-end")
    review = next(i for i in items if i.key == "review")
    assert review.due > audit_end.due
    return sorted(items, key=lambda i: (i.due, i.key))
