"""Writes of the plans area: generate, edit (with recorded revisions once approved), approve,
fulfil activities by linking records, remind, escalate, calendar feeds, project QA plans."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm import clock
from opsqm.accounts.roles import Role
from opsqm.notifications.services import notify
from opsqm.plans import cadence, linking
from opsqm.plans.models import (
    ActivityEscalation,
    ActivityStatus,
    ActivityType,
    CalendarFeed,
    MeasurePeriod,
    Phase,
    PlanActivity,
    PlanDecision,
    PlannedCheck,
    PlannedReview,
    PlanRevision,
    PlanStatus,
    ProjectQAPlan,
    QualityObjective,
    QualityPlan,
)
from opsqm.records.dates import business_today, check_due_date
from opsqm.records.locking import bump_version, lock_for_edit

ACTIVITY_FIELDS = ("type", "title", "content", "scope_org", "department", "owner", "due_date", "output")
OBJECTIVE_FIELDS = ("indicator", "formula", "kpi", "target", "unit", "higher_is_better", "period", "manual_actual", "order")
DEFAULT_REMIND_WORKING_DAYS = 3


# ---------------------------------------------------------------- who may


def can_plan(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.QUALITY_MANAGER)


def can_approve(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.GM_OFFICE)


def business_calendar():
    """China working days, including the holiday years imported after the built-in table."""
    from opsqm.core.calendars import BusinessCalendar
    from opsqm.tickets.calendars import imported_years

    return BusinessCalendar.china(extra_years=imported_years())


def remind_working_days() -> int:
    return int(getattr(settings, "OPSQM_PLAN_REMIND_WORKING_DAYS", DEFAULT_REMIND_WORKING_DAYS))


def _first_user(role: str, fallback: Any) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(role=role, is_active=True).order_by("pk").first() or fallback


def _lock(plan: QualityPlan, expected_version: int | None = None) -> QualityPlan:
    return lock_for_edit(plan, expected_version, _("该计划已被他人修改，请刷新页面后重新操作。"))


def _bump(plan: QualityPlan) -> None:
    QualityPlan.objects.filter(pk=plan.pk).update(version=plan.version + 1)
    bump_version(plan)


def _change_allowed(plan: QualityPlan, actor: Any, reason: str, change: str) -> None:
    """Edits of a draft/returned plan are free; of an approved one, a recorded revision; never while 待审批."""
    if not can_plan(actor):
        raise PermissionDenied(_("只有质量经理可以修改年度质量管理计划。"))
    if plan.status == PlanStatus.SUBMITTED:
        raise ValidationError(_("计划正在等待总经办审批，审批完成前不能修改。"))
    if plan.status == PlanStatus.APPROVED:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": _("计划已批准，修改必须填写修订原因。")})
        locked = _lock(plan)
        number = locked.revision + 1
        PlanRevision.objects.create(plan=locked, number=number, by=actor, at=clock.now(), reason=reason, change=change[:2000])
        QualityPlan.objects.filter(pk=plan.pk).update(revision=number)
        plan.revision = number


# ---------------------------------------------------------------- generation


def default_objectives() -> list[dict[str, Any]]:
    """itss_domain §1.4 (source C) plus the ticket KPIs the catalogue computes."""
    return [
        dict(
            indicator="客户满意度",
            formula="各项目满意度（事件级、项目级、客户级调查按权重折算，0–100 分）的公司加权平均",
            kpi="customer_satisfaction",
            target=Decimal("85"),
            unit="分",
            period=MeasurePeriod.YEAR,
        ),
        dict(
            indicator="客户投诉次数",
            formula="年度有效客户投诉数",
            kpi="",
            target=Decimal("2"),
            unit="次",
            higher_is_better=False,
            period=MeasurePeriod.YEAR,
        ),
        dict(
            indicator="SLA 达成率",
            formula="响应与解决均达标的工单数 ÷ 已判定工单数",
            kpi="sla_attainment",
            target=Decimal("0.90"),
            unit="%",
            period=MeasurePeriod.QUARTER,
        ),
        dict(
            indicator="响应及时率",
            formula="响应达标工单数 ÷ 已判定响应的工单数",
            kpi="response_timeliness",
            target=Decimal("0.95"),
            unit="%",
            period=MeasurePeriod.QUARTER,
        ),
        dict(
            indicator="运维合同续签率",
            formula="实际续签数 ÷ 应续签数 × 100%",
            kpi="",
            target=Decimal("0.80"),
            unit="%",
            period=MeasurePeriod.HALF,
        ),
    ]


def running_projects(year: int) -> list[Any]:
    from opsqm.org.models import Project, ProjectStatus

    return list(
        Project.objects.filter(status__in=[ProjectStatus.ACTIVE, ProjectStatus.PLANNING])
        .filter(Q(contract_end__isnull=True) | Q(contract_end__gte=dt.date(year, 1, 1)))
        .filter(Q(contract_start__isnull=True) | Q(contract_start__lte=dt.date(year, 12, 31)))
        .select_related("quality_specialist")
        .order_by("code")
    )


@transaction.atomic
def plan_generate(*, actor: Any, year: int) -> QualityPlan:
    """A draft plan for `year` from the seed's cadence. Refuses when the year already has a plan."""
    if not can_plan(actor):
        raise PermissionDenied(_("只有质量经理可以编制年度质量管理计划。"))
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度必须在 2000 到 2100 之间。")})
    if QualityPlan.objects.filter(year=year).exists():
        raise ValidationError({"year": _("%(y)d 年度的质量管理计划已存在，请直接编辑它。") % {"y": year}})
    plan = QualityPlan.objects.create(
        year=year,
        title=_("%(y)d 年度运维服务质量管理计划") % {"y": year},
        drafted_by=actor,
        notes=_("依据公司运维服务质量管理体系及上年度质量目标完成情况编制。"),
    )
    for n, data in enumerate(default_objectives(), start=1):
        QualityObjective.objects.create(plan=plan, order=n, **data)
    projects = running_projects(year)
    by_id = {p.pk: p for p in projects}
    owners = {Role.QUALITY_MANAGER: actor, Role.MGMT_REP: _first_user(Role.MGMT_REP, actor)}
    for item in cadence.yearly_cadence(year, business_calendar(), [(p.pk, p.code, p.name) for p in projects]):
        activity = PlanActivity.objects.create(
            plan=plan,
            type=item.type,
            title=item.title,
            content=item.content,
            due_date=item.due,
            output=item.output,
            owner=owners.get(item.owner_role, actor),
            cadence_key=item.key,
            scope_org=item.project_id is None,
        )
        if item.project_id:
            activity.projects.set([by_id[item.project_id]])
    return plan


