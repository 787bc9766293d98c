"""Demo data: SLA agreements for the active projects and ~20,000 tickets over the
last 12 months, generated with numpy and stored through the import fast path."""

from __future__ import annotations

import datetime as dt

import numpy as np

from opsqm.core.ticket_io import TicketBatch
from opsqm.tickets.calendars import build_calendar
from opsqm.tickets.models import Calendar, CalendarException, ExceptionKind, ImportStatus, TicketImport, TicketSource
from opsqm.tickets.services import (
    CalendarData,
    PriorityData,
    calendar_create,
    import_batch,
    sla_agreement_save,
)

H = 3600
ALWAYS_ON = {"PRJ-A", "PRJ-C", "PRJ-G"}
TARGETS_5X8 = [
    PriorityData("P1", "紧急", 30 * 60, 4 * H),
    PriorityData("P2", "高", 2 * H, 8 * H),
    PriorityData("P3", "中", 4 * H, 24 * H),
    PriorityData("P4", "低", 8 * H, 40 * H),
]
TARGETS_7X24 = [
    PriorityData("P1", "紧急", 15 * 60, 2 * H),
    PriorityData("P2", "高", 30 * 60, 6 * H),
    PriorityData("P3", "中", 2 * H, 24 * H),
    PriorityData("P4", "低", 4 * H, 72 * H),
]
TYPES = np.array(["事件", "服务请求", "问题", "变更"], dtype=object)
TYPE_P = [0.55, 0.3, 0.1, 0.05]
CONTACTS = np.array(["王工", "李主任", "陈经理", "赵老师", "刘科长", "孙工", "周主管", "吴工"], dtype=object)
TITLES = np.array(
    [
        "服务器告警：CPU 使用率过高",
        "交换机端口故障",
        "用户无法登录业务系统",
        "打印机无法连接",
        "数据库备份失败",
        "存储容量不足告警",
        "VPN 连接中断",
        "邮件发送延迟",
        "新员工开通账号",
        "应用服务响应缓慢",
        "机房空调温度异常",
        "防火墙策略变更申请",
    ],
    dtype=object,
)


def _hospital_calendar(actor) -> Calendar:
    weekly = dict.fromkeys(range(6), ((8 * H, 12 * H), (14 * H, 17 * H + 1800)))
    cal = calendar_create(
        actor=actor,
        data=CalendarData(
            code="hospital-6d",
            name="医院门诊 6 天工作制",
            kind="weekly",
            time_zone="Asia/Shanghai",
            weekly_slots=weekly,
            use_china_holidays=True,
            description="周一至周六 08:00-12:00、14:00-17:30，适用国家法定节假日",
        ),
    )
    today = dt.date.today()
    CalendarException.objects.create(calendar=cal, date=dt.date(today.year, 11, 8), kind=ExceptionKind.HOLIDAY, note="医院院庆日")
    return cal


