"""Writes of audits. Every stage move is a service that refuses to skip a step and logs who/when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm import clock
from opsqm.accounts.roles import Role
from opsqm.audits.models import (
    FINDING_SEVERITY,
    KIND_CODE_PREFIX,
    STAGE_ORDER,
    Audit,
    AuditChecklist,
    AuditItemResult,
    AuditKind,
    AuditMeeting,
    AuditProgram,
    AuditStage,
    AuditStageLog,
    AuditTeamMember,
    ItemResult,
)
from opsqm.records.codes import code_allocate
from opsqm.records.locking import StaleEditError, bump_version, lock_for_edit  # noqa: F401  (StaleEditError re-exported)
from opsqm.records.trail import record_bulk

# A finding raised by an audit is due 5 calendar days after the conclusion (seed 2.4.2 asks for
# a prompt reply; calendar days keep the rule simple and predictable for the audited party).
FINDING_DUE_DAYS = 5

PROGRAM_FIELDS = ("year", "title", "objectives")
PLAN_FIELDS = ("title", "kind", "mode", "program", "criteria", "objectives", "scope_org", "planned_start", "planned_end")


def _is_quality_manager(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in (Role.QUALITY_MANAGER, Role.ADMIN)))


def can_plan_audits(user: Any) -> bool:
    return _is_quality_manager(user)


def can_approve_programs(user: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.GM_OFFICE)


# ---------------------------------------------------------------- annual program


@transaction.atomic
def program_create(*, actor: Any, year: int, title: str, objectives: str = "") -> AuditProgram:
    if not _is_quality_manager(actor):
        raise PermissionDenied(_("只有质量经理可以编制年度内审方案。"))
    if AuditProgram.objects.filter(year=year).exists():
        raise ValidationError({"year": _("%(year)d 年度的内审方案已存在，请直接编辑它。") % {"year": year}})
    program = AuditProgram(year=year, title=title, objectives=objectives, drafted_by=actor)
    program.full_clean()
    program.save()
    return program


def _locked_program(program: AuditProgram, expected_version: int | None = None) -> AuditProgram:
    return lock_for_edit(program, expected_version, _("该方案已被他人修改，请刷新页面后重新编辑。"))


@transaction.atomic
def program_update(*, actor: Any, program: AuditProgram, data: dict[str, Any], expected_version: int) -> AuditProgram:
    if not _is_quality_manager(actor):
        raise PermissionDenied(_("只有质量经理可以修改年度内审方案。"))
    locked = _locked_program(program, expected_version)
    if not locked.is_editable:
        raise ValidationError(_("方案状态为“%(s)s”，只有草稿或退回修改的方案可以编辑。") % {"s": locked.get_status_display()})
    for field in PROGRAM_FIELDS:
        if field in data:
            setattr(locked, field, data[field])
    bump_version(locked)
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def program_submit(*, actor: Any, program: AuditProgram) -> AuditProgram:
    if not _is_quality_manager(actor):
        raise PermissionDenied(_("只有质量经理可以提交年度内审方案。"))
    locked = _locked_program(program)
    if not locked.is_editable:
        raise ValidationError(_("方案状态为“%(s)s”，不能再次提交。") % {"s": locked.get_status_display()})
    locked.status = AuditProgram.Status.SUBMITTED
    locked.submitted_at = clock.now()
    bump_version(locked)
    locked.save()
    _notify(
        users=_users_with_role(Role.GM_OFFICE),
        title=_("年度内审方案待审批：%(t)s") % {"t": locked.title},
        body=_("质量经理提交了 %(y)d 年度内审方案，请审批。") % {"y": locked.year},
        url=reverse("audits:program_detail", args=[locked.pk]),
        kind="audit_program",
    )
    return locked


def _decide(actor: Any, program: AuditProgram, status: str, note: str) -> AuditProgram:
    if not can_approve_programs(actor):
        raise PermissionDenied(_("年度内审方案只能由总经办审批。"))
    locked = _locked_program(program)
    if locked.status != AuditProgram.Status.SUBMITTED:
        raise ValidationError(_("方案状态为“%(s)s”，只有待审批的方案可以审批。") % {"s": locked.get_status_display()})
    locked.status = status
    locked.approval_note = note
    if status == AuditProgram.Status.APPROVED:
        locked.approved_by = actor
        locked.approved_at = clock.now()
    bump_version(locked)
    locked.full_clean()
    locked.save()
    verdict = locked.get_status_display()
    _notify(
        users=[locked.drafted_by],
        title=_("年度内审方案%(v)s：%(t)s") % {"v": verdict, "t": locked.title},
        body=note or verdict,
        url=reverse("audits:program_detail", args=[locked.pk]),
        kind="audit_program",
    )
    return locked


@transaction.atomic
def program_approve(*, actor: Any, program: AuditProgram, note: str = "") -> AuditProgram:
    return _decide(actor, program, AuditProgram.Status.APPROVED, note)


@transaction.atomic
def program_return(*, actor: Any, program: AuditProgram, note: str) -> AuditProgram:
    if not note.strip():
        raise ValidationError({"note": _("退回修改时请写明修改意见。")})
    return _decide(actor, program, AuditProgram.Status.RETURNED, note)


# ---------------------------------------------------------------- independence


def independence_problems(user: Any, *, projects: Iterable[Any], departments: Iterable[Any]) -> list[str]:
    """Reasons `user` may not audit this scope (seed 2.4.2: auditors do not audit their own work)."""
    from opsqm.org.models import ProjectMembership, Staff

    projects = list(projects)
    departments = list(departments)
    name = user.display_name
    problems: list[str] = []
    member_of = set(ProjectMembership.objects.filter(user=user, project__in=projects).values_list("project_id", flat=True))
    for p in projects:
        if p.ops_manager_id == user.pk or p.quality_specialist_id == user.pk or p.pk in member_of:
            problems.append(_("%(name)s是被审核项目 %(code)s 的成员，不能审核本人所在项目。") % {"name": name, "code": p.code})
    staff = Staff.objects.filter(user=user).select_related("department").first()
    if staff is not None:
        audited = {d.pk for d in departments} | {p.department_id for p in projects if p.department_id}
        if staff.department_id in audited:
            problems.append(
                _("%(name)s所在部门“%(dept)s”在审核范围内，不能审核本人所在部门。") % {"name": name, "dept": staff.department.name}
            )
    return problems


def _check_team_independence(audit: Audit) -> None:
    projects = list(audit.projects.all())
    departments = list(audit.departments.all())
    problems: list[str] = []
    for member in audit.team.select_related("user"):
        problems += independence_problems(member.user, projects=projects, departments=departments)
    if problems:
        raise ValidationError(problems, code="independence")


# ---------------------------------------------------------------- plan


def _validate_scope(data: dict[str, Any], projects: list[Any], departments: list[Any], checklists: list[tuple[Any, Any]]) -> None:
    errors: dict[str, list[str]] = {}
    kind = data.get("kind")
    if kind == AuditKind.INTERNAL and not data.get("program"):
        errors.setdefault("program", []).append(_("内部审核必须属于一个年度内审方案。"))
    if kind == AuditKind.PROJECT_CHECK and not projects:
        errors.setdefault("projects", []).append(_("项目级检查请至少选择一个受检项目。"))
    if not (data.get("scope_org") or projects or departments):
        errors.setdefault("projects", []).append(_("请确定审核范围：组织级、部门或抽样项目至少选一项。"))
    if not checklists:
        errors.setdefault("checklists", []).append(_("请至少选择一份检查单。"))
    project_ids = {p.pk for p in projects}
    for _version, project in checklists:
        if project is not None and project.pk not in project_ids:
            errors.setdefault("checklists", []).append(_("检查单指定的项目 %(code)s 不在受审核项目中。") % {"code": project.code})
    if errors:
        raise ValidationError(errors)


def _set_team(audit: Audit, lead: Any, members: Iterable[Any]) -> None:
    if lead is None:
        raise ValidationError({"lead": _("请指定审核组长。")})
    members = [m for m in members if m.pk != lead.pk]
    problems: dict[str, list[str]] = {}
    projects, departments = list(audit.projects.all()), list(audit.departments.all())
    lead_problems = independence_problems(lead, projects=projects, departments=departments)
    if lead_problems:
        problems["lead"] = lead_problems
    member_problems = [p for m in members for p in independence_problems(m, projects=projects, departments=departments)]
    if member_problems:
        problems["members"] = member_problems
    if problems:
        raise ValidationError(problems, code="independence")
    audit.team.all().delete()
    AuditTeamMember.objects.create(audit=audit, user=lead, role=AuditTeamMember.Role.LEAD)
    for m in {m.pk: m for m in members}.values():
        AuditTeamMember.objects.create(audit=audit, user=m, role=AuditTeamMember.Role.MEMBER)


def _set_checklists(audit: Audit, checklists: list[tuple[Any, Any]]) -> None:
    audit.checklists.all().delete()
    seen: set[tuple[int, int | None]] = set()
    for version, project in checklists:
        key = (version.pk, project.pk if project else None)
        if key in seen:
            continue
        seen.add(key)
        AuditChecklist.objects.create(audit=audit, checklist_version=version, project=project)


@transaction.atomic
def audit_plan(
    *,
    actor: Any,
    data: dict[str, Any],
    projects: Iterable[Any] = (),
    departments: Iterable[Any] = (),
    checklists: Iterable[tuple[Any, Any]] = (),
    lead: Any,
    members: Iterable[Any] = (),
) -> Audit:
    """Create an audit in stage 'planned' with its scope, checklists and team (independence checked)."""
    if not can_plan_audits(actor):
        raise PermissionDenied(_("只有质量经理可以策划审核与检查。"))
    projects, departments, checklists = list(projects), list(departments), list(checklists)
    _validate_scope(data, projects, departments, checklists)
    fields = {k: data[k] for k in PLAN_FIELDS if k in data}
    if fields.get("kind") != AuditKind.INTERNAL:
        fields.setdefault("program", None)
    audit = Audit(**fields, created_by=actor)
    audit.code = code_allocate(prefix=KIND_CODE_PREFIX[audit.kind], year=audit.planned_start.year, model=Audit, width=2)
    audit.full_clean()
    audit.save()
    audit.projects.set(projects)
    audit.departments.set(departments)
    _set_team(audit, lead, members)
    _set_checklists(audit, checklists)
    AuditStageLog.objects.create(audit=audit, stage=AuditStage.PLANNED, at=clock.now(), by=actor, note=_("完成审核策划"))
    _notify(
        actor=actor,
        users=[m.user for m in audit.team.select_related("user")],
        title=_("您被安排参加审核 %(code)s") % {"code": audit.code},
        body=audit.title,
        url=reverse("audits:audit_detail", args=[audit.pk]),
        kind="audit",
    )
    return audit


@transaction.atomic
def audit_update_plan(
    *,
    actor: Any,
    audit: Audit,
    data: dict[str, Any],
    expected_version: int,
    projects: Iterable[Any],
    departments: Iterable[Any],
    checklists: Iterable[tuple[Any, Any]],
    lead: Any,
    members: Iterable[Any] = (),
) -> Audit:
    if not can_plan_audits(actor):
        raise PermissionDenied(_("只有质量经理可以修改审核策划。"))
    locked = lock_for_edit(audit, expected_version, _("该审核已被他人修改，请刷新页面后重新编辑。"))
    if locked.stage != AuditStage.PLANNED:
        raise ValidationError(_("审核已召开首次会议，策划内容不能再修改。"))
    projects, departments, checklists = list(projects), list(departments), list(checklists)
    _validate_scope({**data, "kind": data.get("kind", locked.kind)}, projects, departments, checklists)
    for k in PLAN_FIELDS:
        if k in data and k != "kind":  # the kind fixes the code; changing it means a new audit
            setattr(locked, k, data[k])
    bump_version(locked)
    locked.full_clean()
    locked.save()
    locked.projects.set(projects)
    locked.departments.set(departments)
    _set_team(locked, lead, members)
    _set_checklists(locked, checklists)
    return locked


# ---------------------------------------------------------------- stages


def _require_lead(actor: Any, audit: Audit) -> None:
    if not AuditTeamMember.objects.filter(audit=audit, user=actor, role=AuditTeamMember.Role.LEAD).exists():
        raise PermissionDenied(_("只有本次审核的审核组长可以执行此步骤。"))


def _require_team(actor: Any, audit: Audit) -> None:
    if not AuditTeamMember.objects.filter(audit=audit, user=actor).exists():
        raise PermissionDenied(_("只有审核组成员可以录入审核结果。"))


def _advance(actor: Any, audit: Audit, to_stage: str, note: str = "") -> Audit:
    """Move the locked audit one stage forward; refuse anything else with a clear Chinese message."""
    locked = lock_for_edit(audit, None)
    target = STAGE_ORDER.index(to_stage)
    current = STAGE_ORDER.index(locked.stage)
    if current != target - 1:
        labels = dict(AuditStage.choices)
        if current >= target:
            raise ValidationError(_("“%(to)s”已经完成，不能重复执行。") % {"to": labels[to_stage]}, code="stage")
        raise ValidationError(
            _("当前阶段为“%(cur)s”，不能跳到“%(to)s”；请先完成“%(need)s”。")
            % {"cur": labels[locked.stage], "to": labels[to_stage], "need": labels[STAGE_ORDER[current + 1]]},
            code="stage",
        )
    locked.stage = to_stage
    bump_version(locked)
    locked.save()
    AuditStageLog.objects.create(audit=locked, stage=to_stage, at=clock.now(), by=actor, note=note)
    return locked


def _record_meeting(
    actor: Any,
    audit: Audit,
    kind: str,
    *,
    held_at: dt.datetime,
    location: str,
    attendees: Iterable[Any],
    external_attendees: str,
    minutes: str,
) -> AuditMeeting:
    meeting = AuditMeeting(
        audit=audit,
        kind=kind,
        held_at=held_at,
        location=location,
        external_attendees=external_attendees,
        minutes=minutes,
        recorded_by=actor,
    )
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(list(attendees))
    return meeting


@transaction.atomic
def audit_record_opening(
    *,
    actor: Any,
    audit: Audit,
    held_at: dt.datetime,
    location: str,
    attendees: Iterable[Any] = (),
    external_attendees: str = "",
    minutes: str,
) -> Audit:
    """首次会议. An internal audit starts only under an approved program; independence is re-checked."""
    _require_lead(actor, audit)
    if audit.stage == AuditStage.PLANNED:
        if audit.kind == AuditKind.INTERNAL and not (audit.program and AuditProgram.objects.get(pk=audit.program_id).is_approved):
            raise ValidationError(
                _("%(year)s 年度内审方案尚未经总经办批准，内部审核不能开始。请先提交方案并等待批准。")
                % {"year": audit.program.year if audit.program else ""},
                code="program",
            )
        _check_team_independence(audit)
        if not audit.checklists.exists():
            raise ValidationError(_("审核还没有检查单，请质量经理在策划中选择检查单。"))
    audit = _advance(actor, audit, AuditStage.OPENING, _("召开首次会议"))
    _record_meeting(
        actor,
        audit,
        AuditMeeting.Kind.OPENING,
        held_at=held_at,
        location=location,
        attendees=attendees,
        external_attendees=external_attendees,
        minutes=minutes,
    )
    return audit


def _snapshot(audit: Audit) -> int:
    """Copy every item of the audit's checklist versions into result rows: one read, one bulk insert.

    The rows go in through a plain QuerySet (no per-row trail events) and the load is recorded as
    one bulk event, like other large loads.
    """
    from opsqm.checklists.models import ChecklistItem

    checklists = {c.pk: c for c in audit.checklists.all()}
    single_project = None
    audit_projects = list(audit.projects.values_list("pk", flat=True))
    if len(audit_projects) == 1:
        single_project = audit_projects[0]
    items = (
        ChecklistItem.objects.filter(version__audit_uses__audit=audit)
        .values(
            "version__audit_uses__id",
            "position",
            "urn",
            "ref_id",
            "parent_urn",
            "depth",
            "text",
            "guidance",
            "evidence",
            "assessable",
            "area",
            "version__template__element",
        )
        .order_by("version__audit_uses__id", "position")
    )
    rows = []
    for it in items:
        ac = checklists[it["version__audit_uses__id"]]
        rows.append(
            AuditItemResult(
                audit=audit,
                audit_checklist_id=ac.pk,
                project_id=ac.project_id or single_project,
                position=it["position"],
                urn=it["urn"],
                ref_id=it["ref_id"],
                parent_urn=it["parent_urn"],
                depth=it["depth"],
                text=it["text"],
                guidance=it["guidance"],
                evidence_hint=it["evidence"],
                assessable=it["assessable"],
                area=it["area"],
                element=it["version__template__element"],
                result=ItemResult.NOT_ASSESSED if it["assessable"] else "",
            )
        )
    models.QuerySet(AuditItemResult).bulk_create(rows, batch_size=len(rows) or None)
    return len(rows)


@transaction.atomic
def audit_start_onsite(*, actor: Any, audit: Audit) -> Audit:
    """现场审核: snapshot the checklists so later checklist edits never change this audit."""
    _require_lead(actor, audit)
    audit = _advance(actor, audit, AuditStage.ONSITE, _("开始现场审核"))
    count = _snapshot(audit)
    record_bulk(model=AuditItemResult, summary=f"{audit.code} 现场审核快照 {count} 条", details={"audit": audit.pk, "items": count})
    return audit


def nonconformity_statement(statement: str, notes: str) -> str:
    """The auditor's statement, else the first line of the note (prefill), at most 200 characters."""
    text = (statement or "").strip() or next((line.strip() for line in (notes or "").splitlines() if line.strip()), "")
    return text[:200]


