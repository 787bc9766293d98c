"""Writes of the quarterly review: open, submit summaries, analyse, report to 总经办, acknowledge/return."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from opsqm import clock
from opsqm.accounts.roles import Role
from opsqm.core.kpi import Period
from opsqm.notifications.services import notify
from opsqm.quarterly.models import QuarterlyReview, QuarterlySubmission, ReviewEvent
from opsqm.records.locking import bump_version, lock_for_edit

R = QuarterlyReview.Status
SUBMISSION_FIELDS = (
    "tickets_handled",
    "major_incidents",
    "service_reports",
    "customer_meetings",
    "staff_changes",
    "summary",
    "problems",
    "next_plan",
)
SUBMIT_WORKING_DAYS = 5  # O&M managers submit within 5 working days of the quarter end


def can_run(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.QUALITY_MANAGER)


def can_acknowledge(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.GM_OFFICE)


def _active(role: str) -> list[Any]:
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(role=role, is_active=True))


def _url(review: QuarterlyReview) -> str:
    return reverse("quarterly:detail", args=[review.pk])


def _event(review: QuarterlyReview, actor: Any, kind: str, note: str = "") -> None:
    ReviewEvent.objects.create(review=review, kind=kind, by=actor, at=clock.now(), note=note)


def _lock(review: QuarterlyReview, expected_version: int | None = None) -> QuarterlyReview:
    return lock_for_edit(review, expected_version, _("该季度分析已被他人修改，请刷新页面后重新操作。"))


def _save(review: QuarterlyReview, fields: list[str]) -> None:
    bump_version(review)
    review.save(update_fields=[*fields, "version"])


def projects_of_quarter(period: Period) -> list[Any]:
    from django.db.models import Q

    from opsqm.org.models import Project, ProjectStatus

    return list(
        Project.objects.filter(status__in=[ProjectStatus.ACTIVE, ProjectStatus.CLOSED], ops_manager__isnull=False)
        .filter(Q(contract_start__isnull=True) | Q(contract_start__lte=period.end_local))
        .filter(Q(contract_end__isnull=True) | Q(contract_end__gte=period.start_local))
        .select_related("ops_manager")
        .order_by("code")
    )


@transaction.atomic
def review_open(*, actor: Any, year: int, quarter: int, today: dt.date) -> QuarterlyReview:
    """Open the quarter's review: one submission per running project for its O&M manager."""
    from opsqm.plans.cadence import add_working_days
    from opsqm.plans.services import business_calendar

    if not can_run(actor):
        raise PermissionDenied(_("只有质量经理可以发起季度质量分析。"))
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= 2100:
        raise ValidationError(_("季度不正确。"))
    period = Period(year, quarter=quarter)
    if today < period.start_local:
        raise ValidationError(_("该季度尚未开始，不能发起季度质量分析。"))
    if QuarterlyReview.objects.filter(year=year, quarter=quarter).exists():
        raise ValidationError(_("%(y)d 年第 %(q)d 季度的质量分析已发起。") % {"y": year, "q": quarter})
    due = add_working_days(max(period.end_local, today), SUBMIT_WORKING_DAYS, business_calendar())
    review = QuarterlyReview.objects.create(year=year, quarter=quarter, due_date=due, opened_by=actor, opened_at=clock.now())
    subs = QuarterlySubmission.objects.bulk_create(
        [QuarterlySubmission(review=review, project=p, owner=p.ops_manager) for p in projects_of_quarter(period)]
    )
    _event(review, actor, ReviewEvent.Kind.OPENED)
    for s in subs:
        notify(
            users=[s.owner],
            title=_("请提交 %(p)s %(y)d 年第 %(q)d 季度工作总结和下季度计划") % {"p": s.project.code, "y": year, "q": quarter},
            body=_("提交期限：%(d)s") % {"d": due.isoformat()},
            url=reverse("quarterly:submission", args=[s.pk]),
            kind="quarterly_summary",
        )
    return review


