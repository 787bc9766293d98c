"""Demo audits: this year's approved program, a closed mid-year internal audit with findings worked
through to closure, the year-end internal audit on site, and two project-level checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from opsqm import clock
from opsqm.audits import services
from opsqm.audits.models import AuditItemResult, AuditProgram, ItemResult


def _version(ref_id: str):
    from opsqm.checklists.loading import library_dir
    from opsqm.checklists.models import ChecklistTemplate
    from opsqm.checklists.services import library_load

    template = ChecklistTemplate.objects.filter(ref_id=ref_id).select_related("current_version").first()
    if template is None:
        library_load(directory=library_dir())
        template = ChecklistTemplate.objects.select_related("current_version").get(ref_id=ref_id)
    return template.current_version


def _meeting(ctx, attendees: list[Any], minutes: str, day: dt.date) -> dict[str, Any]:
    from django.utils import timezone

    held = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))  # 9:00 local time
    return dict(held_at=held, location="公司三楼第一会议室", attendees=attendees, external_attendees="", minutes=minutes)


def _assess(audit, actor, ctx, *, fraction: float = 1.0, planted: dict[str, tuple[str, str]] | None = None) -> None:
    """Assess items in tree order: planted (ref_id → result, notes) first, the rest mostly conform."""
    planted = planted or {}
    items = list(AuditItemResult.objects.filter(audit=audit, assessable=True).order_by("audit_checklist_id", "position"))
    limit = int(len(items) * fraction)
    for n, item in enumerate(items):
        key = f"{item.element}:{item.ref_id}"
        if key in planted:
            result, notes = planted[key]
        elif n >= limit:
            continue
        else:
            result = ItemResult.NOT_APPLICABLE if ctx.rng.random() < 0.06 else ItemResult.CONFORM
            notes = "抽查记录齐全，符合要求。" if result == ItemResult.CONFORM else "本项目不涉及。"
        services.audit_item_assess(actor=actor, item=item, result=result, notes=notes, expected_version=item.version)


def _at(year: int, month: int, day: int, hour: int = 10):
    """Replay a past step at its real date, so timelines read as they happened."""
    return clock.frozen_at(dt.datetime(year, month, day, hour, 0))


def _work_findings(ctx, audit, year: int) -> None:
    """The audited O&M manager answers, implements; the auditor verifies; observations are closed."""
    from opsqm.audits.selectors import findings_of_audit
    from opsqm.findings import services as fs
    from opsqm.findings.models import Finding

    for f in findings_of_audit(audit):
        if f.severity == Finding.Severity.OBSERVATION:
            with _at(year, 6, 16):
                fs.finding_close(actor=ctx.users["qm"], finding=f, note="观察项已在末次会议沟通，项目组已纳入日常改进。")
            continue
        owner = f.owner
        with _at(year, 6, 15):
            f = fs.finding_analyze(actor=owner, finding=f, cause="制度执行检查不到位，相关人员对要求理解不一致。")
            action = fs.action_create(
                actor=owner, finding=f, description="补齐记录并组织全员培训，质量专员每月抽查。", owner=owner, due_date=dt.date(year, 6, 26)
            )
        with _at(year, 6, 24):
            action = fs.action_implement(actor=owner, action=action, note="记录已补齐，培训已完成并签到。", evidence_ref="培训签到表")
        with _at(year, 6, 29):
            fs.action_verify(actor=ctx.users["auditor"], action=action, effective=True, note="抽查 3 份记录，整改有效。")


def load(ctx) -> None:
    from opsqm.notifications.services import emails_suppressed

    year = ctx.today.year
    users, projects = ctx.users, ctx.projects
    qm, gm, auditor, auditor2 = users["qm"], users["gm"], users["auditor"], users["auditor2"]
    with emails_suppressed(), _at(year, 1, 10):
        program = services.program_create(
            actor=qm,
            year=year,
            title=f"{year} 年度内部审核方案",
            objectives="依据 GB/T 28827.1 和公司运维服务管理手册，年中、年末各开展一次内部审核，"
            "覆盖人员、过程要素及重点项目；审核员不审核本人所在项目和部门。",
        )
        program = services.program_submit(actor=qm, program=program)
    with emails_suppressed(), _at(year, 1, 15):
        program = services.program_approve(actor=gm, program=program, note="同意按方案执行。")
    with emails_suppressed():
        ppl, prc = _version("PPL"), _version("PRC")
        criteria = "GB/T 28827.1《信息技术服务 运行维护 第1部分：通用要求》；公司运维服务管理手册"

        prj_c = projects[2]
        with _at(year, 5, 28):
            mid = services.audit_plan(
                actor=qm,
                data=dict(
                    title=f"{year} 年年中内部审核",
                    kind="internal",
                    mode="routine",
                    program=program,
                    criteria=criteria,
                    objectives="验证运维服务管理体系的符合性和有效性。",
                    planned_start=dt.date(year, 6, 10),
                    planned_end=dt.date(year, 6, 12),
                ),
                projects=[prj_c],
                checklists=[(ppl, None), (prc, None)],
                lead=auditor,
                members=[auditor2],
            )
        people = [auditor, auditor2, prj_c.ops_manager, qm]
        with _at(year, 6, 10, 9):
            mid = services.audit_record_opening(
                actor=auditor, audit=mid, **_meeting(ctx, people, "说明审核目的、范围、日程和审核组分工。", dt.date(year, 6, 10))
            )
            mid = services.audit_start_onsite(actor=auditor, audit=mid)
        with _at(year, 6, 11):
            _assess(
                mid,
                auditor,
                ctx,
                planted={
                    "people:2.2": (ItemResult.MINOR_NC, "抽查 5 名工程师，2 名无年度培训记录。"),
                    "process:3.1": (ItemResult.OBSERVATION, "变更回退方案模板过于简单，建议细化。"),
                },
            )
        with _at(year, 6, 12, 9):
            mid = services.audit_conclude(
                actor=auditor,
                audit=mid,
                conclusion="体系运行基本有效，人员培训记录需完善。",
                rating="basically",
                today=dt.date(year, 6, 12),
            )
        with _at(year, 6, 12, 11):
            mid = services.audit_record_closing(
                actor=auditor, audit=mid, **_meeting(ctx, people, "通报审核发现，受审核方确认不符合项。", dt.date(year, 6, 12))
            )
        with _at(year, 6, 13):
            mid = services.audit_issue_report(actor=auditor, audit=mid)
            mid = services.audit_start_followup(actor=auditor, audit=mid)
        _work_findings(ctx, mid, year)
        with _at(year, 6, 30):
            mid = services.audit_close(actor=auditor, audit=mid)

        prj_d = projects[3]
        end = services.audit_plan(
            actor=qm,
            data=dict(
                title=f"{year} 年年末内部审核",
                kind="internal",
                mode="routine",
                program=program,
                criteria=criteria,
                planned_start=ctx.today - dt.timedelta(days=1),
                planned_end=ctx.today + dt.timedelta(days=2),
            ),
            projects=[prj_d],
            checklists=[(ppl, None), (prc, None)],
            lead=auditor2,
            members=[auditor],
        )
        people = [auditor, auditor2, prj_d.ops_manager]
        end = services.audit_record_opening(
            actor=auditor2, audit=end, **_meeting(ctx, people, "确认审核日程。", ctx.today - dt.timedelta(days=1))
        )
        end = services.audit_start_onsite(actor=auditor2, audit=end)
        _assess(end, auditor2, ctx, fraction=0.5, planted={"people:1.1": (ItemResult.MAJOR_NC, "关键岗位无备份人员，值班表只有一人。")})

        phase = _version("PRJ-MON")
        check = services.audit_plan(
            actor=qm,
            data=dict(
                title="项目监控阶段专项检查",
                kind="project_check",
                mode="special",
                criteria="项目运维服务计划；SLA 协议",
                planned_start=ctx.today - dt.timedelta(days=3),
                planned_end=ctx.today - dt.timedelta(days=2),
            ),
            projects=[projects[0], projects[4]],
            checklists=[(phase, projects[0]), (phase, projects[4])],
            lead=auditor2,
        )
        check = services.audit_record_opening(
            actor=auditor2,
            audit=check,
            **_meeting(ctx, [auditor2, projects[0].ops_manager], "说明检查范围。", ctx.today - dt.timedelta(days=3)),
        )
        check = services.audit_start_onsite(actor=auditor2, audit=check)
        _assess(check, auditor2, ctx, fraction=0.8)
        services.audit_plan(
            actor=qm,
            data=dict(
                title="季度常规项目检查",
                kind="project_check",
                mode="routine",
                criteria="项目运维服务计划",
                planned_start=ctx.today + dt.timedelta(days=10),
                planned_end=ctx.today + dt.timedelta(days=11),
            ),
            projects=[projects[5]],
            checklists=[(_version("PRJ-DLV"), projects[5])],
            lead=auditor,
        )
    ctx.extra["audit_program"] = program
    ctx.log(f"内审：{year} 年度内审方案已批准；{AuditProgram.objects.count()} 个方案，4 个审核/检查")