# ---------------------------------------------------------------- plan edits and approval


@transaction.atomic
def plan_update(*, actor: Any, plan: QualityPlan, title: str, notes: str, expected_version: int, reason: str = "") -> QualityPlan:
    locked = _lock(plan, expected_version)
    _change_allowed(locked, actor, reason, _("修改计划名称/编制说明"))
    locked.title, locked.notes = title, notes
    locked.full_clean()
    locked.save(update_fields=["title", "notes", "revision"])
    _bump(locked)
    return locked


def _decision(plan: QualityPlan, actor: Any, kind: str, note: str = "") -> None:
    PlanDecision.objects.create(plan=plan, kind=kind, by=actor, at=clock.now(), note=note)


def _plan_url(plan: QualityPlan) -> str:
    return reverse("plans:detail", args=[plan.pk])


@transaction.atomic
def plan_submit(*, actor: Any, plan: QualityPlan) -> QualityPlan:
    if not can_plan(actor):
        raise PermissionDenied(_("只有质量经理可以提交年度质量管理计划。"))
    locked = _lock(plan)
    if not locked.is_editable:
        raise ValidationError(_("只有草稿或退回修改的计划可以提交审批。"))
    if not locked.activities.exists():
        raise ValidationError(_("计划中还没有任何活动，不能提交。"))
    locked.status, locked.submitted_at = PlanStatus.SUBMITTED, clock.now()
    locked.save(update_fields=["status", "submitted_at"])
    _bump(locked)
    _decision(locked, actor, PlanDecision.Kind.SUBMITTED)
    notify(users=_active(Role.GM_OFFICE), title=_("待审批：%(t)s") % {"t": locked.title}, url=_plan_url(locked), kind="plan_submitted")
    return locked


def _active(role: str) -> list[Any]:
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(role=role, is_active=True))


