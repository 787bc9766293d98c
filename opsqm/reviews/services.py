"""Writes of the management review.

    planned --record meeting--> held --issue report--> report_issued --approve (management rep)--> approved (a record, read-only)
    report_issued --issue again--> report_issued (a new revision of the report file; older ones stay)

Decisions (outputs) become ReviewActions with owner and due date, followed like corrective actions
(我的待办, the overdue ladder) and listed as inputs of the next year's review.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm import clock
from opsqm.accounts.roles import Role
from opsqm.notifications.services import notify
from opsqm.records.codes import code_allocate
from opsqm.records.dates import business_today, check_due_date
from opsqm.records.locking import bump_version, lock_for_edit
from opsqm.reviews import inputs, policy
from opsqm.reviews.models import (
    ActionStatus,
    AgendaItem,
    InputNote,
    InputSection,
    ManagementReview,
    OutputKind,
    ReviewAction,
    ReviewActionEscalation,
    ReviewStatus,
)

__all__ = [
    "review_approved",
    "review_create",
    "review_update",
    "review_assemble_inputs",
    "input_annotate",
    "review_record_meeting",
    "review_action_create",
    "review_action_complete",
    "review_action_cancel",
    "review_actions_escalate_overdue",
    "review_issue_report",
    "review_approve_report",
]

# Sent with `review=` when the management representative approves the report. The plans area connects
# to it to complete the year's "管理评审" activity (see opsqm/reviews/links.py).
review_approved = Signal()

PLAN_FIELDS = ("title", "planned_date", "place", "chair", "changes_text", "resources_text", "risks_text")
DEFAULT_AGENDA = [
    "以往管理评审措施的完成情况",
    "内部审核结果",
    "服务质量指标与目标达成情况",
    "客户满意度与投诉",
    "不符合项、纠正措施与持续改进",
    "体系变化、资源与风险",
    "改进决定与资源安排",
]


def _url(review: ManagementReview) -> str:
    return reverse("reviews:detail", args=[review.pk])


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise PermissionDenied(message)


def _unlocked(review: ManagementReview) -> None:
    if review.is_locked:
        raise ValidationError(_("管理评审报告已批准归档，不能再修改。"), code="locked")


def _lock(review: ManagementReview, expected_version: int | None = None) -> ManagementReview:
    return lock_for_edit(review, expected_version, _("该管理评审已被他人修改，请刷新页面后重新操作。"))


@transaction.atomic
def review_create(
    *,
    actor: Any,
    year: int,
    planned_date: dt.date,
    place: str,
    chair: Any,
    organizer: Any = None,
    attendees: Iterable[Any] = (),
    agenda: Iterable[str] | None = None,
    title: str = "",
) -> ManagementReview:
    _require(policy.can_plan(actor), _("只有管理者代表或质量经理可以策划管理评审。"))
    if ManagementReview.objects.filter(year=year).exists():
        raise ValidationError({"year": _("%(y)d 年度的管理评审已经策划过。") % {"y": year}})
    if organizer is None:
        organizer = (
            actor
            if actor.role == Role.MGMT_REP
            else get_user_model().objects.filter(role=Role.MGMT_REP, is_active=True).order_by("pk").first()
        )
    if organizer is None:
        raise ValidationError(_("系统中没有在职的管理者代表，无法指定组织人。"))
    review = ManagementReview(
        year=year,
        title=title or _("%(y)d 年度管理评审") % {"y": year},
        planned_date=planned_date,
        place=place,
        chair=chair,
        organizer=organizer,
        created_by=actor,
    )
    review.full_clean()
    review.save()
    people = list(attendees)
    review.attendees.set(people)
    AgendaItem.objects.bulk_create([AgendaItem(review=review, position=i, title=t) for i, t in enumerate(agenda or DEFAULT_AGENDA, 1)])
    notify(
        users=[p for p in {*people, chair} if p.pk != actor.pk],
        title=_("管理评审会议通知：%(t)s") % {"t": review.title},
        body=_("时间：%(d)s\n地点：%(p)s\n主持：%(c)s") % {"d": planned_date.isoformat(), "p": place, "c": chair.display_name},
        url=_url(review),
        kind="review_planned",
    )
    return review


@transaction.atomic
def review_update(
    *,
    actor: Any,
    review: ManagementReview,
    data: dict[str, Any],
    expected_version: int | None,
    attendees: Iterable[Any] | None = None,
    agenda: list[str] | None = None,
) -> ManagementReview:
    _require(policy.can_plan(actor), _("只有管理者代表或质量经理可以修改管理评审。"))
    locked = _lock(review, expected_version)
    _unlocked(locked)
    for field in PLAN_FIELDS:
        if field in data:
            setattr(locked, field, data[field])
    bump_version(locked)
    locked.full_clean()
    locked.save()
    if attendees is not None:
        locked.attendees.set(list(attendees))
    if agenda is not None:
        titles = [t.strip() for t in agenda if t.strip()]
        existing = list(locked.agenda.order_by("position", "id"))
        for i, title in enumerate(titles, 1):
            if i <= len(existing):
                if existing[i - 1].title != title or existing[i - 1].position != i:
                    existing[i - 1].title, existing[i - 1].position = title, i
                    existing[i - 1].save()
            else:
                AgendaItem.objects.create(review=locked, position=i, title=title)
        for item in existing[len(titles) :]:
            if item.minutes:
                raise ValidationError(_("议题“%(t)s”已有会议纪要，不能删除。") % {"t": item.title})
            item.delete()
    return locked


@transaction.atomic
def review_assemble_inputs(*, actor: Any, review: ManagementReview, as_of: dt.date) -> ManagementReview:
    """(Re)assemble every input section as of `as_of`; annotations already made stay with their section."""
    _require(policy.can_plan(actor), _("只有管理者代表或质量经理可以汇总评审输入。"))
    locked = _lock(review)
    _unlocked(locked)
    if as_of.year != locked.year:
        raise ValidationError({"as_of": _("输入截止日期必须在 %(y)d 年内。") % {"y": locked.year}})
    now = clock.now()
    for position, (key, data) in enumerate(inputs.assemble(locked, as_of).items(), 1):
        InputSection.objects.update_or_create(review=locked, key=key, defaults={"position": position, "data": data, "assembled_at": now})
    locked.inputs_as_of, locked.inputs_assembled_at = as_of, now
    bump_version(locked)
    locked.save()
    return locked


@transaction.atomic
def input_annotate(*, actor: Any, section: InputSection, text: str) -> InputNote:
    from opsqm.reviews.selectors import reviews_visible_to

    if not reviews_visible_to(actor).filter(pk=section.review_id).exists():
        raise PermissionDenied(_("您无权批注该管理评审。"))
    _unlocked(section.review)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写批注内容。")})
    return InputNote.objects.create(section=section, author=actor, text=text, at=clock.now())


@transaction.atomic
def review_record_meeting(
    *,
    actor: Any,
    review: ManagementReview,
    attended: Iterable[Any],
    minutes: dict[int, str],
    conclusion: str,
    held_at: dt.datetime | None = None,
) -> ManagementReview:
    _require(policy.can_plan(actor), _("只有管理者代表或质量经理可以记录评审会议。"))
    locked = _lock(review)
    _unlocked(locked)
    if locked.inputs_assembled_at is None:
        raise ValidationError(_("请先汇总评审输入，再记录会议。"))
    people = list(attended)
    if not people:
        raise ValidationError({"attended": _("请勾选实到人员。")})
    for item in locked.agenda.all():
        if item.pk in minutes and minutes[item.pk] != item.minutes:
            item.minutes = minutes[item.pk].strip()
            item.save()
    locked.attended.set(people)
    locked.conclusion = (conclusion or "").strip()
    locked.held_at = held_at or locked.held_at or clock.now()
    if locked.status == ReviewStatus.PLANNED:
        locked.status = ReviewStatus.HELD
    bump_version(locked)
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def review_action_create(*, actor: Any, review: ManagementReview, kind: str, decision: str, owner: Any, due_date: dt.date) -> ReviewAction:
    _require(policy.can_plan(actor), _("只有管理者代表或质量经理可以登记评审决定。"))
    locked = _lock(review)
    _unlocked(locked)
    if kind not in OutputKind.values:
        raise ValidationError({"kind": _("请选择输出类别。")})
    if not (decision or "").strip():
        raise ValidationError({"decision": _("请填写决定/措施。")})
    if owner is None or due_date is None:
        raise ValidationError(_("请指定责任人和完成期限。"))
    check_due_date(due_date, today=business_today(), what=_("完成期限"))
    now = clock.now()
    action = ReviewAction(
        review=locked,
        code=code_allocate(prefix="MR", year=locked.year, model=ReviewAction),
        kind=kind,
        decision=decision.strip(),
        owner=owner,
        due_date=due_date,
        created_by=actor,
        created_at=now,
    )
    action.full_clean()
    action.save()
    notify(
        users=[owner],
        title=_("管理评审决定由您落实：%(c)s") % {"c": action.code},
        body=_("%(d)s\n完成期限：%(due)s") % {"d": action.decision, "due": due_date.isoformat()},
        url=_url(locked),
        kind="review_action",
    )
    return action


def _can_close(actor: Any, action: ReviewAction) -> bool:
    return action.owner_id == actor.pk or policy.can_plan(actor)


@transaction.atomic
def review_action_complete(*, actor: Any, action: ReviewAction, note: str) -> ReviewAction:
    locked = lock_for_edit(action, None)
    _require(_can_close(actor, locked), _("只有责任人、管理者代表或质量经理可以登记完成。"))
    if locked.status != ActionStatus.OPEN:
        raise ValidationError(_("该措施已完成或已取消。"))
    if not (note or "").strip():
        raise ValidationError({"note": _("请填写完成情况。")})
    locked.status, locked.done_at, locked.done_by, locked.result_note = ActionStatus.DONE, clock.now(), actor, note.strip()
    bump_version(locked)
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def review_action_cancel(*, actor: Any, action: ReviewAction, reason: str) -> ReviewAction:
    locked = lock_for_edit(action, None)
    _require(policy.can_plan(actor), _("只有管理者代表或质量经理可以取消评审措施。"))
    if locked.status != ActionStatus.OPEN:
        raise ValidationError(_("该措施已完成或已取消。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请写明取消原因。")})
    locked.status, locked.result_note = ActionStatus.CANCELLED, reason.strip()
    bump_version(locked)
    locked.save()
    return locked


def _ladder_recipients(action: ReviewAction, level: int) -> list[Any]:
    users = get_user_model().objects.filter(is_active=True)
    people = [action.owner]
    people += list(users.filter(role={1: Role.QUALITY_MANAGER, 2: Role.MGMT_REP, 3: Role.GM_OFFICE}[level])) if level else []
    return [p for p in people if p.is_active]


def review_actions_escalate_overdue(*, today: dt.date) -> list[ReviewActionEscalation]:
    """The same ladder and day thresholds as corrective actions (OPSQM_ESCALATION_DAYS); a level is recorded once per action."""
    from opsqm.findings.services import _target_level, escalation_days

    days = escalation_days()
    created = []
    for action in ReviewAction.objects.filter(status=ActionStatus.OPEN, due_date__lt=today).select_related("owner", "review"):
        with transaction.atomic():
            days_overdue = (today - action.due_date).days
            level = _target_level(days_overdue, days)
            done = set(action.escalations.values_list("level", flat=True))
            if done and max(done) >= level:
                continue
            row = ReviewActionEscalation.objects.create(action=action, level=level, on_date=today, days_overdue=days_overdue)
            ReviewAction.objects.filter(pk=action.pk).update(escalation_level=level)
            notify(
                users=_ladder_recipients(action, level),
                title=_("管理评审措施逾期 %(d)d 天：%(c)s") % {"d": days_overdue, "c": action.code},
                body=_("%(desc)s\n责任人：%(o)s\n完成期限：%(due)s")
                % {"desc": action.decision, "o": action.owner.display_name, "due": action.due_date.isoformat()},
                url=_url(action.review),
                kind="review_action_overdue",
            )
            created.append(row)
    return created


@transaction.atomic
def review_issue_report(*, actor: Any, review: ManagementReview) -> ManagementReview:
    """Render the .docx and keep it as an evidence revision of the review; awaits the management representative's approval."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from opsqm.records.evidence import evidence_store
    from opsqm.reviews.report import DOCX_MIME, render_report

    _require(policy.can_plan(actor), _("只有管理者代表或质量经理可以出具管理评审报告。"))
    locked = _lock(review)
    _unlocked(locked)
    if locked.status == ReviewStatus.PLANNED:
        raise ValidationError(_("请先记录评审会议，再出具报告。"))
    content = render_report(locked)
    upload = SimpleUploadedFile(f"{locked.year}年度管理评审报告.docx", content, content_type=DOCX_MIME)
    locked.report = evidence_store(uploaded_file=upload, actor=actor, owner=locked, project_id=None)
    locked.status, locked.report_issued_at = ReviewStatus.REPORT_ISSUED, clock.now()
    bump_version(locked)
    locked.full_clean()
    locked.save()
    approvers = [u for u in get_user_model().objects.filter(role=Role.MGMT_REP, is_active=True) if u.pk != actor.pk]
    notify(users=approvers, title=_("管理评审报告待批准：%(t)s") % {"t": locked.title}, url=_url(locked), kind="review_report")
    return locked


@transaction.atomic
def review_approve_report(*, actor: Any, review: ManagementReview) -> ManagementReview:
    _require(policy.can_approve(actor), _("管理评审报告由管理者代表批准。"))
    locked = _lock(review)
    if locked.status != ReviewStatus.REPORT_ISSUED or locked.report_id is None:
        raise ValidationError(_("报告尚未出具，不能批准。"))
    locked.status, locked.approved_by, locked.approved_at = ReviewStatus.APPROVED, actor, clock.now()
    # The kept record carries the approval block: render once more and keep it as the final revision.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from opsqm.records.evidence import evidence_store
    from opsqm.reviews.report import DOCX_MIME, render_report

    upload = SimpleUploadedFile(f"{locked.year}年度管理评审报告（已批准）.docx", render_report(locked), content_type=DOCX_MIME)
    locked.report = evidence_store(uploaded_file=upload, actor=actor, owner=locked, project_id=None)
    bump_version(locked)
    locked.full_clean()
    locked.save()
    transaction.on_commit(lambda: review_approved.send(sender=ManagementReview, review=locked))
    return locked


def today() -> dt.date:
    return timezone.localdate()
