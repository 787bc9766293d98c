"""Writes of findings, corrective actions, the overdue ladder and the improvement register.

State machine of a finding (major/minor):
    open --analyze--> analyzed --plan action--> action_planned --all implemented--> implemented
    implemented --verify effective (all actions)--> closed
    implemented --verify ineffective (reason)--> reopened --plan new action--> action_planned ...
    closed --reopen (reason)--> reopened
An observation may also be closed with a note from open/analyzed without any action.
Every transition takes a row lock, bumps `version` and writes a FindingEvent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm import clock
from opsqm.accounts.roles import Role
from opsqm.findings import policy
from opsqm.findings.models import ActionEscalation, CorrectiveAction, Finding, FindingEvent, ImprovementItem, ImprovementUpdate
from opsqm.notifications.services import notify
from opsqm.records.codes import code_allocate
from opsqm.records.dates import check_due_date
from opsqm.records.locking import StaleEditError, bump_version, lock_for_edit

__all__ = [
    "StaleEditError",
    "finding_create",
    "finding_update",
    "finding_analyze",
    "finding_close",
    "finding_reopen",
    "action_create",
    "action_update",
    "action_implement",
    "action_verify",
    "actions_escalate_overdue",
    "improvement_create",
    "improvement_update",
    "improvement_add_progress",
    "improvement_from_finding",
]

FINDING_EDIT_FIELDS = ("title", "description", "severity", "owner", "due_date", "department")
ACTION_EDIT_FIELDS = ("description", "owner", "due_date")
IMPROVEMENT_EDIT_FIELDS = ("title", "description", "target", "measure", "owner", "due_date", "status", "project")
# Days overdue at which the ladder reaches owner / O&M manager / management rep / 总经办.
DEFAULT_ESCALATION_DAYS = (0, 3, 7, 14)
ANSWER_WORKING_DAYS = 3  # itss_domain §5.1: corrective action proposed within 3 working days.

S = Finding.Status
A = CorrectiveAction.Status
K = FindingEvent.Kind


# ---------------------------------------------------------------- helpers


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or clock.now()


def _add_working_days(start: dt.date, days: int) -> dt.date:
    """`days` China working days after `start`: statutory holidays off, 调休 weekends on,
    including the years the quality department imported after the built-in table."""
    from opsqm.core.calendars import BusinessCalendar
    from opsqm.tickets.calendars import imported_years

    calendar = BusinessCalendar.china(extra_years=imported_years())
    current = start
    while days > 0:
        current += dt.timedelta(days=1)
        if calendar.is_workday(current):
            days -= 1
    return current


def _lock_finding(finding: Finding, expected_version: int | None) -> Finding:
    return lock_for_edit(finding, expected_version, _("该问题已被他人修改，请刷新页面查看最新状态后再操作。"), select_related=("project",))


def _lock_action(action: CorrectiveAction, expected_version: int | None) -> CorrectiveAction:
    return lock_for_edit(
        action, expected_version, _("该纠正措施已被他人修改，请刷新页面查看最新状态后再操作。"), select_related=("finding__project",)
    )


def _save(instance: Any) -> None:
    bump_version(instance)
    instance.full_clean()
    instance.save()


def _event(
    finding: Finding, actor: Any, kind: str, note: str = "", *, action: CorrectiveAction | None = None, at: dt.datetime | None = None
) -> None:
    FindingEvent.objects.create(finding=finding, action=action, actor=actor, kind=kind, note=note, at=_now(at))


def _finding_url(finding: Finding) -> str:
    return reverse("findings:detail", args=[finding.pk])


def _local_date(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def _check_answer_deadline(due_date: dt.date | None, *, at: dt.datetime, raised_at: dt.datetime | None = None) -> None:
    """答复期限 of a finding: not before today (business clock) nor before the finding was registered."""
    check_due_date(due_date, today=_local_date(at), not_before=_local_date(raised_at) if raised_at else None, what=_("答复期限"))


def _check_action_due(due_date: dt.date | None, *, at: dt.datetime, finding: Finding) -> None:
    """完成期限 of a corrective action: not before today (business clock) nor before its finding existed."""
    check_due_date(due_date, today=_local_date(at), not_before=_local_date(finding.raised_at), what=_("完成期限"))


def _active_users(role: str) -> list[Any]:
    return list(get_user_model().objects.filter(role=role, is_active=True))


def _escalate_major(finding: Finding, actor: Any, now: dt.datetime) -> None:
    """Seed 2.4.2: a major problem goes straight to 总经办 (in-app + email) and onto their dashboard."""
    finding.escalated_to_gm_at = now
    project = finding.project.code if finding.project_id else _("公司级")
    notify(
        users=_active_users(Role.GM_OFFICE),
        title=_("重大问题上报：%(code)s %(title)s") % {"code": finding.code, "title": finding.title},
        body=_("项目：%(project)s\n来源：%(source)s\n提出人：%(by)s\n\n%(desc)s")
        % {
            "project": project,
            "source": finding.get_source_display(),
            "by": actor.display_name,
            "desc": finding.description,
        },
        url=_finding_url(finding),
        kind="finding_major",
    )


# ---------------------------------------------------------------- findings


@transaction.atomic
def finding_create(
    *,
    actor: Any,
    title: str,
    description: str,
    severity: str,
    source: str,
    project: Any = None,
    department: Any = None,
    source_type: str = "",
    source_id: str = "",
    source_url: str = "",
    owner: Any = None,
    due_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Finding:
    if not policy.can_raise(actor, project):
        raise PermissionDenied(_("您无权在该范围登记问题：质量人员可在其可见范围登记，运维经理只能为自己负责的项目登记。"))
    at = _now(now)
    if owner is None:
        owner = project.ops_manager if project is not None else actor
    _check_answer_deadline(due_date, at=at)
    if due_date is None:
        due_date = _add_working_days(timezone.localtime(at).date(), ANSWER_WORKING_DAYS)
    year = timezone.localtime(at).year
    finding = Finding(
        code=code_allocate(prefix="NC", year=year, model=Finding),
        title=title,
        description=description,
        severity=severity,
        source=source,
        project=project,
        department=department,
        source_type=source_type,
        source_id=str(source_id or ""),
        source_url=source_url,
        raised_by=actor,
        raised_at=at,
        owner=owner,
        due_date=due_date,
    )
    if severity == Finding.Severity.MAJOR:
        finding.escalated_to_gm_at = at
    finding.full_clean()
    finding.save()
    _event(
        finding,
        actor,
        K.CREATED,
        _("等级：%(s)s；来源：%(src)s") % {"s": finding.get_severity_display(), "src": finding.get_source_display()},
        at=at,
    )
    if severity == Finding.Severity.MAJOR:
        _escalate_major(finding, actor, at)
        _event(finding, actor, K.ESCALATED_GM, _("已通知总经办（站内通知和邮件）。"), at=at)
    if owner is not None and owner.pk != actor.pk:
        notify(
            users=[owner],
            title=_("新问题待您分析原因：%(code)s %(title)s") % {"code": finding.code, "title": title},
            body=_("请在 %(due)s 前完成原因分析并制定纠正措施。") % {"due": due_date.isoformat()},
            url=_finding_url(finding),
            kind="finding_assigned",
        )
    return finding


@transaction.atomic
def finding_update(*, actor: Any, finding: Finding, data: dict[str, Any], expected_version: int) -> Finding:
    locked = _lock_finding(finding, expected_version)
    if not policy.can_edit(actor, locked):
        raise PermissionDenied(_("只有提出人或质量人员可以修改问题。"))
    if locked.status == S.CLOSED:
        raise ValidationError(_("问题已关闭，不能再修改；如需继续处理，请先重新打开。"))
    was_major = locked.severity == Finding.Severity.MAJOR
    changed = [f for f in FINDING_EDIT_FIELDS if f in data and getattr(locked, f) != data[f]]
    if "due_date" in changed:  # an unchanged (even passed) deadline does not block other edits
        _check_answer_deadline(data["due_date"], at=clock.now(), raised_at=locked.raised_at)
    for field in FINDING_EDIT_FIELDS:
        if field in data:
            setattr(locked, field, data[field])
    now = clock.now()
    becomes_major = not was_major and locked.severity == Finding.Severity.MAJOR
    if becomes_major:
        locked.escalated_to_gm_at = now
    _save(locked)
    if changed:
        labels = "、".join(str(Finding._meta.get_field(f).verbose_name) for f in changed)
        _event(locked, actor, K.EDITED, _("修改了：%(fields)s") % {"fields": labels})
    if becomes_major:
        _escalate_major(locked, actor, now)
        _event(locked, actor, K.ESCALATED_GM, _("等级调整为重大，已通知总经办。"))
    return locked


@transaction.atomic
def finding_analyze(
    *, actor: Any, finding: Finding, cause: str, expected_version: int | None = None, now: dt.datetime | None = None
) -> Finding:
    locked = _lock_finding(finding, expected_version)
    if not policy.can_handle(actor, locked):
        raise PermissionDenied(_("只有问题责任人、项目运维经理或质量人员可以填写原因分析。"))
    if locked.status in (S.IMPLEMENTED, S.CLOSED):
        raise ValidationError(_("措施已实施或问题已关闭，不能再修改原因分析；如需重新分析，请先验证为无效或重新打开问题。"))
    cause = (cause or "").strip()
    if not cause:
        raise ValidationError({"cause": _("请填写原因分析。")})
    locked.cause = cause
    if locked.status == S.OPEN:
        locked.status = S.ANALYZED
    _save(locked)
    _event(locked, actor, K.ANALYZED, cause, at=now)
    return locked


def _require_verifier(actor: Any, finding: Finding, note_verb: str) -> None:
    if not policy.can_verify_role(actor, finding.project):
        raise PermissionDenied(_("只有质量经理、本项目质量专员或内审员可以%(verb)s。") % {"verb": note_verb})


@transaction.atomic
def finding_close(
    *, actor: Any, finding: Finding, note: str, expected_version: int | None = None, now: dt.datetime | None = None
) -> Finding:
    """Close by hand: an observation with a note; a major/minor finding only once its actions were verified effective."""
    locked = _lock_finding(finding, expected_version)
    _require_verifier(actor, locked, _("关闭问题"))
    if locked.status == S.CLOSED:
        raise ValidationError(_("问题已经关闭。"))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写关闭说明。")})
    actions = list(locked.actions.all())
    if any(a.status in (A.PLANNED, A.IMPLEMENTED) for a in actions):
        raise ValidationError(_("还有未完成或未验证的纠正措施，请先完成实施和验证。"))
    if locked.severity != Finding.Severity.OBSERVATION:
        if locked.status == S.REOPENED or not any(a.status == A.VERIFIED_EFFECTIVE for a in actions):
            raise ValidationError(_("重大/一般问题必须有经验证有效的纠正措施才能关闭：请先制定措施、实施，并由质量人员或内审员验证有效。"))
    blocker = _close_blocker(locked)
    if blocker:
        raise ValidationError(blocker)
    at = _now(now)
    locked.status = S.CLOSED
    locked.closed_at = at
    locked.close_note = note
    _save(locked)
    _event(locked, actor, K.CLOSED, note, at=at)
    _notify_closed(locked, actor)
    return locked


@transaction.atomic
def finding_reopen(*, actor: Any, finding: Finding, reason: str, expected_version: int | None = None) -> Finding:
    locked = _lock_finding(finding, expected_version)
    _require_verifier(actor, locked, _("重新打开问题"))
    if locked.status != S.CLOSED:
        raise ValidationError(_("只有已关闭的问题可以重新打开。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写重新打开的原因。")})
    locked.status = S.REOPENED
    locked.closed_at = None
    locked.close_note = reason
    _save(locked)
    _event(locked, actor, K.REOPENED, reason)
    if locked.owner_id:
        notify(
            users=[locked.owner],
            title=_("问题被重新打开：%(code)s") % {"code": locked.code},
            body=reason,
            url=_finding_url(locked),
            kind="finding_reopened",
        )
    return locked


def _close_blocker(finding: Finding) -> str | None:
    """A finding raised from a customer complaint closes only after a satisfied return visit (C8)."""
    from opsqm.surveys.services import complaint_close_blocker

    return complaint_close_blocker(finding)


def _refresh_finding_status(finding: Finding, actor: Any, at: dt.datetime) -> None:
    """Derive the finding's step from its actions. A reopened finding waits for a new action."""
    if finding.status == S.REOPENED:
        return
    statuses = [a.status for a in finding.actions.all() if a.status != A.VERIFIED_INEFFECTIVE]
    if not statuses:
        return
    if A.PLANNED in statuses:
        new = S.ACTION_PLANNED
    elif A.IMPLEMENTED in statuses:
        new = S.IMPLEMENTED
    else:
        new = S.IMPLEMENTED if _close_blocker(finding) else S.CLOSED
    if new != finding.status:
        finding.status = new
        if new == S.CLOSED:
            finding.closed_at = at
            finding.close_note = _("全部纠正措施经验证有效。")
        _save(finding)
        if new == S.CLOSED:
            _event(finding, actor, K.CLOSED, finding.close_note, at=at)
            _notify_closed(finding, actor)