@transaction.atomic
def plan_approve(*, actor: Any, plan: QualityPlan, note: str = "") -> QualityPlan:
    if not can_approve(actor):
        raise PermissionDenied(_("只有总经办可以审批年度质量管理计划。"))
    locked = _lock(plan)
    if locked.status != PlanStatus.SUBMITTED:
        raise ValidationError(_("只有待审批的计划可以批准。"))
    locked.status, locked.approved_by, locked.approved_at, locked.approval_note = PlanStatus.APPROVED, actor, clock.now(), note
    locked.save(update_fields=["status", "approved_by", "approved_at", "approval_note"])
    _bump(locked)
    _decision(locked, actor, PlanDecision.Kind.APPROVED, note)
    notify(
        users=[locked.drafted_by],
        title=_("计划已批准：%(t)s") % {"t": locked.title},
        body=note,
        url=_plan_url(locked),
        kind="plan_approved",
    )
    return locked


@transaction.atomic
def plan_return(*, actor: Any, plan: QualityPlan, note: str) -> QualityPlan:
    if not can_approve(actor):
        raise PermissionDenied(_("只有总经办可以审批年度质量管理计划。"))
    if not (note or "").strip():
        raise ValidationError({"note": _("退回时必须写明修改意见。")})
    locked = _lock(plan)
    if locked.status != PlanStatus.SUBMITTED:
        raise ValidationError(_("只有待审批的计划可以退回。"))
    locked.status, locked.approval_note = PlanStatus.RETURNED, note
    locked.save(update_fields=["status", "approval_note"])
    _bump(locked)
    _decision(locked, actor, PlanDecision.Kind.RETURNED, note)
    notify(
        users=[locked.drafted_by],
        title=_("计划被退回：%(t)s") % {"t": locked.title},
        body=note,
        url=_plan_url(locked),
        kind="plan_returned",
    )
    return locked


# ---------------------------------------------------------------- objectives


@transaction.atomic
def objective_save(
    *, actor: Any, plan: QualityPlan, data: dict[str, Any], objective: QualityObjective | None = None, reason: str = ""
) -> QualityObjective:
    what = (
        _("修改质量目标“%(n)s”") % {"n": objective.indicator} if objective else _("新增质量目标“%(n)s”") % {"n": data.get("indicator", "")}
    )
    _change_allowed(plan, actor, reason, what)
    obj = objective or QualityObjective(plan=plan)
    for k in OBJECTIVE_FIELDS:
        if k in data:
            setattr(obj, k, data[k] if data[k] is not None or k == "manual_actual" else getattr(obj, k))
    obj.kpi = obj.kpi or ""
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def objective_delete(*, actor: Any, objective: QualityObjective, reason: str = "") -> None:
    _change_allowed(objective.plan, actor, reason, _("删除质量目标“%(n)s”") % {"n": objective.indicator})
    objective.delete()


# ---------------------------------------------------------------- activities


def _describe(activity: PlanActivity) -> str:
    return f"{activity.title}（{activity.get_type_display()}，{activity.due_date:%Y-%m-%d}，{activity.owner.display_name}）"


@transaction.atomic
def activity_save(
    *,
    actor: Any,
    plan: QualityPlan,
    data: dict[str, Any],
    projects: list[Any] | None = None,
    activity: PlanActivity | None = None,
    reason: str = "",
    expected_version: int | None = None,
    _revision: bool = True,
) -> PlanActivity:
    if activity is not None:
        locked = lock_for_edit(activity, expected_version, _("该活动已被他人修改，请刷新页面后重新编辑。"))
        before = _describe(locked)
        activity = locked
    obj = activity or PlanActivity(plan=plan)
    if _revision and "due_date" in data and (activity is None or data["due_date"] != activity.due_date):
        # a date a person sets; the checks generated from a project's QA plan follow the project's own calendar
        check_due_date(data["due_date"], today=business_today(), what=_("计划完成日期"))
    for k in ACTIVITY_FIELDS:
        if k in data:
            setattr(obj, k, data[k])
    if projects:
        obj.scope_org = False
    obj.full_clean()
    change = (
        (_("修改活动：%(a)s → %(b)s") % {"a": before, "b": _describe(obj)}) if activity else _("新增活动：%(a)s") % {"a": _describe(obj)}
    )
    if _revision:
        _change_allowed(plan, actor, reason, change)
    elif plan.status == PlanStatus.SUBMITTED:  # the caller records one revision for a batch
        raise ValidationError(_("计划正在等待总经办审批，审批完成前不能修改。"))
    if activity is not None:
        bump_version(obj)
    obj.save()
    if projects is not None:
        obj.projects.set(projects)
    return obj


