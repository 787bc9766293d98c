"""Demo findings: every step of the improvement process, two major findings sent to 总经办,
overdue actions at each rung of the ladder, observations, and an improvement register with progress."""

from __future__ import annotations

import datetime as dt
from typing import Any

from opsqm import clock
from opsqm.demo import DemoContext
from opsqm.findings import services
from opsqm.findings.models import Finding
from opsqm.notifications.services import emails_suppressed

M, N, OBS = Finding.Severity.MAJOR, Finding.Severity.MINOR, Finding.Severity.OBSERVATION
SRC = Finding.Source

# (project index, severity, source, title, description, cause, target state, days ago raised, action due offset from today)
FINDINGS = [
    (
        0,
        M,
        SRC.AUDIT,
        "核心交换机变更未走变更审批",
        "10 月 12 日核心交换机固件升级未提交变更申请，也无回退方案。",
        "变更流程对紧急变更没有明确要求，值班工程师自行决定。",
        "implemented",
        20,
        -5,
    ),
    (
        2,
        M,
        SRC.COMPLAINT,
        "核心网络中断 4 小时客户投诉",
        "11 月 3 日核心网络中断 4 小时，客户书面投诉且未在 30 分钟内通报。",
        "",
        "open",
        3,
        None,
    ),
    (
        0,
        N,
        SRC.AUDIT,
        "备份作业失败未及时处理",
        "巡检记录显示数据库备份连续 3 天失败，未产生事件单。",
        "备份监控告警未接入值班平台。",
        "escalate",
        25,
        -2,
    ),
    (0, N, SRC.KPI, "事件响应及时率未达标", "10 月事件响应及时率 92.1%，目标 95%。", "夜班仅 1 人值守，高峰时段积压。", "escalate", 30, -4),
    (
        4,
        N,
        SRC.SATISFACTION,
        "用户满意度调查低分",
        "桌面运维满意度 3.6 分（满分 5 分），多名用户反映上门不及时。",
        "工程师外出路线未统筹。",
        "escalate",
        35,
        -9,
    ),
    (7, N, SRC.AUDIT, "应急预案演练记录缺失", "2026 年上半年应急演练无记录。", "演练计划未纳入项目年度计划。", "escalate", 45, -16),
    (1, N, SRC.AUDIT, "HIS 系统补丁未按计划实施", "9 月安全补丁推迟一个月未说明原因。", "厂商补丁兼容性测试排期冲突。", "closed", 60, -30),
    (
        5,
        N,
        SRC.COMPLAINT,
        "校园网报修电话无人接听",
        "11 月 2 日晚 21 点至 22 点报修电话无人接听。",
        "值班手机未转接。",
        "reopened",
        21,
        -10,
    ),
    (3, N, SRC.AUDIT, "政务云资源台账与实际不一致", "抽查 20 台虚拟机，3 台未登记。", "", "analyzed", 6, None),
    (8, N, SRC.KPI, "SCADA 巡检完成率偏低", "10 月巡检完成率 88%。", "新入职工程师未熟悉巡检路线。", "planned", 8, 10),
    (0, OBS, SRC.AUDIT, "知识库条目更新不及时", "部分知识库条目超过一年未复核。", "", "open", 4, None),
    (6, OBS, SRC.AUDIT, "值班交接记录格式不统一", "不同班组使用不同交接模板。", "", "closed_obs", 40, None),
    (9, N, SRC.MANUAL, "MES 服务器机房温度告警频繁", "近两周机房温度告警 15 次。", "空调冷量不足。", "closed", 50, -20),
    (None, N, SRC.AUDIT, "质量手册版本未受控", "部门共享盘存在两个版本的质量手册。", "文件发布流程未要求回收旧版。", "planned", 10, 5),
    (2, OBS, SRC.KPI, "变更成功率接近阈值", "近三个月变更成功率 96.5%，阈值 95%。", "", "open", 2, None),
]

ACTIONS = {
    "核心交换机变更未走变更审批": "修订变更管理规程，增加紧急变更事后 24 小时内补审批要求，并对值班工程师培训",
    "备份作业失败未及时处理": "把备份失败告警接入值班平台并自动生成事件单",
    "事件响应及时率未达标": "高峰时段（8:00–10:00）增加 1 名二线值守工程师",
    "用户满意度调查低分": "按片区统筹上门路线，每日晨会派单",
    "应急预案演练记录缺失": "补做 2026 年下半年应急演练并归档记录",
    "HIS 系统补丁未按计划实施": "与厂商约定补丁兼容性测试时限并纳入月度计划",
    "校园网报修电话无人接听": "值班手机设置无条件转接至二线电话",
    "SCADA 巡检完成率偏低": "为新员工编制巡检路线图并安排老员工带教两周",
    "MES 服务器机房温度告警频繁": "增加一台精密空调并调整冷通道封闭",
    "质量手册版本未受控": "共享盘旧版文件回收，发布流程增加回收步骤",
}

