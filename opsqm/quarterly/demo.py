"""Demo: Q1–Q3 reviews of the demo year closed with their reports acknowledged by 总经办; Q4 open
with every O&M manager's summary in but one."""

from __future__ import annotations

import datetime as dt

from opsqm import clock
from opsqm.core.kpi import Period
from opsqm.quarterly import services
from opsqm.quarterly.models import QuarterlySubmission

SUMMARY = "本季度按服务目录完成日常巡检、事件处理和变更实施，按时提交月度服务报告；组织客户例会并完成回访。重大事件均在 SLA 内恢复。"
PROBLEMS = "夜间值班响应偶有超时；部分工单关闭前未电话回访。"
NEXT = "加强夜间值班管理和交接班检查；回访纳入关单必填项；下季度完成一次应急演练。"


def _at(day: dt.date, hour: int = 10):
    return clock.frozen_at(dt.datetime.combine(day, dt.time(hour, 0)))


def _submit(s: QuarterlySubmission, day: dt.date, n: int) -> None:
    with _at(day):
        services.submission_save(
            actor=s.owner,
            submission=s,
            submit=True,
            data=dict(
                tickets_handled=120 + 17 * n,
                major_incidents=n % 2,
                service_reports=3,
                customer_meetings=2 + n % 3,
                staff_changes=n % 2,
                summary=SUMMARY,
                problems=PROBLEMS,
                next_plan=NEXT,
            ),
        )


def load(ctx) -> None:
    from opsqm.notifications.services import emails_suppressed

    year, today = ctx.today.year, ctx.today
    qm, gm = ctx.users["qm"], ctx.users["gm"]
    current_q = (today.month - 1) // 3 + 1
    with emails_suppressed():
        for q in range(1, current_q):
            end = Period(year, quarter=q).end_local
            with _at(end + dt.timedelta(days=1)):
                review = services.review_open(actor=qm, year=year, quarter=q, today=end + dt.timedelta(days=1))
            for n, s in enumerate(review.submissions.select_related("owner")):
                _submit(s, end + dt.timedelta(days=3), n)
            with _at(end + dt.timedelta(days=10)):
                review.refresh_from_db()
                review = services.review_write(
                    actor=qm,
                    review=review,
                    expected_version=review.version,
                    analysis=f"第 {q} 季度各项目 SLA 达成率总体稳定，响应及时率个别项目未达标，已提出问题并跟踪整改。",
                    requirements="未达标项目两周内提交整改措施；质量专员每月抽查工单回访记录。",
                )
                review = services.review_report(actor=qm, review=review)
            with _at(end + dt.timedelta(days=14)):
                services.review_acknowledge(actor=gm, review=review, note="已阅。请持续跟踪未达标项目的整改。")
        with _at(dt.datetime.combine(today, dt.time(9)).date()):
            review = services.review_open(actor=qm, year=year, quarter=current_q, today=today)
        subs = list(review.submissions.select_related("owner").order_by("project__code"))
        for n, s in enumerate(subs[:-1]):
            _submit(s, today, n)
    ctx.log(f"季度质量分析：{year} Q1–Q{current_q - 1} 已关闭并存档报告；Q{current_q} 进行中（{len(subs) - 1}/{len(subs)} 份总结已提交）")