@transaction.atomic
def audit_item_assess(
    *, actor: Any, item: AuditItemResult, result: str, notes: str, expected_version: int, nonconformity: str = ""
) -> AuditItemResult:
    locked = lock_for_edit(item, None, select_related=("audit",))
    _require_team(actor, locked.audit)
    if locked.audit.stage != AuditStage.ONSITE:
        raise ValidationError(_("只有在现场审核阶段才能录入结果（当前阶段：%(s)s）。") % {"s": locked.audit.get_stage_display()})
    if not locked.assessable:
        raise ValidationError(_("章节标题不需要评估。"))
    lock_for_edit(
        locked,
        expected_version,
        lambda row: (
            _("该条目已被%(who)s修改，请刷新后重新录入。") % {"who": row.assessed_by.display_name if row.assessed_by else _("他人")}
        ),
    )
    if result not in ItemResult.values:
        raise ValidationError({"result": _("请选择有效的审核结果。")})
    if result in FINDING_SEVERITY and not notes.strip():
        raise ValidationError({"notes": _("判定为不符合或观察项时，请在审核记录中写明事实和证据。")})
    if result in (ItemResult.NOT_APPLICABLE, ItemResult.NOT_ASSESSED) and not notes.strip():
        raise ValidationError({"notes": _("标记为不适用或未评估时，请在审核记录中写明理由。")})
    locked.result = result
    locked.notes = notes
    locked.nonconformity = nonconformity_statement(nonconformity, notes) if result in FINDING_SEVERITY else ""
    locked.assessed_by = actor
    locked.assessed_at = clock.now()
    bump_version(locked)
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def audit_items_conform_rest(*, actor: Any, audit: Audit, audit_checklist_id: int) -> int:
    """本节全部符合: every item of one checklist of the audit not assessed yet becomes 符合. Returns how many."""
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    _require_team(actor, locked)
    if locked.stage != AuditStage.ONSITE:
        raise ValidationError(_("只有在现场审核阶段才能录入结果（当前阶段：%(s)s）。") % {"s": locked.get_stage_display()})
    now = clock.now()
    items = AuditItemResult.objects.filter(audit=locked, audit_checklist_id=audit_checklist_id, assessable=True, assessed_by__isnull=True)
    count = 0
    for item in items.select_for_update():
        item.result = ItemResult.CONFORM
        item.assessed_by = actor
        item.assessed_at = now
        bump_version(item)
        item.save(update_fields=["result", "assessed_by", "assessed_at", "version"])
        count += 1
    return count