@transaction.atomic
def submission_save(
    *, actor: Any, submission: QuarterlySubmission, data: dict[str, Any], submit: bool, expected_version: int | None = None
) -> QuarterlySubmission:
    locked = lock_for_edit(submission, None, select_related=("review", "project"))
    if actor.pk not in (locked.owner_id, locked.project.ops_manager_id):
        raise PermissionDenied(_("只有本项目的运维经理可以填写季度工作总结。"))
    lock_for_edit(locked, expected_version, _("该总结已被他人修改，请刷新页面后重新编辑。"))
    if locked.review.status not in (R.COLLECTING, R.RETURNED):
        raise ValidationError(_("季度质量报告已报送，不能再修改总结。"))
    for k in SUBMISSION_FIELDS:
        if k in data:
            setattr(locked, k, data[k] if data[k] is not None or k not in ("summary", "problems", "next_plan") else "")
    if submit:
        missing = {k: _("提交前请填写此项。") for k in ("summary", "next_plan") if not (getattr(locked, k) or "").strip()}
        if missing:
            raise ValidationError(missing)
        locked.status, locked.submitted_at = QuarterlySubmission.Status.SUBMITTED, clock.now()
    locked.full_clean()
    bump_version(locked)
    locked.save()
    if submit:
        _event(locked.review, actor, ReviewEvent.Kind.SUBMITTED, locked.project.code)
        notify(
            users=[locked.review.opened_by],
            title=_("%(p)s 已提交季度工作总结") % {"p": locked.project.code},
            url=_url(locked.review),
            kind="quarterly_summary_in",
            email=False,
        )
    return locked


@transaction.atomic
def review_write(*, actor: Any, review: QuarterlyReview, analysis: str, requirements: str, expected_version: int) -> QuarterlyReview:
    if not can_run(actor):
        raise PermissionDenied(_("只有质量经理可以撰写季度质量分析。"))
    locked = _lock(review, expected_version)
    if locked.status not in (R.COLLECTING, R.RETURNED):
        raise ValidationError(_("报告已报送总经办，不能再修改。"))
    locked.analysis, locked.requirements = analysis, requirements
    _save(locked, ["analysis", "requirements"])
    return locked


def _store_report(actor: Any, review: QuarterlyReview) -> None:
    from opsqm.quarterly import report
    from opsqm.records.evidence import evidence_store

    content = report.report_content(year=review.year, quarter=review.quarter)
    name = f"{review.key}-季度质量报告"
    docx = evidence_store(
        uploaded_file=SimpleUploadedFile(f"{name}.docx", report.render_docx(content), content_type=report.DOCX_MIME),
        actor=actor,
        owner=review,
        project_id=None,
    )
    xlsx = evidence_store(
        uploaded_file=SimpleUploadedFile(f"{name}.xlsx", report.render_xlsx(content), content_type=report.XLSX_MIME),
        actor=actor,
        owner=review,
        project_id=None,
    )
    review.report_docx, review.report_xlsx = docx, xlsx


@transaction.atomic
def review_report(*, actor: Any, review: QuarterlyReview) -> QuarterlyReview:
    """Send the report to 总经办: every summary submitted and the analysis written (no step skipped)."""
    if not can_run(actor):
        raise PermissionDenied(_("只有质量经理可以报送季度质量报告。"))
    locked = _lock(review)
    if locked.status not in (R.COLLECTING, R.RETURNED):
        raise ValidationError(_("报告已报送或季度已关闭。"))
    pending = [s.project.code for s in locked.submissions.filter(status=QuarterlySubmission.Status.PENDING).select_related("project")]
    if pending:
        raise ValidationError(_("以下项目尚未提交季度工作总结：%(p)s") % {"p": "、".join(pending)})
    if not locked.analysis.strip():
        raise ValidationError(_("请先撰写质量分析。"))
    _store_report(actor, locked)
    locked.status, locked.reported_at = R.REPORTED, clock.now()
    _save(locked, ["status", "reported_at", "report_docx", "report_xlsx"])
    _event(locked, actor, ReviewEvent.Kind.REPORTED)
    notify(users=_active(Role.GM_OFFICE), title=_("待阅：%(r)s报告") % {"r": str(locked)}, url=_url(locked), kind="quarterly_report")
    return locked


@transaction.atomic
def review_acknowledge(*, actor: Any, review: QuarterlyReview, note: str = "") -> QuarterlyReview:
    if not can_acknowledge(actor):
        raise PermissionDenied(_("只有总经办可以确认季度质量报告。"))
    locked = _lock(review)
    if locked.status != R.REPORTED:
        raise ValidationError(_("只有已报送的报告可以确认。"))
    locked.status, locked.gm_by, locked.gm_at, locked.gm_note, locked.closed_at = R.CLOSED, actor, clock.now(), note, clock.now()
    _save(locked, ["status", "gm_by", "gm_at", "gm_note", "closed_at"])
    _store_report(actor, locked)  # regenerated after closing: the kept record carries 总经办's acknowledgement
    locked.save(update_fields=["report_docx", "report_xlsx"])
    _event(locked, actor, ReviewEvent.Kind.ACKNOWLEDGED, note)
    notify(
        users=[locked.opened_by],
        title=_("总经办已阅：%(r)s报告，季度已关闭") % {"r": str(locked)},
        body=note,
        url=_url(locked),
        kind="quarterly_closed",
    )
    _fulfil_plan_activity(actor, locked)
    return locked


