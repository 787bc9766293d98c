"""Demo management reviews: last year's review approved and kept as a record, its actions (two done,
one open and overdue), and this year's review planned with its inputs assembled as of today."""

from __future__ import annotations

import datetime as dt

from opsqm import clock
from opsqm.demo import DemoContext
from opsqm.notifications.services import emails_suppressed
from opsqm.reviews import services


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def load(ctx: DemoContext) -> None:
    u = ctx.users
    last = ctx.today.year - 1
    people = [u["mgmt"], u["gm"], u["qm"], u["ops_a"], u["ops_b"], u["spec_a"]]
    with emails_suppressed():
        with clock.frozen_at(_at(dt.date(last, 11, 20))):
            old = services.review_create(
                actor=u["mgmt"], year=last, planned_date=dt.date(last, 12, 18), place="公司三楼第一会议室", chair=u["gm"], attendees=people
            )
            services.review_update(
                actor=u["mgmt"],
                review=old,
                expected_version=None,
                data={
                    "changes_text": "公司新增两个金融行业客户；GB/T 28827.1-2022 发布。",
                    "resources_text": "运维人员 62 人，较年初增加 8 人；监控平台完成升级。",
                    "risks_text": "核心网络单点故障风险；关键岗位人员流失风险。",
                },
            )
        with clock.frozen_at(_at(dt.date(last, 12, 10))):
            old = services.review_assemble_inputs(actor=u["mgmt"], review=old, as_of=dt.date(last, 12, 10))
        with clock.frozen_at(_at(dt.date(last, 12, 18), 15)):
            minutes = {item.pk: f"会议讨论了“{item.title}”，形成一致意见。" for item in old.agenda.all()}
            old = services.review_record_meeting(
                actor=u["mgmt"],
                review=old,
                attended=people[:-1],
                minutes=minutes,
                conclusion="体系运行基本有效，需加强变更管理与应急演练。",
            )
            actions = [
                services.review_action_create(
                    actor=u["mgmt"],
                    review=old,
                    kind="improvement",
                    decision="修订变更管理程序，明确紧急变更的事后审批",
                    owner=u["spec_a"],
                    due_date=dt.date(ctx.today.year, 3, 31),
                ),
                services.review_action_create(
                    actor=u["mgmt"],
                    review=old,
                    kind="resource",
                    decision="增设夜班二线值守岗位 1 名",
                    owner=u["ops_a"],
                    due_date=dt.date(ctx.today.year, 4, 30),
                ),
                services.review_action_create(
                    actor=u["mgmt"],
                    review=old,
                    kind="system_change",
                    decision="建立年度应急演练计划并纳入项目质量计划",
                    owner=u["ops_b"],
                    due_date=min(ctx.today - dt.timedelta(days=10), dt.date(ctx.today.year, 9, 30)),
                ),
            ]
        with clock.frozen_at(_at(dt.date(last, 12, 22))):
            old = services.review_issue_report(actor=u["qm"], review=old)
        with clock.frozen_at(_at(dt.date(last, 12, 24))):
            services.review_approve_report(actor=u["mgmt"], review=old)
        with clock.frozen_at(_at(dt.date(ctx.today.year, 3, 25))):
            services.review_action_complete(actor=u["spec_a"], action=actions[0], note="QP-04 A/1 已提交审批。")
        with clock.frozen_at(_at(dt.date(ctx.today.year, 4, 28))):
            services.review_action_complete(actor=u["ops_a"], action=actions[1], note="已招聘到岗并完成培训。")
        services.review_actions_escalate_overdue(today=ctx.today)

        current = services.review_create(
            actor=u["mgmt"],
            year=ctx.today.year,
            planned_date=max(ctx.today + dt.timedelta(days=14), dt.date(ctx.today.year, 12, 18))
            if ctx.today.month < 12
            else ctx.today + dt.timedelta(days=7),
            place="公司三楼第一会议室",
            chair=u["gm"],
            attendees=people,
        )
        services.review_update(
            actor=u["mgmt"],
            review=current,
            expected_version=None,
            data={
                "changes_text": "新签约 2 个项目；ITSS 三级复评将于明年上半年进行。",
                "resources_text": "新增自动化巡检工具；二线值守岗位已到位。",
                "risks_text": "年底变更集中，变更失败风险上升；部分客户合同续签不确定。",
            },
        )
        services.review_assemble_inputs(actor=u["mgmt"], review=current, as_of=ctx.today)
    ctx.log(f"管理评审：{last} 年度已批准归档（3 项措施，2 项完成），{ctx.today.year} 年度已策划并汇总输入")