@transaction.atomic
def audit_item_add_evidence(*, actor: Any, item: AuditItemResult, uploaded_file: Any):
    from opsqm.records.evidence import evidence_store

    _require_team(actor, item.audit)
    if item.audit.stage not in (AuditStage.ONSITE, AuditStage.CONCLUDED):
        raise ValidationError(_("只有在现场审核阶段才能上传证据文件。"))
    return evidence_store(uploaded_file=uploaded_file, actor=actor, owner=item, project_id=item.project_id)


def _finding_owner(item: AuditItemResult, audit: Audit) -> Any:
    if item.project_id:
        return item.project.ops_manager
    department = audit.departments.select_related("head").first()
    return department.head if department and department.head_id else None


def _raise_findings(actor: Any, audit: Audit, today: dt.date) -> list[Any]:
    from opsqm.findings.models import Finding
    from opsqm.findings.services import finding_create

    items = list(AuditItemResult.objects.filter(audit=audit, result__in=list(FINDING_SEVERITY)).select_related("project__ops_manager"))
    existing = set(
        Finding.objects.filter(source_type="audits.audititemresult", source_id__in=[str(i.pk) for i in items]).values_list(
            "source_id", flat=True
        )
    )
    department = audit.departments.first()
    created = []
    for item in items:
        if str(item.pk) in existing:
            continue
        label = ItemResult(item.result).label
        created.append(
            finding_create(
                actor=actor,
                title=(item.nonconformity or f"{audit.code} {item.ref_id} {label}：{item.text}")[:200],
                description=_("审核 %(code)s（%(title)s）条目 %(ref)s 判定为%(label)s。\n检查点：%(text)s\n审核记录：%(notes)s")
                % {"code": audit.code, "title": audit.title, "ref": item.ref_id, "label": label, "text": item.text, "notes": item.notes},
                severity=FINDING_SEVERITY[item.result],
                source=Finding.Source.AUDIT,
                project=item.project,
                department=None if item.project_id else department,
                source_type="audits.audititemresult",
                source_id=str(item.pk),
                source_url=reverse("audits:audit_results", args=[audit.pk]) + f"#item-{item.pk}",
                owner=_finding_owner(item, audit),
                due_date=today + dt.timedelta(days=FINDING_DUE_DAYS),
            )
        )
    return created