# (title, target, project index, progress, due in days, source finding title or None)
IMPROVEMENTS = [
    ("建立紧急变更快速审批通道", "紧急变更 100% 事后 24 小时内补审批", 0, 60, 30, "核心交换机变更未走变更审批"),
    ("夜班值守人员配置优化", "事件响应及时率 ≥ 95%", 0, 35, 45, "事件响应及时率未达标"),
    ("桌面运维上门路线统筹", "满意度 ≥ 4.2 分", 4, 10, 60, "用户满意度调查低分"),
    ("应急演练纳入年度计划", "每半年至少 1 次演练并留存记录", 7, 100, -5, "应急预案演练记录缺失"),
    ("知识库季度复核机制", "知识库条目复核率 100%", None, 0, 90, None),
]


def _at(ctx: DemoContext, days_ago: int, hour: int = 10) -> dt.datetime:
    return (ctx.now - dt.timedelta(days=days_ago)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _build(ctx: DemoContext, row: tuple) -> Finding:
    idx, severity, source, title, desc, cause, state, days_ago, due_offset = row
    project = ctx.projects[idx] if idx is not None else None
    qm = ctx.users["qm"]
    raiser = (project.quality_specialist or qm) if project is not None else qm
    ops = project.ops_manager if project is not None else ctx.users["spec_a"]
    verifier = qm if raiser.pk == ops.pk else raiser
    f = services.finding_create(
        actor=raiser, title=title, description=desc, severity=severity, source=source, project=project, owner=ops, now=_at(ctx, days_ago)
    )
    if state in ("open",):
        return f
    if state == "closed_obs":
        return services.finding_close(actor=verifier, finding=f, note="已统一使用质量部发布的交接模板。", now=_at(ctx, days_ago - 5))
    f = services.finding_analyze(actor=ops, finding=f, cause=cause or "待补充", now=_at(ctx, days_ago - 1))
    if state == "analyzed":
        return f
    due = ctx.today + dt.timedelta(days=due_offset)
    a = services.action_create(
        actor=ops,
        finding=f,
        description=ACTIONS.get(title, f"针对“{title}”制定整改措施并落实到责任人"),
        owner=ops,
        due_date=due,
        now=_at(ctx, days_ago - 2),
    )
    if state in ("planned", "escalate"):
        return f
    a = services.action_implement(
        actor=ops, action=a, note="已按措施完成整改并留存记录。", evidence_ref=f"QR-{f.code}", now=_at(ctx, max(days_ago - 6, 1))
    )
    if state == "implemented":
        return f
    if state == "reopened":
        services.action_verify(
            actor=verifier,
            action=a,
            effective=False,
            note="抽查仍有一次无人接听，措施未覆盖节假日。",
            now=_at(ctx, max(days_ago - 8, 1), 15),
        )
        return f
    services.action_verify(actor=verifier, action=a, effective=True, note="现场核查整改有效。", now=_at(ctx, max(days_ago - 10, 1), 15))
    return f


def load(ctx: DemoContext) -> None:
    with emails_suppressed():
        findings = [_build(ctx, row) for row in FINDINGS]
        services.actions_escalate_overdue(today=ctx.today)
        by_title = {f.title: f for f in findings}
        for title, target, idx, progress, due_in, source_title in IMPROVEMENTS:
            project = ctx.projects[idx] if idx is not None else None
            source = by_title.get(source_title) if source_title else None
            owner: Any = project.ops_manager if project is not None else ctx.users["spec_a"]
            with clock.frozen_at(_at(ctx, 60)):  # registered two months ago (a due date before that day would be refused)
                item = services.improvement_create(
                    actor=ctx.users["qm"],
                    title=title,
                    target=target,
                    owner=owner,
                    project=project,
                    finding=source,
                    measure="按季度跟踪，责任人每两周填报进展。",
                    due_date=ctx.today + dt.timedelta(days=due_in),
                )
            steps = [p for p in (20, 40, 60, 80, 100) if p <= progress]
            for n, p in enumerate(steps):
                services.improvement_add_progress(
                    actor=owner,
                    item=item,
                    date=ctx.today - dt.timedelta(days=7 * (len(steps) - n)),
                    progress=p,
                    note=f"完成阶段工作，进度 {p}%。",
                )
    ctx.extra["findings"] = findings
    ctx.log(f"问题与改进：{len(findings)} 个问题，{len(IMPROVEMENTS)} 个服务改进项")