@transaction.atomic
def activity_delete(*, actor: Any, activity: PlanActivity, reason: str = "") -> None:
    _change_allowed(activity.plan, actor, reason, _("删除活动：%(a)s") % {"a": _describe(activity)})
    if activity.status == ActivityStatus.DONE:
        raise ValidationError(_("已完成的活动不能删除。"))
    activity.delete()


def can_work_on(user: Any, activity: PlanActivity) -> bool:
    return can_plan(user) or (user.is_authenticated and activity.owner_id == user.pk)


@transaction.atomic
def activity_start(*, actor: Any, activity: PlanActivity) -> PlanActivity:
    if not can_work_on(actor, activity):
        raise PermissionDenied(_("只有活动负责人或质量经理可以更新活动状态。"))
    locked = lock_for_edit(activity, None)
    if locked.status == ActivityStatus.DONE:
        raise ValidationError(_("活动已完成。"))
    locked.status = ActivityStatus.IN_PROGRESS
    bump_version(locked)
    locked.save(update_fields=["status", "version"])
    return locked


@transaction.atomic
def activity_link(*, actor: Any, activity: PlanActivity, record: Any) -> PlanActivity:
    """Link the record that fulfils the activity; the activity is then done."""
    if not can_work_on(actor, activity):
        raise PermissionDenied(_("只有活动负责人或质量经理可以关联完成记录。"))
    kind = linking.kind_of_model(type(record))
    if kind is None:
        raise ValidationError(_("该类记录不能用于完成计划活动。"))
    if not kind.candidates(actor).filter(pk=record.pk).exists():
        raise ValidationError(_("所选记录不存在或您无权查看。"))
    locked = lock_for_edit(activity, None, select_related=("plan",))
    if locked.plan.status != PlanStatus.APPROVED:
        raise ValidationError(_("计划批准后才能登记活动完成情况。"))
    locked.linked_type = ContentType.objects.get_for_model(type(record))
    locked.linked_id = record.pk
    locked.linked_label = f"{kind.label}：{kind.text(record)}"[:250]
    locked.status, locked.done_at, locked.done_by = ActivityStatus.DONE, clock.now(), actor
    bump_version(locked)
    locked.save()
    check = PlannedCheck.objects.filter(activity=locked).first()
    if check is not None and type(record)._meta.label == "audits.Audit":
        check.audit = record
        check.save(update_fields=["audit"])
    return locked


@transaction.atomic
def activity_complete(*, actor: Any, activity: PlanActivity, note: str) -> PlanActivity:
    """Done without a record in opsqm (e.g. a supervision meeting kept on paper): the note says where the output is."""
    if not can_work_on(actor, activity):
        raise PermissionDenied(_("只有活动负责人或质量经理可以登记完成。"))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请说明完成情况及输出物的存放位置。")})
    locked = lock_for_edit(activity, None, select_related=("plan",))
    if locked.plan.status != PlanStatus.APPROVED:
        raise ValidationError(_("计划批准后才能登记活动完成情况。"))
    locked.linked_label = (_("完成说明：%(n)s") % {"n": note})[:250]
    locked.status, locked.done_at, locked.done_by = ActivityStatus.DONE, clock.now(), actor
    bump_version(locked)
    locked.save()
    return locked


@transaction.atomic
def activity_unlink(*, actor: Any, activity: PlanActivity) -> PlanActivity:
    if not can_plan(actor):
        raise PermissionDenied(_("只有质量经理可以撤销完成登记。"))
    locked = lock_for_edit(activity, None)
    locked.linked_type = locked.linked_id = locked.done_at = locked.done_by = None
    locked.linked_label = ""
    locked.status = ActivityStatus.PLANNED
    bump_version(locked)
    locked.save()
    return locked


def linked_record(activity: PlanActivity) -> tuple[Any, str] | None:
    """(record, url) of the linked record, None when nothing is linked or the kind is gone."""
    if not activity.linked_type_id:
        return None
    model = activity.linked_type.model_class()
    kind = linking.kind_of_model(model) if model else None
    record = model.objects.filter(pk=activity.linked_id).first() if model else None
    if kind is None or record is None:
        return None
    return record, kind.url(record)


# ---------------------------------------------------------------- reminders and the overdue ladder