@transaction.atomic
def audit_conclude(*, actor: Any, audit: Audit, conclusion: str, rating: str, today: dt.date | None = None) -> Audit:
    """确定审核结论: every nonconformity and observation becomes a finding (major ones reach 总经办)."""
    _require_lead(actor, audit)
    if not conclusion.strip():
        raise ValidationError({"conclusion": _("请填写审核结论。")})
    from opsqm.audits.selectors import unresolved_items

    pending = unresolved_items(audit).count()
    if pending:
        raise ValidationError(
            _("还有 %(n)s 个条目未评估：每个条目都要给出结果，或标记为不适用/未评估并写明理由，之后才能形成结论。") % {"n": pending}
        )
    audit = _advance(actor, audit, AuditStage.CONCLUDED, _("形成审核结论"))
    audit.conclusion = conclusion
    audit.conclusion_rating = rating
    audit.full_clean()
    audit.save()
    _raise_findings(actor, audit, today or timezone.localtime(clock.now()).date())
    return audit


@transaction.atomic
def audit_record_closing(
    *,
    actor: Any,
    audit: Audit,
    held_at: dt.datetime,
    location: str,
    attendees: Iterable[Any] = (),
    external_attendees: str = "",
    minutes: str,
) -> Audit:
    _require_lead(actor, audit)
    audit = _advance(actor, audit, AuditStage.CLOSING, _("召开末次会议"))
    _record_meeting(
        actor,
        audit,
        AuditMeeting.Kind.CLOSING,
        held_at=held_at,
        location=location,
        attendees=attendees,
        external_attendees=external_attendees,
        minutes=minutes,
    )
    return audit