def _batch(project, cal, targets, n, rng: np.random.Generator, now: np.datetime64, has_fcr: bool) -> TicketBatch:
    always = cal.always_on
    now_s = int(now.astype(np.int64))
    year_ago = now_s - 365 * 86400
    # Creation times: around the clock for 7×24 projects, office hours otherwise.
    days = rng.integers(0, 365, n)
    local_midnight = (year_ago // 86400 + days) * 86400 - 8 * H
    hours = rng.uniform(0, 24, n) if always else rng.uniform(8.5, 18.5, n)
    created = (local_midnight + (hours * H).astype(np.int64)).clip(max=now_s - 600)
    created_at = created.astype("datetime64[s]")
    priority = rng.choice(np.array(["P1", "P2", "P3", "P4"], dtype=object), n, p=[0.06, 0.2, 0.44, 0.3])
    resp_t = np.array([{p.code: p.response_seconds for p in targets}[c] for c in priority], dtype=np.int64)
    resol_t = np.array([{p.code: p.resolution_seconds for p in targets}[c] for c in priority], dtype=np.int64)
    # Fractions of the target used: mostly well inside, a tail beyond it (breaches).
    resp_frac = rng.lognormal(-1.3, 0.6, n)
    resol_frac = rng.lognormal(-0.9, 0.5, n)
    first = cal.deadline(created_at, (resp_t * resp_frac).astype(np.int64))
    resolved = cal.deadline(created_at, np.maximum((resol_t * resol_frac).astype(np.int64), 1))
    resolved = np.maximum(resolved, first)
    # Pauses on ~5 % of tickets: waiting for the customer, added to the resolution time.
    paused = rng.random(n) < 0.05
    pause_len = (rng.uniform(1, 6, n) * H).astype(np.int64)
    pause_start = first + ((resolved - first).astype(np.int64) * 0.4).astype("timedelta64[s]")
    pause_end = pause_start + pause_len.astype("timedelta64[s]")
    resolved = np.where(paused, resolved + pause_len.astype("timedelta64[s]"), resolved)
    no_first = rng.random(n) < 0.08  # some tools only record the resolution
    first = np.where(no_first, np.datetime64("NaT"), first)
    future_first = first > now
    first[future_first] = np.datetime64("NaT")
    # Open tickets: those not resolved yet, and a share of the last 10 days' still being worked on.
    open_ticket = (resolved > now) | ((created > now_s - 10 * 86400) & (rng.random(n) < 0.4))
    resolved[open_ticket] = np.datetime64("NaT")
    # A third of the open tickets wait for the customer: paused a while after creation, half still paused.
    open_start = created_at + (rng.uniform(0.2, 4, n) * H).astype("timedelta64[s]")
    open_paused = open_ticket & (rng.random(n) < 0.33) & (open_start < now)
    open_end = np.where(rng.random(n) < 0.5, np.datetime64("NaT"), open_start + pause_len.astype("timedelta64[s]"))
    open_end[open_end > now] = np.datetime64("NaT")
    pause_start = np.where(open_paused, open_start, pause_start)
    pause_end = np.where(open_paused, open_end, pause_end)
    paused = (paused & ~open_ticket) | open_paused
    closed = resolved + (rng.uniform(1, 72, n) * H).astype("timedelta64[s]")
    closed[closed > now] = np.datetime64("NaT")
    status = np.where(open_ticket, "处理中", np.where(np.isnat(closed), "已解决", "已关闭")).astype(object)
    reopen = rng.choice(np.array([0, 1, 2], dtype=np.int32), n, p=[0.965, 0.03, 0.005])
    reopen[open_ticket] = 0
    fcr = np.full(n, -1, dtype=np.int8)
    if has_fcr:
        fcr[~open_ticket] = (rng.random(int((~open_ticket).sum())) < 0.72).astype(np.int8)
    order = np.argsort(created, kind="stable")
    idx = np.flatnonzero(paused[order])
    pick = lambda a: a[order]  # noqa: E731
    numbers = np.array([f"{project.code.replace('PRJ-', '')}-{i + 1:06d}" for i in range(n)], dtype=object)
    return TicketBatch(
        ticket_no=numbers,
        priority=pick(priority),
        type=pick(rng.choice(TYPES, n, p=TYPE_P)),
        status=pick(status),
        title=pick(rng.choice(TITLES, n)),
        contact=pick(rng.choice(CONTACTS, n)),
        contact_phone=np.full(n, "", dtype=object),
        contact_email=np.full(n, "", dtype=object),
        created=pick(created_at),
        first_response=pick(first),
        resolved=pick(resolved),
        closed=pick(closed),
        reopen_count=pick(reopen),
        fcr=pick(fcr),
        has_fcr_column=has_fcr,
        pause_ticket=idx.astype(np.int64),
        pause_start=pick(pause_start)[idx],
        pause_end=pick(pause_end)[idx],
        source_row=np.arange(2, n + 2, dtype=np.int64),
        present=frozenset(
            {
                "ticket_no",
                "priority",
                "created_at",
                "first_response_at",
                "resolved_at",
                "pauses",
                "type",
                "status",
                "closed_at",
                "reopen_count",
                "first_contact_resolution",
                "title",
                "contact",
            }
        ),
    )


def load(ctx) -> None:
    from opsqm.org.models import ProjectStatus

    qm = ctx.users["qm"]
    rng = np.random.default_rng(ctx.rng.randrange(1 << 30))
    cn, always = Calendar.objects.get(code="cn-5x8"), Calendar.objects.get(code="7x24")
    hospital = _hospital_calendar(qm)
    now = np.datetime64(int(ctx.now.timestamp()), "s")
    total = 0
    active = [p for p in ctx.projects if p.status == ProjectStatus.ACTIVE]
    weights = np.array([float(p.contract_value) for p in active])
    sizes = np.maximum((weights / weights.sum() * 20_000).astype(int), 600)
    for i, (project, n) in enumerate(zip(active, sizes)):
        is_always = project.code in ALWAYS_ON
        cal_row = always if is_always else hospital if project.code == "PRJ-B" else cn
        targets = TARGETS_7X24 if is_always else TARGETS_5X8
        sla_agreement_save(
            actor=qm, project=project, calendar=cal_row, priorities=targets, pause_statuses=["挂起", "等待客户"], expected_version=None
        )
        batch = _batch(project, build_calendar(cal_row), targets, int(n), rng, now, has_fcr=i % 2 == 0)
        outcome = import_batch(project=project, batch=batch, source=TicketSource.IMPORT, actor=qm, summary="演示数据：工单", cutoff=ctx.now)
        TicketImport.objects.create(
            project=project,
            file_name=f"{project.code}-itsm-export.csv",
            file_sha256="",
            preset="canonical",
            status=ImportStatus.SUCCEEDED,
            total_rows=outcome.total,
            created_count=outcome.created,
            message=f"新增 {outcome.created}，更新 0，未变化 0。",
            uploaded_by=project.quality_specialist,
            finished_at=ctx.now,
        )
        total += outcome.created
    ctx.log(f"工单：{len(active)} 个项目的 SLA 协议，{total} 张工单（近 12 个月）")
