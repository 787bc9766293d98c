"""Writes of controlled documents and system-operation supervision.

Version life cycle:  draft --submit--> in_review --approve--> approved --make effective--> effective --withdraw/supersede--> obsolete
                     in_review --return--> draft
Making a version effective obsoletes the previous effective version of the document. Obsolete is final:
no service moves a version out of it and the DB constraint `docversion_obsolete_is_final` refuses it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from opsqm import clock
from opsqm.documents import policy
from opsqm.documents.models import (
    ControlledDocument,
    DocumentVersion,
    FeedbackOutcome,
    FeedbackRound,
    FeedbackStatus,
    ProcedureFeedback,
    ReadConfirmation,
    VersionStatus,
)
from opsqm.notifications.services import notify
from opsqm.records.dates import business_today, check_due_date
from opsqm.records.locking import bump_version, lock_for_edit

__all__ = [
    "document_create",
    "document_update",
    "document_mark_reviewed",
    "version_create",
    "version_attach_file",
    "version_submit",
    "version_return",
    "version_approve",
    "version_make_effective",
    "version_withdraw",
    "read_confirm",
    "documents_remind_review",
    "round_open",
    "round_close",
    "feedback_give",
    "feedback_accept",
    "feedback_reject",
]

V = VersionStatus
DOCUMENT_FIELDS = ("title", "doc_type", "department", "owner", "next_review_date")
REVIEW_INTERVAL_MONTHS = 12


def _doc_url(document: ControlledDocument) -> str:
    return reverse("documents:detail", args=[document.pk])


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _lock_version(version: DocumentVersion) -> DocumentVersion:
    return DocumentVersion.objects.select_for_update().select_related("document").get(pk=version.pk)


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise PermissionDenied(message)


def _expect(version: DocumentVersion, *statuses: str) -> None:
    if version.status == V.OBSOLETE:
        raise ValidationError(_("已作废的版本只读保留，不能再审核、批准或生效。"), code="obsolete")
    if version.status not in statuses:
        raise ValidationError(_("该版本当前状态为“%(s)s”，不能执行此操作。") % {"s": version.get_status_display()}, code="state")


# ---------------------------------------------------------------- documents


@transaction.atomic
def document_create(
    *,
    actor: Any,
    code: str,
    title: str,
    doc_type: str,
    owner: Any,
    department: Any = None,
    next_review_date: dt.date | None = None,
    distribution: Iterable[Any] = (),
) -> ControlledDocument:
    _require(policy.can_edit_documents(actor), _("只有质量管理部可以登记受控文件。"))
    code = (code or "").strip()
    if ControlledDocument.objects.filter(code__iexact=code).exists():
        raise ValidationError({"code": _("文件编号“%(c)s”已存在。") % {"c": code}})
    check_due_date(next_review_date, today=business_today(), field="next_review_date", what=_("下次评审日期"), after_today=True)
    document = ControlledDocument(
        code=code,
        title=(title or "").strip(),
        doc_type=doc_type,
        owner=owner,
        department=department,
        next_review_date=next_review_date,
        created_by=actor,
    )
    document.full_clean()
    document.save()
    document.distribution.set(list(distribution))
    return document


@transaction.atomic
def document_update(
    *,
    actor: Any,
    document: ControlledDocument,
    data: dict[str, Any],
    expected_version: int | None,
    distribution: Iterable[Any] | None = None,
) -> ControlledDocument:
    locked = lock_for_edit(document, expected_version, _("该文件已被他人修改，请刷新页面后重新编辑。"))
    _require(policy.can_edit_document(actor, locked), _("您无权修改该文件。"))
    if data.get("next_review_date") and data["next_review_date"] != locked.next_review_date:
        check_due_date(data["next_review_date"], today=business_today(), field="next_review_date", what=_("下次评审日期"), after_today=True)
    for field in DOCUMENT_FIELDS:
        if field in data:
            setattr(locked, field, data[field])
    bump_version(locked)
    locked.full_clean()
    locked.save()
    if distribution is not None:
        locked.distribution.set(list(distribution))
    return locked


@transaction.atomic
def document_mark_reviewed(
    *, actor: Any, document: ControlledDocument, next_review_date: dt.date, today: dt.date | None = None
) -> ControlledDocument:
    """A periodic review that found the document still fit: only the next review date moves."""
    check_due_date(next_review_date, today=today or business_today(), field="next_review_date", what=_("下次评审日期"), after_today=True)
    return document_update(actor=actor, document=document, data={"next_review_date": next_review_date}, expected_version=None)


# ---------------------------------------------------------------- versions


@transaction.atomic
def version_create(*, actor: Any, document: ControlledDocument, label: str, change_note: str, uploaded_file: Any = None) -> DocumentVersion:
    _require(policy.can_edit_document(actor, document), _("您无权修订该文件。"))
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("请填写版本号。")})
    if not (change_note or "").strip():
        raise ValidationError({"change_note": _("请填写修订说明。")})
    if DocumentVersion.objects.filter(document=document, label=label).exists():
        raise ValidationError({"label": _("版本号“%(l)s”已存在，请使用新的版本号。") % {"l": label}})
    version = DocumentVersion(document=document, label=label, change_note=change_note.strip(), created_by=actor)
    version.full_clean()
    version.save()
    if uploaded_file is not None:
        version_attach_file(actor=actor, version=version, uploaded_file=uploaded_file)
        version.refresh_from_db()
    return version


@transaction.atomic
def version_attach_file(*, actor: Any, version: DocumentVersion, uploaded_file: Any) -> DocumentVersion:
    """The file goes through the one upload gate (allowlist, sniffing, size cap, hash)."""
    from opsqm.records.evidence import evidence_store

    locked = _lock_version(version)
    _require(policy.can_edit_document(actor, locked.document), _("您无权修订该文件。"))
    _expect(locked, V.DRAFT)
    evidence = evidence_store(uploaded_file=uploaded_file, actor=actor, owner=locked, project_id=None)
    locked.file = evidence
    locked.save(update_fields=["file"])
    return locked


@transaction.atomic
def version_submit(*, actor: Any, version: DocumentVersion) -> DocumentVersion:
    locked = _lock_version(version)
    _require(policy.can_edit_document(actor, locked.document), _("您无权提交该文件。"))
    _expect(locked, V.DRAFT)
    if locked.file_id is None:
        raise ValidationError(_("请先上传该版本的文件再提交审核。"))
    locked.status, locked.submitted_at = V.IN_REVIEW, clock.now()
    locked.full_clean()
    locked.save()
    from opsqm.accounts.models import User

    approvers = User.objects.filter(role__in=policy.APPROVER_ROLES, is_active=True).exclude(pk=locked.created_by_id)
    notify(
        users=approvers,
        title=_("受控文件待批准：%(d)s %(l)s") % {"d": locked.document, "l": locked.label},
        body=locked.change_note,
        url=_doc_url(locked.document),
        kind="document_review",
    )
    return locked


@transaction.atomic
def version_return(*, actor: Any, version: DocumentVersion, note: str) -> DocumentVersion:
    locked = _lock_version(version)
    _require(policy.can_approve(actor), _("只有批准人可以退回文件。"))
    _expect(locked, V.IN_REVIEW)
    if not (note or "").strip():
        raise ValidationError({"note": _("退回时请写明修改意见。")})
    locked.status, locked.review_note = V.DRAFT, note.strip()
    locked.full_clean()
    locked.save()
    notify(
        users=[locked.created_by],
        title=_("受控文件被退回：%(d)s %(l)s") % {"d": locked.document, "l": locked.label},
        body=note,
        url=_doc_url(locked.document),
        kind="document_returned",
    )
    return locked


@transaction.atomic
def version_approve(*, actor: Any, version: DocumentVersion, note: str = "") -> DocumentVersion:
    locked = _lock_version(version)
    _require(policy.can_approve(actor), _("只有质量经理或管理者代表可以批准受控文件。"))
    _expect(locked, V.IN_REVIEW)
    if locked.created_by_id == actor.pk:
        raise PermissionDenied(_("编制人不能批准自己编制的版本。"))
    locked.status, locked.approver, locked.approved_at, locked.review_note = V.APPROVED, actor, clock.now(), (note or "").strip()
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def version_make_effective(*, actor: Any, version: DocumentVersion, effective_date: dt.date) -> DocumentVersion:
    """Publish an approved version: the previous effective version becomes obsolete, the distribution list is asked to read."""
    locked = _lock_version(version)
    document = ControlledDocument.objects.select_for_update().get(pk=locked.document_id)
    _require(policy.can_edit_document(actor, document) or policy.can_approve(actor), _("您无权发布该文件。"))
    _expect(locked, V.APPROVED)
    now = clock.now()
    for previous in DocumentVersion.objects.select_for_update().filter(document=document, status=V.EFFECTIVE):
        previous.status, previous.obsoleted_at = V.OBSOLETE, now
        previous.full_clean()
        previous.save()
    locked.status, locked.effective_date = V.EFFECTIVE, effective_date
    locked.full_clean()
    locked.save()
    document.next_review_date = _add_months(effective_date, REVIEW_INTERVAL_MONTHS)
    document.review_reminded_for = None
    bump_version(document)
    document.save()
    readers = list(document.distribution.filter(is_active=True))
    notify(
        users=readers,
        title=_("新版受控文件请阅读确认：%(d)s %(l)s") % {"d": document, "l": locked.label},
        body=_("生效日期：%(date)s\n修订说明：%(note)s") % {"date": effective_date.isoformat(), "note": locked.change_note},
        url=_doc_url(document),
        kind="document_read",
    )
    return locked


@transaction.atomic
def version_withdraw(*, actor: Any, version: DocumentVersion, reason: str) -> DocumentVersion:
    """Withdraw an effective version without successor (the document is abolished)."""
    locked = _lock_version(version)
    _require(policy.can_approve(actor), _("只有批准人可以作废文件。"))
    _expect(locked, V.EFFECTIVE)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请写明作废原因。")})
    locked.status, locked.obsoleted_at = V.OBSOLETE, clock.now()
    locked.review_note = reason.strip()
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def read_confirm(*, actor: Any, version: DocumentVersion) -> ReadConfirmation:
    if version.status != V.EFFECTIVE:
        raise ValidationError(_("只能确认阅读现行有效的版本。"))
    if not version.document.distribution.filter(pk=actor.pk).exists():
        raise PermissionDenied(_("您不在该文件的发放范围内。"))
    confirmation, _created = ReadConfirmation.objects.get_or_create(version=version, user=actor, defaults={"confirmed_at": clock.now()})
    return confirmation


def documents_remind_review(*, today: dt.date) -> list[ControlledDocument]:
    """Tell each document's owner once per review date that its periodic review is coming (30 days ahead) or overdue."""
    from opsqm.documents.selectors import documents_due_for_review

    reminded = []
    for document in documents_due_for_review(today=today).select_related("owner"):
        if document.review_reminded_for == document.next_review_date:
            continue
        with transaction.atomic():
            ControlledDocument.objects.filter(pk=document.pk).update(review_reminded_for=document.next_review_date)
            days = (document.next_review_date - today).days
            when = _("已逾期 %(d)d 天") % {"d": -days} if days < 0 else _("还有 %(d)d 天") % {"d": days}
            notify(
                users=[document.owner],
                title=_("受控文件到期评审提醒：%(d)s（%(w)s）") % {"d": document, "w": when},
                body=_("下次评审日期：%(date)s") % {"date": document.next_review_date.isoformat()},
                url=_doc_url(document),
                kind="document_review_due",
            )
        reminded.append(document)
    return reminded


