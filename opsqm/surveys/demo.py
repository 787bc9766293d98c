"""Demo satisfaction data: a year of incident surveys, half-yearly project campaigns and an annual
customer campaign; two projects with too few responses for some levels; one unhappy customer with
a complaint (handled, not yet visited) and the finding it raised."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from opsqm.demo import DemoContext
from opsqm.notifications.services import emails_suppressed
from opsqm.surveys import services
from opsqm.surveys.models import IncidentRule, Invitation, Level, Question, SatisfactionRules

COMMENTS_GOOD = ["工程师响应很快，处理专业。", "驻场工程师责任心强，值得表扬。", "月报内容详实，希望增加趋势分析。", "总体满意，继续保持。"]
COMMENTS_BAD = ["故障处理拖了两天，期间没有任何通报。", "工程师上门不带备件，来回跑了三次。", "电话经常无人接听，希望改进值班安排。"]
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏"]


def _answers(ctx: DemoContext, template, mood: float) -> dict[str, str]:
    """Answer every question around `mood` (0–1); unhappy respondents also write why."""
    rng = ctx.rng
    data: dict[str, str] = {}
    low = False
    for q in template.questions.all():
        key = f"q{q.pk}"
        if q.kind == Question.Kind.RATING:
            frac = min(1.0, max(0.0, rng.gauss(mood, 0.12)))
            value = round(q.scale_min + frac * (q.scale_max - q.scale_min))
            low = low or (value - q.scale_min) / (q.scale_max - q.scale_min) < 0.6
            data[key] = str(value)
        elif q.kind == Question.Kind.SINGLE and q.choices:
            data[key] = q.choices[0] if mood > 0.6 else q.choices[-1]
        elif q.kind == Question.Kind.MULTIPLE and q.choices:
            data[key] = rng.choice(q.choices)
        elif q.kind == Question.Kind.TEXT:
            if low or rng.random() < 0.3:
                data[key] = rng.choice(COMMENTS_BAD if (low or mood < 0.6) else COMMENTS_GOOD)
    return data


def _submit(ctx: DemoContext, inv: Invitation, mood: float, at: dt.datetime) -> None:
    class Data(dict):
        def getlist(self, key):
            return [self[key]] if key in self else []

    services.response_submit(token=services.invitation_token(inv), data=Data(_answers(ctx, inv.template, mood)), now=at)


def load(ctx: DemoContext) -> None:
    from opsqm.tickets.models import Ticket

    services.template_install_defaults()
    year = ctx.today.year
    qm = ctx.users["qm"]
    for y in (year - 1, year):
        SatisfactionRules.objects.get_or_create(
            year=y,
            defaults={"bands": [[90, "非常满意"], [75, "满意"], [60, "一般"], [0, "不满意"]], "min_responses": 3 if y == year else 1},
        )
    IncidentRule.objects.get_or_create(
        project=None, defaults={"sampling_pct": 30, "delay_hours": 2, "validity_days": 7, "contact_days": 30}
    )
    projects = [p for p in ctx.projects if p.status != "planning"]
    unhappy = projects[-1].customer if projects else None
    moods = {p.pk: (0.35 if p.customer_id == getattr(unhappy, "pk", None) else 0.72 + 0.2 * ctx.rng.random()) for p in projects}
    tpl = {lv: services.default_template(lv) for lv in Level.values}
    n_resp = 0
    with emails_suppressed():
        # Incident level: a sample of each project's resolved tickets of the last year.
        for i, project in enumerate(projects):
            window = Ticket.objects.filter(
                project=project, resolved_at__gte=dt.datetime(year, 1, 1, tzinfo=dt.UTC), resolved_at__lte=ctx.now - dt.timedelta(days=1)
            )
            ids = list(window.order_by("resolved_at").values_list("pk", flat=True))
            wanted = 3 if i % 4 == 3 else 24  # every fourth project has too few incident responses
            step = max(1, len(ids) // wanted)
            tickets = list(Ticket.objects.filter(pk__in=ids[::step][:wanted]).order_by("resolved_at"))
            for t in tickets:
                at = t.resolved_at + dt.timedelta(hours=3)
                name = t.contact or ctx.rng.choice(NAMES)
                inv = services._new_invitation(
                    level=Level.INCIDENT,
                    project=project,
                    customer=project.customer,
                    template=tpl["incident"],
                    ticket=t,
                    now=at,
                    expires_at=at + dt.timedelta(days=7),
                    contact={"name": name, "phone": f"1390000{t.pk % 10000:04d}"},
                )
                inv.status, inv.sent_at = Invitation.Status.SENT, at
                inv.save()
                if ctx.rng.random() < 0.7:
                    _submit(ctx, inv, moods[project.pk], at + dt.timedelta(hours=ctx.rng.randint(1, 48)))
                    n_resp += 1
        # Project level: a campaign each half year.
        for i, project in enumerate(projects):
            for half, start in ((1, dt.date(year, 6, 10)), (2, dt.date(year, 11, 10))):
                sent = timezone.make_aware(dt.datetime.combine(min(start, ctx.today - dt.timedelta(days=3)), dt.time(9)))
                contacts = [
                    {"name": n, "email": f"c{project.pk}{k}@customer.example.cn"} for k, n in enumerate(NAMES[: (2 if i % 4 == 3 else 4)])
                ]
                c = services.campaign_create(
                    actor=qm,
                    level=Level.PROJECT,
                    customer=project.customer,
                    project=project,
                    template=tpl["project"],
                    title=f"{project.name} {year} 年{'上' if half == 1 else '下'}半年满意度调查",
                    period_label=f"{year} H{half}",
                    expires_at=sent + dt.timedelta(days=21),
                    contacts=contacts,
                    now=sent,
                )
                services.campaign_send(actor=qm, campaign=c, now=sent)
                for k, inv in enumerate(c.invitations.order_by("id")):
                    if k < len(contacts) - 1 or ctx.rng.random() < 0.4:
                        _submit(ctx, inv, moods[project.pk], sent + dt.timedelta(days=ctx.rng.randint(1, 10)))
                        n_resp += 1
        # Customer level: one annual campaign per customer.
        sent = timezone.make_aware(dt.datetime.combine(min(dt.date(year, 11, 1), ctx.today - dt.timedelta(days=5)), dt.time(9)))
        for customer in {p.customer for p in projects}:
            mood = 0.35 if customer == unhappy else 0.8
            c = services.campaign_create(
                actor=qm,
                level=Level.CUSTOMER,
                customer=customer,
                template=tpl["customer"],
                title=f"{customer.name} {year} 年度客户满意度调查",
                period_label=str(year),
                expires_at=sent + dt.timedelta(days=30),
                contacts=[
                    {"name": role, "email": f"{key}{customer.pk}@customer.example.cn"}
                    for key, role in (("cio", "信息中心主任"), ("ops", "运维对接人"), ("biz", "业务部门代表"), ("sec", "安全管理员"))
                ],
                now=sent,
            )
            services.campaign_send(actor=qm, campaign=c, now=sent)
            for k, inv in enumerate(c.invitations.order_by("id")[:3]):
                _submit(ctx, inv, mood, sent + dt.timedelta(days=2 + k))
                n_resp += 1
        # The unhappy customer complains; the complaint raises a finding; handled, the return visit is still due.
        if unhappy is not None:
            project = next(p for p in projects if p.customer_id == unhappy.pk)
            complaint = services.complaint_create(
                actor=project.quality_specialist or qm,
                data={
                    "received_at": ctx.now - dt.timedelta(days=12),
                    "channel": "letter",
                    "project": project,
                    "contact": "信息中心主任",
                    "content": "近两个月多次故障处理超时，期间未收到任何通报，严重影响业务。请贵司书面说明原因并整改。",
                    "severity": "major",
                    "handler": project.ops_manager,
                    "deadline_days": 5,
                },
            )
            services.finding_from_complaint(actor=project.quality_specialist or qm, complaint=complaint)
            services.complaint_update(
                actor=project.ops_manager,
                complaint=complaint,
                data={"handling": "已召开专题会，增加夜间二线值守并建立故障 30 分钟通报机制。"},
            )
            other = projects[0]
            c2 = services.complaint_create(
                actor=other.quality_specialist or qm,
                data={
                    "received_at": ctx.now - dt.timedelta(days=40),
                    "channel": "phone",
                    "project": other,
                    "contact": "值班长",
                    "content": "周末报修电话转接失败一次。",
                    "severity": "minor",
                    "handler": other.ops_manager,
                    "deadline_days": 3,
                },
            )
            c2 = services.complaint_update(actor=other.ops_manager, complaint=c2, data={"handling": "已修复呼叫转移配置并测试。"})
            c2 = services.complaint_visit(
                actor=other.quality_specialist or qm,
                complaint=c2,
                visit_date=ctx.today - dt.timedelta(days=30),
                visit_by="质量部",
                result="satisfied",
                accepted=True,
                note="客户认可。",
            )
            services.complaint_close(actor=other.quality_specialist or qm, complaint=c2, now=ctx.now - dt.timedelta(days=30))
    ctx.log(f"客户满意度：{n_resp} 份答卷，2 个客户投诉")