def activities_remind(*, today: dt.date) -> list[PlanActivity]:
    """Remind each owner once, N working days before the due date (in-app + email)."""
    cal, n = business_calendar(), remind_working_days()
    sent = []
    qs = (
        PlanActivity.objects.filter(plan__status=PlanStatus.APPROVED, reminded_on__isnull=True, due_date__gte=today)
        .exclude(status=ActivityStatus.DONE)
        .select_related("owner", "plan")
    )
    for a in qs.filter(due_date__lte=today + dt.timedelta(days=n * 3 + 14)):
        if cadence.working_days_between(today, a.due_date, cal) > n:
            continue
        with transaction.atomic():
            PlanActivity.objects.filter(pk=a.pk).update(reminded_on=today)
            notify(
                users=[a.owner],
                title=_("计划活动将于 %(d)s 到期：%(t)s") % {"d": a.due_date.isoformat(), "t": a.title},
                body=_("%(c)s\n输出物：%(o)s") % {"c": a.content, "o": a.output},
                url=reverse("plans:activity", args=[a.pk]),
                kind="plan_reminder",
            )
        sent.append(a)
    return sent


def _ladder(activity: PlanActivity, level: int) -> list[Any]:
    people: list[Any] = [activity.owner]
    if level >= 1:
        people += [p.ops_manager for p in activity.projects.all() if p.ops_manager_id] or _active(Role.QUALITY_MANAGER)
    if level == 2:
        people += _active(Role.MGMT_REP)
    if level == 3:
        people += _active(Role.GM_OFFICE)
    return [p for p in people if p is not None and p.is_active]


def activities_escalate_overdue(*, today: dt.date) -> list[ActivityEscalation]:
    """Mark overdue and climb the same ladder as corrective actions; idempotent per level."""
    from opsqm.findings.services import _target_level, escalation_days

    days = escalation_days()
    created = []
    overdue = (
        PlanActivity.objects.filter(plan__status=PlanStatus.APPROVED, due_date__lt=today)
        .exclude(status=ActivityStatus.DONE)
        .select_related("owner")
        .order_by("due_date", "pk")
    )
    for a in overdue:
        with transaction.atomic():
            days_overdue = (today - a.due_date).days
            level = _target_level(days_overdue, days)
            done = set(a.escalations.values_list("level", flat=True))
            PlanActivity.objects.filter(pk=a.pk).update(status=ActivityStatus.OVERDUE, escalation_level=max(level, max(done, default=0)))
            if done and max(done) >= level:
                continue
            recipients = _ladder(a, level)
            row = ActivityEscalation.objects.create(activity=a, level=level, on_date=today, days_overdue=days_overdue)
            row.notified.set(recipients)
            notify(
                users=recipients,
                title=_("计划活动逾期 %(d)d 天：%(t)s") % {"d": days_overdue, "t": a.title},
                body=_("负责人：%(o)s\n计划完成日期：%(due)s") % {"o": a.owner.display_name, "due": a.due_date.isoformat()},
                url=reverse("plans:activity", args=[a.pk]),
                kind="plan_overdue",
            )
            created.append(row)
    return created