# ---------------------------------------------------------------- supervision (体系运行监督)


@transaction.atomic
def round_open(
    *, actor: Any, period: str, due_date: dt.date, participants: Iterable[Any], documents: Iterable[Any] = (), title: str = ""
) -> FeedbackRound:
    _require(policy.can_review_feedback(actor), _("只有质量管理部可以发起反馈征集。"))
    try:
        year, month = (int(x) for x in period.split("-"))
        dt.date(year, month, 1)
    except (ValueError, AttributeError) as exc:
        raise ValidationError({"period": _("期间格式应为 YYYY-MM。")}) from exc
    period = f"{year:04d}-{month:02d}"
    if FeedbackRound.objects.filter(period=period).exists():
        raise ValidationError({"period": _("%(p)s 的反馈征集已经发起过。") % {"p": period}})
    people = list(participants)
    if not people:
        raise ValidationError({"participants": _("请至少选择一名征集对象。")})
    round_ = FeedbackRound(
        title=title or _("%(y)d 年 %(m)d 月体系运行反馈征集") % {"y": year, "m": month},
        period=period,
        due_date=due_date,
        opened_by=actor,
        opened_at=clock.now(),
    )
    round_.full_clean()
    round_.save()
    round_.participants.set(people)
    round_.documents.set(list(documents))
    notify(
        users=people,
        title=_("请反馈体系文件的执行情况：%(t)s") % {"t": round_.title},
        body=_("请在 %(d)s 前提交：执行中的困难、缺少的内容、改进建议。") % {"d": due_date.isoformat()},
        url=reverse("documents:feedback_new"),
        kind="feedback_round",
    )
    return round_