def _notify_closed(finding: Finding, actor: Any) -> None:
    """The finding's owner hears that it is closed (unless they closed it themselves)."""
    if finding.owner_id and finding.owner_id != actor.pk:
        notify(
            users=[finding.owner],
            title=_("问题已关闭：%(code)s %(title)s") % {"code": finding.code, "title": finding.title},
            body=finding.close_note,
            url=_finding_url(finding),
            kind="finding_closed",
        )


# ---------------------------------------------------------------- corrective actions


@transaction.atomic
def action_create(
    *,
    actor: Any,
    finding: Finding,
    description: str,
    owner: Any,
    due_date: dt.date,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> CorrectiveAction:
    locked = _lock_finding(finding, expected_version)
    if not policy.can_handle(actor, locked):
        raise PermissionDenied(_("只有问题责任人、项目运维经理或质量人员可以制定纠正措施。"))
    if locked.status == S.OPEN:
        raise ValidationError(_("请先完成原因分析，再制定纠正措施。"))
    if locked.status == S.CLOSED:
        raise ValidationError(_("问题已关闭，不能再增加纠正措施；如需继续处理，请先重新打开。"))
    at = _now(now)
    _check_action_due(due_date, at=at, finding=locked)
    action = CorrectiveAction(finding=locked, description=description, owner=owner, due_date=due_date, created_by=actor)
    action.full_clean()
    action.save()
    if locked.status in (S.ANALYZED, S.REOPENED, S.IMPLEMENTED):
        locked.status = S.ACTION_PLANNED
    _save(locked)
    _event(
        locked,
        actor,
        K.ACTION_PLANNED,
        _("%(desc)s（责任人：%(owner)s，期限：%(due)s）") % {"desc": description, "owner": owner.display_name, "due": due_date.isoformat()},
        action=action,
        at=at,
    )
    if owner.pk != actor.pk:
        notify(
            users=[owner],
            title=_("纠正措施待您实施：%(code)s") % {"code": locked.code},
            body=_("%(desc)s\n完成期限：%(due)s") % {"desc": description, "due": due_date.isoformat()},
            url=_finding_url(locked),
            kind="action_assigned",
        )
    return action


@transaction.atomic
def action_update(*, actor: Any, action: CorrectiveAction, data: dict[str, Any], expected_version: int) -> CorrectiveAction:
    locked = _lock_action(action, expected_version)
    if not policy.can_handle(actor, locked.finding):
        raise PermissionDenied(_("只有问题责任人、项目运维经理或质量人员可以修改纠正措施。"))
    if locked.status != A.PLANNED:
        raise ValidationError(_("只有待实施的纠正措施可以修改。"))
    if "due_date" in data and data["due_date"] != locked.due_date:
        _check_action_due(data["due_date"], at=clock.now(), finding=locked.finding)
    for field in ACTION_EDIT_FIELDS:
        if field in data:
            setattr(locked, field, data[field])
    _save(locked)
    _event(
        locked.finding,
        actor,
        K.ACTION_EDITED,
        _("%(desc)s（责任人：%(owner)s，期限：%(due)s）")
        % {"desc": locked.description, "owner": locked.owner.display_name, "due": locked.due_date.isoformat()},
        action=locked,
    )
    return locked


@transaction.atomic
def action_implement(
    *,
    actor: Any,
    action: CorrectiveAction,
    note: str,
    evidence_ref: str = "",
    evidence_file: Any = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> CorrectiveAction:
    locked = _lock_action(action, expected_version)
    if locked.owner_id != actor.pk:
        raise PermissionDenied(_("只有该措施的实施责任人可以登记实施完成。"))
    if locked.status != A.PLANNED:
        raise ValidationError(_("该措施不是“待实施”状态，不能重复登记实施。"))
    finding = _lock_finding(locked.finding, None)
    if finding.status in (S.OPEN, S.CLOSED):
        raise ValidationError(_("问题尚未完成原因分析或已关闭，不能登记实施。"))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请说明措施的实施情况。")})
    at = _now(now)
    locked.status = A.IMPLEMENTED
    locked.implemented_at = at
    locked.implemented_by = actor
    locked.implementation_note = note
    locked.evidence_ref = evidence_ref
    _save(locked)
    if evidence_file is not None:
        # Validated (allowlist, size cap, content sniffing) and stored under a generated name by records.
        from opsqm.records.evidence import evidence_store

        stored = evidence_store(uploaded_file=evidence_file, actor=actor, owner=locked, project_id=finding.project_id)
        evidence_ref = f"{evidence_ref} {stored.original_name}".strip()
    _event(finding, actor, K.IMPLEMENTED, note + (f"\n{_('证据')}：{evidence_ref}" if evidence_ref else ""), action=locked, at=at)
    _refresh_finding_status(finding, actor, at)
    verifiers = [u for u in ([finding.project.quality_specialist] if finding.project_id else []) if u is not None]
    if not verifiers:
        verifiers = _active_users(Role.QUALITY_MANAGER)
    notify(
        users=[u for u in verifiers if u.pk != actor.pk],
        title=_("纠正措施待您验证：%(code)s") % {"code": finding.code},
        body=note,
        url=_finding_url(finding),
        kind="action_to_verify",
    )
    return locked


@transaction.atomic
def action_verify(
    *,
    actor: Any,
    action: CorrectiveAction,
    effective: bool,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> CorrectiveAction:
    locked = _lock_action(action, expected_version)
    finding = _lock_finding(locked.finding, None)
    _require_verifier(actor, finding, _("验证纠正措施"))
    if locked.status == A.PLANNED:
        raise ValidationError(_("该措施尚未实施，不能验证：请等实施责任人登记实施完成后再验证。"))
    if locked.status != A.IMPLEMENTED:
        raise ValidationError(_("该措施已经验证过了。"))
    if actor.pk in (locked.implemented_by_id, locked.owner_id):
        raise PermissionDenied(_("不能验证自己实施或负责的措施：请由其他质量人员或内审员验证。"))
    note = (note or "").strip()
    if not effective and not note:
        raise ValidationError({"note": _("验证无效时必须说明原因，以便重新制定措施。")})
    at = _now(now)
    locked.status = A.VERIFIED_EFFECTIVE if effective else A.VERIFIED_INEFFECTIVE
    locked.verified_by = actor
    locked.verified_at = at
    locked.verification_note = note
    _save(locked)
    if effective:
        _event(finding, actor, K.VERIFIED_EFFECTIVE, note, action=locked, at=at)
        _refresh_finding_status(finding, actor, at)
        notify(
            users=[u for u in {locked.owner, locked.implemented_by} if u is not None and u.pk != actor.pk],
            title=_("纠正措施已验证有效：%(code)s") % {"code": finding.code},
            body=note or locked.description,
            url=_finding_url(finding),
            kind="action_effective",
        )
    else:
        finding.status = S.REOPENED
        finding.close_note = note
        _save(finding)
        _event(finding, actor, K.VERIFIED_INEFFECTIVE, note, action=locked, at=at)
        _event(finding, actor, K.REOPENED, note, at=at)
        notify(
            users=[u for u in (locked.owner, finding.owner) if u is not None],
            title=_("纠正措施验证无效，问题已重新打开：%(code)s") % {"code": finding.code},
            body=note,
            url=_finding_url(finding),
            kind="action_ineffective",
        )
    return locked


# ---------------------------------------------------------------- overdue ladder


def escalation_days() -> tuple[int, ...]:
    days = tuple(getattr(settings, "OPSQM_ESCALATION_DAYS", DEFAULT_ESCALATION_DAYS))
    if len(days) != 4 or list(days) != sorted(days):
        raise ValueError("OPSQM_ESCALATION_DAYS must be four ascending day counts")
    return days


def _target_level(days_overdue: int, days: tuple[int, ...]) -> int:
    level = 0
    for i, threshold in enumerate(days):
        if days_overdue >= max(1, threshold):
            level = i
    return level


def _ladder_recipients(action: CorrectiveAction, level: int) -> list[Any]:
    people: list[Any] = [action.owner]
    project = action.finding.project
    if level == 1:
        people.append(project.ops_manager if project is not None else None)
        if project is None:
            people.extend(_active_users(Role.QUALITY_MANAGER))
    elif level == 2:
        people.extend(_active_users(Role.MGMT_REP))
    elif level == 3:
        people.extend(_active_users(Role.GM_OFFICE))
    return [p for p in people if p is not None and p.is_active]


def actions_escalate_overdue(*, today: dt.date) -> list[ActionEscalation]:
    """Climb the ladder for every planned action past due. Idempotent: a level is recorded once per action."""
    days = escalation_days()
    created: list[ActionEscalation] = []
    overdue = (
        CorrectiveAction.objects.filter(status=A.PLANNED, due_date__lt=today)
        .select_related("owner", "finding__project__ops_manager")
        .order_by("due_date", "pk")
    )
    for action in overdue:
        with transaction.atomic():
            days_overdue = (today - action.due_date).days
            level = _target_level(days_overdue, days)
            done = set(action.escalations.values_list("level", flat=True))
            if done and max(done) >= level:
                continue
            recipients = _ladder_recipients(action, level)
            at = clock.now()
            row = ActionEscalation.objects.create(action=action, level=level, at=at, on_date=today, days_overdue=days_overdue)
            row.notified.set(recipients)
            CorrectiveAction.objects.filter(pk=action.pk).update(escalation_level=level)
            label = ActionEscalation.Level(level).label
            names = "、".join(p.display_name for p in recipients)
            _event(
                action.finding,
                None,
                K.OVERDUE,
                _("逾期 %(d)d 天，督办至%(label)s；已通知：%(names)s") % {"d": days_overdue, "label": label, "names": names},
                action=action,
                at=at,
            )
            notify(
                users=recipients,
                title=_("纠正措施逾期 %(d)d 天（督办：%(label)s）：%(code)s")
                % {"d": days_overdue, "label": label, "code": action.finding.code},
                body=_("%(desc)s\n责任人：%(owner)s\n完成期限：%(due)s")
                % {"desc": action.description, "owner": action.owner.display_name, "due": action.due_date.isoformat()},
                url=_finding_url(action.finding),
                kind="action_overdue",
            )
            created.append(row)
    return created


# ---------------------------------------------------------------- improvement register


def _validate_progress(progress: int) -> None:
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": _("进度必须在 0 到 100 之间。")})


@transaction.atomic
def improvement_create(
    *,
    actor: Any,
    title: str,
    target: str,
    owner: Any,
    due_date: dt.date,
    description: str = "",
    measure: str = "",
    project: Any = None,
    finding: Finding | None = None,
    progress: int = 0,
    status: str = ImprovementItem.Status.PLANNED,
) -> ImprovementItem:
    if not policy.can_manage_improvements(actor, project):
        raise PermissionDenied(_("您无权在该范围登记服务改进项。"))
    _validate_progress(progress)
    check_due_date(due_date, today=_local_date(clock.now()), what=_("计划完成日期"))
    year = timezone.localdate().year
    item = ImprovementItem(
        code=code_allocate(prefix="IMP", year=year, model=ImprovementItem),
        title=title,
        description=description,
        target=target,
        measure=measure,
        owner=owner,
        due_date=due_date,
        progress=progress,
        status=status,
        project=project,
        finding=finding,
        created_by=actor,
    )
    item.full_clean()
    item.save()
    if finding is not None:
        _event(finding, actor, K.IMPROVEMENT, f"{item.code}：{target}")
    if owner.pk != actor.pk:
        notify(
            users=[owner],
            title=_("服务改进项由您负责：%(code)s %(title)s") % {"code": item.code, "title": title},
            body=_("改进目标：%(t)s\n计划完成：%(due)s") % {"t": target, "due": due_date.isoformat()},
            url=reverse("improvements:detail", args=[item.pk]),
            kind="improvement_assigned",
        )
    return item


@transaction.atomic
def improvement_from_finding(
    *, actor: Any, finding: Finding, target: str, owner: Any, due_date: dt.date, measure: str = ""
) -> ImprovementItem:
    locked = _lock_finding(finding, None)
    item = improvement_create(
        actor=actor,
        title=locked.title,
        description=locked.description,
        target=target,
        measure=measure,
        owner=owner,
        due_date=due_date,
        project=locked.project,
        finding=locked,
    )
    return item


def _can_update_improvement(actor: Any, item: ImprovementItem) -> bool:
    return item.owner_id == actor.pk or item.created_by_id == actor.pk or policy.is_quality_staff_for(actor, item.project)


@transaction.atomic
def improvement_update(*, actor: Any, item: ImprovementItem, data: dict[str, Any], expected_version: int) -> ImprovementItem:
    locked = lock_for_edit(item, expected_version, _("该改进项已被他人修改，请刷新页面后重新编辑。"))
    if not _can_update_improvement(actor, locked):
        raise PermissionDenied(_("只有改进项责任人、登记人或质量人员可以修改。"))
    if "project" in data and data["project"] != locked.project and not policy.can_manage_improvements(actor, data["project"]):
        raise PermissionDenied(_("您无权把改进项移到该项目。"))
    if "due_date" in data and data["due_date"] != locked.due_date:
        check_due_date(data["due_date"], today=_local_date(clock.now()), what=_("计划完成日期"))
    for field in IMPROVEMENT_EDIT_FIELDS:
        if field in data:
            setattr(locked, field, data[field])
    if locked.status == ImprovementItem.Status.DONE and locked.progress != 100:
        raise ValidationError({"status": _("标记为已完成前，请先把进度更新为 100%。")})
    _save(locked)
    return locked


@transaction.atomic
def improvement_add_progress(
    *, actor: Any, item: ImprovementItem, date: dt.date, progress: int, note: str, expected_version: int | None = None
) -> ImprovementUpdate:
    locked = lock_for_edit(item, expected_version, _("该改进项已被他人修改，请刷新页面后重新填报。"))
    if not _can_update_improvement(actor, locked):
        raise PermissionDenied(_("只有改进项责任人、登记人或质量人员可以填报进展。"))
    if locked.status in (ImprovementItem.Status.DONE, ImprovementItem.Status.CANCELLED):
        raise ValidationError(_("改进项已完成或已取消，不能再填报进展。"))
    _validate_progress(progress)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写进展说明。")})
    update = ImprovementUpdate(item=locked, date=date, progress=progress, note=note, by=actor)
    update.full_clean()
    update.save()
    locked.progress = progress
    locked.status = ImprovementItem.Status.DONE if progress == 100 else ImprovementItem.Status.IN_PROGRESS
    _save(locked)
    return update