# ---------------------------------------------------------------- calendar feed


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_issue(*, user: Any) -> str:
    """A new secret (the old URL stops working). Returned once; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": _hash(token)})
    return token


def feed_revoke(*, user: Any) -> None:
    CalendarFeed.objects.filter(user=user).delete()


def feed_user(token: str) -> Any | None:
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.filter(token_hash=_hash(token)).select_related("user").first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


# ---------------------------------------------------------------- project QA plans

# The template: project-level checks over the project's life, by phase, with library checklists;
# offsets are in months from the start date.
QA_TEMPLATE: list[tuple[str, str, str, int]] = [
    (Phase.INITIATION, "PRJ-INI", "项目启动检查：合同、SLA、服务目录与人员到位", 0),
    (Phase.PLANNING, "PRJ-PLN", "项目计划检查：运维服务计划、应急预案、沟通机制", 1),
    (Phase.DELIVERY, "PRJ-DLV", "项目实施检查：交付过程、服务报告、客户回访", 3),
    (Phase.MONITORING, "PRJ-MON", "项目监控检查：SLA 达成、例会、问题跟踪", 6),
    (Phase.MONITORING, "PRJ-MON", "项目监控检查（下半年）", 9),
    (Phase.CLOSURE, "PRJ-CLS", "项目收尾检查：验收、回款、资料归档", 11),
]
REVIEW_TEMPLATE = [(PlannedReview.Kind.CUSTOMER, 5), (PlannedReview.Kind.EXPERT, 8), (PlannedReview.Kind.THIRD_PARTY, 10)]
DEFAULT_REPORTING = "质量专员每月向质量经理提交项目质量检查记录；每季度末运维经理提交季度工作总结，质量经理纳入季度质量分析报告。"


def _add_months(day: dt.date, months: int) -> dt.date:
    import calendar as c

    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, c.monthrange(year, month)[1]))


def _checklist(ref_id: str):
    from opsqm.checklists.models import ChecklistTemplate

    template = ChecklistTemplate.objects.filter(ref_id=ref_id).first()
    if template is None:
        from opsqm.checklists.loading import library_dir
        from opsqm.checklists.services import library_load

        library_load(directory=library_dir())
        template = ChecklistTemplate.objects.get(ref_id=ref_id)
    return template


@transaction.atomic
def qa_plan_create(*, actor: Any, project: Any, start: dt.date, reason: str = "") -> ProjectQAPlan:
    """From the template; each planned check becomes an activity of that year's annual plan (if one exists)."""
    if not can_plan(actor):
        raise PermissionDenied(_("只有质量经理可以编制项目质量保证计划。"))
    cal = business_calendar()
    qa = ProjectQAPlan.objects.create(
        project=project,
        title=_("%(c)s %(n)s 项目质量保证计划") % {"c": project.code, "n": project.name},
        drafted_by=actor,
        reporting=DEFAULT_REPORTING,
        plan=QualityPlan.objects.filter(year=start.year).first(),
    )
    owner = project.quality_specialist or actor
    added: dict[int, list[str]] = {}
    for phase, ref_id, title, offset in QA_TEMPLATE:
        due = cadence.next_working_day(_add_months(start, offset), cal)
        check = PlannedCheck.objects.create(qa_plan=qa, phase=phase, title=title, checklist=_checklist(ref_id), due_date=due)
        annual = QualityPlan.objects.filter(year=due.year).first()
        if annual is not None and annual.status != PlanStatus.SUBMITTED:
            activity = activity_save(
                actor=actor,
                plan=annual,
                projects=[project],
                _revision=False,
                data=dict(
                    type=ActivityType.PROJECT_CHECK,
                    title=f"{project.code} {title}",
                    content=_("检查单：%(r)s") % {"r": ref_id},
                    scope_org=False,
                    owner=owner,
                    due_date=due,
                    output=_("项目质量检查记录"),
                ),
            )
            check.activity = activity
            check.save(update_fields=["activity"])
            added.setdefault(annual.pk, []).append(_describe(activity))
    for plan_pk, lines in added.items():  # one recorded revision per annual plan touched
        annual = QualityPlan.objects.get(pk=plan_pk)
        _change_allowed(
            annual,
            actor,
            reason or _("项目质量保证计划新增计划检查"),
            _("%(qa)s：新增 %(n)d 项计划检查\n%(lines)s") % {"qa": qa.title, "n": len(lines), "lines": "\n".join(lines)},
        )
    for kind, offset in REVIEW_TEMPLATE:
        PlannedReview.objects.create(qa_plan=qa, kind=kind, due_date=cadence.next_working_day(_add_months(start, offset), cal))
    notify(
        users=[project.ops_manager] if project.ops_manager_id else [],
        title=_("请确认项目质量保证计划：%(t)s") % {"t": qa.title},
        url=reverse("plans:qa_detail", args=[qa.pk]),
        kind="qa_plan",
    )
    return qa


@transaction.atomic
def qa_plan_agree(*, actor: Any, qa: ProjectQAPlan) -> ProjectQAPlan:
    if qa.project.ops_manager_id != actor.pk:
        raise PermissionDenied(_("只有本项目的运维经理可以确认项目质量保证计划。"))
    if qa.status != ProjectQAPlan.Status.DRAFT:
        raise ValidationError(_("该计划已确认。"))
    qa.status, qa.agreed_by, qa.agreed_at = ProjectQAPlan.Status.AGREED, actor, clock.now()
    qa.save(update_fields=["status", "agreed_by", "agreed_at"])
    return qa


@transaction.atomic
def review_accept(*, actor: Any, review: PlannedReview, reviewer: str, result: str) -> PlannedReview:
    if not can_plan(actor):
        raise PermissionDenied(_("只有质量经理可以登记评审结论。"))
    if not result.strip():
        raise ValidationError({"result": _("请填写评审结论。")})
    review.reviewer, review.result, review.accepted = reviewer[:100], result, True
    review.save(update_fields=["reviewer", "result", "accepted"])
    return review


def today() -> dt.date:
    return timezone.localtime(clock.now()).date()