@transaction.atomic
def round_close(*, actor: Any, round_: FeedbackRound) -> FeedbackRound:
    _require(policy.can_review_feedback(actor), _("只有质量管理部可以结束反馈征集。"))
    if round_.closed_at is None:
        round_.closed_at = clock.now()
        round_.save(update_fields=["closed_at"])
    return round_


@transaction.atomic
def feedback_give(
    *, actor: Any, document: ControlledDocument, difficulty: str = "", missing: str = "", suggestion: str = "", anonymous: bool = False
) -> ProcedureFeedback:
    _require(policy.can_give_feedback(actor), _("您无权提交体系运行反馈。"))
    texts = [(t or "").strip() for t in (difficulty, missing, suggestion)]
    if not any(texts):
        raise ValidationError(_("请至少填写一项：执行中的困难、缺少的内容或改进建议。"))
    from opsqm.documents.selectors import open_rounds_for

    round_ = open_rounds_for(actor).order_by("-period").first()
    feedback = ProcedureFeedback(
        document=document,
        round=round_,
        given_by=actor,
        anonymous=bool(anonymous),
        difficulty=texts[0],
        missing=texts[1],
        suggestion=texts[2],
        created_at=clock.now(),
    )
    feedback.full_clean()
    feedback.save()
    return feedback