@transaction.atomic
def audit_issue_report(*, actor: Any, audit: Audit) -> Audit:
    """出具审核报告: generate the .docx and .xlsx and keep them (earlier issues stay as revisions)."""
    from opsqm.audits.report import store_reports

    _require_lead(actor, audit)
    audit = _advance(actor, audit, AuditStage.REPORTED, _("出具审核报告"))
    store_reports(actor=actor, audit=audit)
    recipients = {m.user for m in audit.team.select_related("user")} | set(_users_with_role(Role.QUALITY_MANAGER))
    for p in audit.projects.select_related("ops_manager"):
        recipients.add(p.ops_manager)
    _notify(
        actor=actor,
        users=list(recipients),
        title=_("审核报告已出具：%(code)s") % {"code": audit.code},
        body=audit.title,
        url=reverse("audits:audit_detail", args=[audit.pk]),
        kind="audit",
    )
    return audit


@transaction.atomic
def audit_start_followup(*, actor: Any, audit: Audit) -> Audit:
    _require_lead(actor, audit)
    return _advance(actor, audit, AuditStage.FOLLOWUP, _("开始跟踪整改"))


@transaction.atomic
def audit_close(*, actor: Any, audit: Audit) -> Audit:
    """Close only when every finding raised from the audit is closed."""
    from opsqm.audits.selectors import findings_of_audit
    from opsqm.findings.models import Finding

    if not (_is_quality_manager(actor) or AuditTeamMember.objects.filter(audit=audit, user=actor, role=AuditTeamMember.Role.LEAD).exists()):
        raise PermissionDenied(_("只有审核组长或质量经理可以关闭审核。"))
    open_codes = list(findings_of_audit(audit).exclude(status=Finding.Status.CLOSED).values_list("code", flat=True))
    if open_codes:
        raise ValidationError(
            _("还有 %(n)d 个问题未关闭（%(codes)s），全部整改验证关闭后才能关闭审核。")
            % {"n": len(open_codes), "codes": "、".join(open_codes[:10])},
            code="open_findings",
        )
    return _advance(actor, audit, AuditStage.CLOSED, _("整改全部关闭，审核关闭"))


# ---------------------------------------------------------------- helpers


def _users_with_role(role: str) -> list[Any]:
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(role=role, is_active=True))


def _notify(*, users: list[Any], title: str, body: str, url: str, kind: str, actor: Any = None) -> None:
    """Notify the users, never the person who did the thing (she knows)."""
    from opsqm.notifications.services import notify

    users = [u for u in users if u is not None and (actor is None or u.pk != actor.pk)]
    if users:
        notify(users=users, title=title, body=body, url=url, kind=kind, email=True)
