"""Demo: this year's plan generated from the cadence and approved by 总经办, with activities in every
state (done by linked audits / notes, in progress, overdue, planned), and two project QA plans."""

from __future__ import annotations

import datetime as dt

from opsqm import clock
from opsqm.plans import services
from opsqm.plans.models import ActivityStatus, PlanActivity


def _at(day: dt.date, hour: int = 10):
    return clock.frozen_at(dt.datetime.combine(day, dt.time(hour, 0)))


def load(ctx) -> None:
    from opsqm.audits.models import Audit
    from opsqm.notifications.services import emails_suppressed

    year, today = ctx.today.year, ctx.today
    qm, gm = ctx.users["qm"], ctx.users["gm"]
    with emails_suppressed():
        with _at(dt.date(year, 1, 5)):
            plan = services.plan_generate(actor=qm, year=year)
            plan = services.plan_submit(actor=qm, plan=plan)
        with _at(dt.date(year, 1, 9)):
            plan = services.plan_approve(actor=gm, plan=plan, note="同意。请质量管理部按计划组织实施，季度末向总经办汇报。")
        with _at(dt.date(year, 1, 12)):
            for project in ctx.projects[:2]:
                services.qa_plan_create(
                    actor=qm, project=project, start=dt.date(year, 1, 12), reason="新立项项目的质量保证计划检查列入年度计划"
                )
            first = ctx.projects[0].qa_plans.first()
            services.qa_plan_agree(actor=ctx.projects[0].ops_manager, qa=first)
        acts = {a.cadence_key: a for a in plan.activities.all() if a.cadence_key}
        mid = Audit.objects.filter(title__contains="年中内部审核").first()
        if mid is not None:
            with _at(dt.date(year, 6, 30)):
                services.activity_link(actor=qm, activity=acts["audit-mid"], record=mid)
        end = Audit.objects.filter(title__contains="年末内部审核").first()
        if end is not None:
            services.activity_link(actor=qm, activity=acts["audit-end"], record=end)
        with _at(dt.date(year, 1, 14)):
            services.activity_complete(actor=qm, activity=acts["plan"], note="计划已经总经办批准，纸质签字版存质量管理部。")
        for m in range(1, 13):
            a = acts[f"supervision-{m:02d}"]
            if a.due_date >= today - dt.timedelta(days=40):
                continue  # the last month's supervision is still open, so it is overdue in the demo
            with _at(a.due_date - dt.timedelta(days=1 if m % 4 else -3)):  # every 4th month done a few days late
                services.activity_complete(actor=qm, activity=a, note=f"{m} 月体系运行监督记录已归档（质量管理部共享盘）。")
        keep_open = ctx.projects[2].pk if len(ctx.projects) > 2 else None
        for a in PlanActivity.objects.filter(plan=plan, type="project_qa").prefetch_related("projects"):
            if keep_open not in [p.pk for p in a.projects.all()]:
                with _at(a.due_date - dt.timedelta(days=2)):
                    services.activity_complete(actor=qm, activity=a, note="项目质量保证计划已与运维经理共同编制并确认。")
        past_checks = list(PlanActivity.objects.filter(plan=plan, type="project_check", due_date__lt=today).order_by("due_date"))
        for a in past_checks[:-1]:  # the latest past check is still open: overdue
            with _at(a.due_date):
                services.activity_complete(actor=qm, activity=a, note="已按检查单完成项目检查，记录存项目质量档案。")
        upcoming = PlanActivity.objects.filter(plan=plan, due_date__gte=today, type__in=["project_check", "management_review"]).order_by(
            "due_date"
        )
        for a in upcoming[:2]:
            services.activity_start(actor=qm, activity=a)
        services.activities_escalate_overdue(today=today)
    states = {s: PlanActivity.objects.filter(plan=plan, status=s).count() for s in ActivityStatus.values}
    ctx.extra["quality_plan"] = plan
    ctx.log(
        f"质量计划：{year} 年度质量管理计划已批准，活动 {sum(states.values())} 项（"
        + "，".join(f"{ActivityStatus(k).label} {v}" for k, v in states.items())
        + "）；项目质量保证计划 2 份"
    )