def _lock_feedback(feedback: ProcedureFeedback) -> ProcedureFeedback:
    locked = ProcedureFeedback.objects.select_for_update().select_related("document").get(pk=feedback.pk)
    if locked.status != FeedbackStatus.SUBMITTED:
        raise ValidationError(_("该反馈已经评审过。"))
    return locked


@transaction.atomic
def feedback_accept(
    *,
    actor: Any,
    feedback: ProcedureFeedback,
    outcome: str,
    owner: Any = None,
    due_date: dt.date | None = None,
    target: str = "",
    revision_label: str = "",
) -> ProcedureFeedback:
    """Accepted feedback becomes an improvement item (服务改进计划) or a draft revision of the document."""
    _require(policy.can_review_feedback(actor), _("只有质量管理部可以评审反馈。"))
    locked = _lock_feedback(feedback)
    body = "\n".join(
        x
        for x in (
            locked.difficulty and _("困难：%(t)s") % {"t": locked.difficulty},
            locked.missing and _("缺少：%(t)s") % {"t": locked.missing},
            locked.suggestion and _("建议：%(t)s") % {"t": locked.suggestion},
        )
        if x
    )
    if outcome == FeedbackOutcome.IMPROVEMENT:
        from opsqm.findings.services import improvement_create

        if owner is None or due_date is None or not (target or "").strip():
            raise ValidationError(_("列入服务改进计划时请填写改进目标、责任人和计划完成日期。"))
        locked.improvement = improvement_create(
            actor=actor,
            title=(_("体系运行反馈：%(d)s") % {"d": locked.document.title})[:200],
            target=target.strip(),
            owner=owner,
            due_date=due_date,
            description=body,
        )
    elif outcome == FeedbackOutcome.REVISION:
        locked.revision = version_create(
            actor=actor, document=locked.document, label=revision_label, change_note=_("根据体系运行反馈修订：%(b)s") % {"b": body}
        )
    else:
        raise ValidationError({"outcome": _("请选择处理方式。")})
    locked.status, locked.outcome, locked.reviewed_by, locked.reviewed_at = FeedbackStatus.ACCEPTED, outcome, actor, clock.now()
    locked.full_clean()
    locked.save()
    notify(
        users=[locked.given_by],
        title=_("您的体系运行反馈已采纳：%(d)s") % {"d": locked.document},
        body=locked.get_outcome_display(),
        url=reverse("documents:feedback_list"),
        kind="feedback_reviewed",
    )
    return locked


@transaction.atomic
def feedback_reject(*, actor: Any, feedback: ProcedureFeedback, reason: str) -> ProcedureFeedback:
    _require(policy.can_review_feedback(actor), _("只有质量管理部可以评审反馈。"))
    locked = _lock_feedback(feedback)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("未采纳时请写明原因，反馈人会看到。")})
    locked.status, locked.reject_reason, locked.reviewed_by, locked.reviewed_at = (
        FeedbackStatus.REJECTED,
        reason.strip(),
        actor,
        clock.now(),
    )
    locked.full_clean()
    locked.save()
    notify(
        users=[locked.given_by],
        title=_("您的体系运行反馈未被采纳：%(d)s") % {"d": locked.document},
        body=reason.strip(),
        url=reverse("documents:feedback_list"),
        kind="feedback_reviewed",
    )
    return locked