def _fulfil_plan_activity(actor: Any, review: QuarterlyReview) -> None:
    """The closed review fulfils its plan activity (质量指标收集与分析 of that quarter), when one is open."""
    from opsqm.plans.models import ActivityStatus, PlanActivity, PlanStatus
    from opsqm.plans.services import activity_link

    activity = (
        PlanActivity.objects.filter(plan__year=review.year, plan__status=PlanStatus.APPROVED, cadence_key=f"kpi-q{review.quarter}")
        .exclude(status=ActivityStatus.DONE)
        .first()
    )
    if activity is not None:
        opened_by = review.opened_by
        activity_link(actor=opened_by if activity.owner_id == opened_by.pk else activity.owner, activity=activity, record=review)


@transaction.atomic
def review_return(*, actor: Any, review: QuarterlyReview, note: str) -> QuarterlyReview:
    if not can_acknowledge(actor):
        raise PermissionDenied(_("只有总经办可以退回季度质量报告。"))
    if not (note or "").strip():
        raise ValidationError({"note": _("退回时必须写明意见。")})
    locked = _lock(review)
    if locked.status != R.REPORTED:
        raise ValidationError(_("只有已报送的报告可以退回。"))
    locked.status, locked.gm_by, locked.gm_at, locked.gm_note = R.RETURNED, actor, clock.now(), note
    _save(locked, ["status", "gm_by", "gm_at", "gm_note"])
    _event(locked, actor, ReviewEvent.Kind.RETURNED, note)
    notify(
        users=[locked.opened_by],
        title=_("总经办退回：%(r)s报告") % {"r": str(locked)},
        body=note,
        url=_url(locked),
        kind="quarterly_returned",
    )
    return locked


# ---------------------------------------------------------------- reminders and overdue


def submissions_remind(*, today: dt.date) -> list[QuarterlySubmission]:
    from opsqm.plans.cadence import working_days_between
    from opsqm.plans.services import business_calendar, remind_working_days

    cal, n, sent = business_calendar(), remind_working_days(), []
    for s in QuarterlySubmission.objects.filter(
        status=QuarterlySubmission.Status.PENDING,
        reminded_on__isnull=True,
        review__status__in=[R.COLLECTING, R.RETURNED],
        review__due_date__gte=today,
    ).select_related("review", "project", "owner"):
        if working_days_between(today, s.review.due_date, cal) > n:
            continue
        QuarterlySubmission.objects.filter(pk=s.pk).update(reminded_on=today)
        notify(
            users=[s.owner],
            title=_("季度工作总结将于 %(d)s 到期：%(p)s") % {"d": s.review.due_date.isoformat(), "p": s.project.code},
            url=reverse("quarterly:submission", args=[s.pk]),
            kind="quarterly_reminder",
        )
        sent.append(s)
    return sent


def submissions_escalate_overdue(*, today: dt.date) -> list[QuarterlySubmission]:
    """Same ladder as corrective actions: owner → quality manager → 管理者代表 → 总经办, once per level."""
    from opsqm.findings.services import _target_level, escalation_days

    days, climbed = escalation_days(), []
    for s in QuarterlySubmission.objects.filter(
        status=QuarterlySubmission.Status.PENDING, review__due_date__lt=today, review__status__in=[R.COLLECTING, R.RETURNED]
    ).select_related("review", "project", "owner"):
        overdue = (today - s.review.due_date).days
        level = _target_level(overdue, days)
        if s.escalation_level >= level + 1:  # stored as ladder level + 1; 0 = never chased
            continue
        people = (
            [s.owner]
            + (_active(Role.QUALITY_MANAGER) if level >= 1 else [])
            + (_active(Role.MGMT_REP) if level == 2 else [])
            + (_active(Role.GM_OFFICE) if level == 3 else [])
        )
        QuarterlySubmission.objects.filter(pk=s.pk).update(escalation_level=level + 1)
        notify(
            users=people,
            title=_("季度工作总结逾期 %(d)d 天：%(p)s") % {"d": overdue, "p": s.project.code},
            url=reverse("quarterly:submission", args=[s.pk]),
            kind="quarterly_overdue",
        )
        climbed.append(s)
    return climbed
