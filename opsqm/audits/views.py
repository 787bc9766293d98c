"""Pages of audits and checks. Thin: access through selectors, writes through services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opsqm.accounts.access import get_visible_or_404, visible_projects
from opsqm.audits import report, selectors, services
from opsqm.audits.forms import (
    AuditPlanForm,
    ConcludeForm,
    DecisionForm,
    EvidenceUploadForm,
    ItemResultForm,
    MeetingForm,
    ProgramForm,
    TemplateUploadForm,
)
from opsqm.audits.models import (
    Audit,
    AuditItemResult,
    AuditKind,
    AuditMeeting,
    AuditProgram,
    AuditStage,
    AuditTeamMember,
    ItemResult,
    ReportTemplate,
)
from opsqm.records.locking import form_version
from opsqm.web import paginate, querystring_without


def _error_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


# ---------------------------------------------------------------- programs


def _programs_visible(request: HttpRequest) -> None:
    if not selectors.can_see_programs(request.user):
        raise Http404


@login_required
def program_list(request: HttpRequest) -> HttpResponse:
    _programs_visible(request)
    return render(
        request,
        "audits/program_list.html",
        {
            "programs": selectors.program_list(),
            "can_plan": services.can_plan_audits(request.user),
        },
    )


@login_required
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _programs_visible(request)
    program = get_visible_or_404(selectors.program_list(), pk=pk)
    audits = selectors.visible_audits(request.user).filter(program=program).prefetch_related("projects").order_by("planned_start")
    return render(
        request,
        "audits/program_detail.html",
        {
            "program": program,
            "audits": audits,
            "can_plan": services.can_plan_audits(request.user),
            "can_approve": services.can_approve_programs(request.user),
            "decision_form": DecisionForm(),
        },
    )


@login_required
def program_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not services.can_plan_audits(request.user):
        raise Http404
    program = get_visible_or_404(AuditProgram.objects.all(), pk=pk) if pk else None
    initial = (
        {"version": program.version}
        if program
        else {"year": timezone.localdate().year, "title": _("%(y)d 年度内部审核方案") % {"y": timezone.localdate().year}}
    )
    form = ProgramForm(request.POST or None, instance=program, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if program:
                program = services.program_update(
                    actor=request.user, program=program, data=data, expected_version=form_version(data.get("version"))
                )
            else:
                program = services.program_create(actor=request.user, year=data["year"], title=data["title"], objectives=data["objectives"])
        except ValidationError as exc:
            for field, errors in getattr(exc, "error_dict", {None: exc.error_list}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("年度内审方案已保存。"))
            return redirect("audits:program_detail", pk=program.pk)
    return render(request, "audits/program_form.html", {"form": form, "program": program})


def _program_action(request: HttpRequest, pk: int, action: Callable[..., Any], done: str) -> HttpResponse:
    _programs_visible(request)
    program = get_visible_or_404(AuditProgram.objects.all(), pk=pk)
    try:
        action(program)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, done)
    return redirect("audits:program_detail", pk=program.pk)


@login_required
@require_POST
def program_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _program_action(request, pk, lambda p: services.program_submit(actor=request.user, program=p), _("方案已提交总经办审批。"))


@login_required
@require_POST
def program_decide(request: HttpRequest, pk: int) -> HttpResponse:
    note = request.POST.get("note", "").strip()
    if request.POST.get("decision") == "approve":
        return _program_action(request, pk, lambda p: services.program_approve(actor=request.user, program=p, note=note), _("方案已批准。"))
    return _program_action(request, pk, lambda p: services.program_return(actor=request.user, program=p, note=note), _("方案已退回修改。"))


# ---------------------------------------------------------------- audits


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    def _int(name: str) -> int | None:
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() else None

    filters = {
        "year": _int("year"),
        "kind": request.GET.get("kind", ""),
        "stage": request.GET.get("stage", ""),
        "project_id": _int("project"),
    }
    qs = selectors.audit_list(request.user, **filters)
    return render(
        request,
        "audits/audit_list.html",
        {
            "page": paginate(request, qs),
            "filters": filters,
            "kinds": AuditKind.choices,
            "stages": AuditStage.choices,
            "projects": visible_projects(request.user).only("pk", "code", "name"),
            "years": sorted({d.year for d in selectors.visible_audits(request.user).dates("planned_start", "year")}, reverse=True),
            "can_plan": services.can_plan_audits(request.user),
            "qs_no_page": querystring_without(request, "page"),
            "rule": selectors.CONFORMANCE_RULE,
        },
    )


def _plan_view(request: HttpRequest, audit: Audit | None) -> HttpResponse:
    if not services.can_plan_audits(request.user):
        raise Http404
    initial: dict[str, Any] = {}
    if audit:
        if audit.stage != AuditStage.PLANNED:
            messages.error(request, _("审核已开始，策划内容不能再修改。"))
            return redirect("audits:audit_detail", pk=audit.pk)
        lead = selectors.team_lead(audit)
        initial = {
            "kind": audit.kind,
            "mode": audit.mode,
            "program": audit.program_id,
            "title": audit.title,
            "criteria": audit.criteria,
            "objectives": audit.objectives,
            "planned_start": audit.planned_start,
            "planned_end": audit.planned_end,
            "scope_org": audit.scope_org,
            "departments": list(audit.departments.all()),
            "projects": list(audit.projects.all()),
            "checklists": list({c.checklist_version_id for c in audit.checklists.all()}),
            "lead": lead.pk if lead else None,
            "members": [m.user_id for m in audit.team.filter(role=AuditTeamMember.Role.MEMBER)],
            "version": audit.version,
        }
    else:
        program = AuditProgram.objects.filter(year=timezone.localdate().year).first()
        initial = {"program": program.pk if program else None, "kind": AuditKind.INTERNAL}
        initial.update(_plan_activity_initial(request))
    form = AuditPlanForm(request.POST or None, initial=initial)
    if audit is not None:
        del form.fields["plan_activity"]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        kwargs = dict(
            actor=request.user,
            data=d,
            projects=d["projects"],
            departments=d["departments"],
            checklists=form.checklist_pairs(),
            lead=d["lead"],
            members=d["members"],
        )
        try:
            if audit:
                audit = services.audit_update_plan(audit=audit, expected_version=form_version(d.get("version")), **kwargs)
            else:
                from django.db import transaction

                with transaction.atomic():  # the audit and its plan link together, or neither
                    audit = services.audit_plan(**kwargs)
                    if d.get("plan_activity"):
                        from opsqm.plans.services import activity_link

                        activity_link(actor=request.user, activity=d["plan_activity"], record=audit)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("审核“%(code)s”已保存。") % {"code": audit.code})
            return redirect("audits:audit_detail", pk=audit.pk)
    return render(request, "audits/audit_form.html", {"form": form, "audit": audit})


def _plan_activity_initial(request: HttpRequest) -> dict[str, Any]:
    """?plan_activity=ID (from a plan activity or a planned project check) pre-fills the new audit."""
    from opsqm.plans.models import PlanActivity

    raw = request.GET.get("plan_activity", "")
    activity = PlanActivity.objects.filter(pk=int(raw)).prefetch_related("projects").first() if raw.isdigit() else None
    if activity is None:
        return {}
    initial: dict[str, Any] = {
        "plan_activity": activity.pk,
        "title": activity.title,
        "planned_start": activity.due_date,
        "planned_end": activity.due_date,
        "objectives": activity.content,
    }
    check = getattr(activity, "planned_check", None) if hasattr(activity, "planned_check") else None
    if activity.type == "project_check" or check is not None:
        initial.update(kind=AuditKind.PROJECT_CHECK, projects=list(activity.projects.all()))
        if check is not None and check.checklist.current_version_id:
            initial["checklists"] = [check.checklist.current_version_id]
    return initial


@login_required
def audit_create(request: HttpRequest) -> HttpResponse:
    return _plan_view(request, None)


@login_required
def audit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_view(request, selectors.get_audit_or_404(request.user, pk))


def _role_context(user: Any, audit: Audit) -> dict[str, Any]:
    team = list(audit.team.select_related("user"))
    lead = next((m.user for m in team if m.role == AuditTeamMember.Role.LEAD), None)
    return {
        "team": team,
        "lead": lead,
        "is_lead": lead is not None and lead.pk == user.pk,
        "on_team": any(m.user_id == user.pk for m in team),
        "can_plan": services.can_plan_audits(user),
    }


@login_required
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    audit = selectors.get_audit_or_404(request.user, pk)
    logs = {log.stage: log for log in audit.stage_logs.select_related("by")}
    steps = [
        {
            "value": v,
            "label": label,
            "log": logs.get(v),
            "done": i < audit.stage_index or (audit.stage == AuditStage.CLOSED),
            "current": v == audit.stage,
        }
        for i, (v, label) in enumerate(AuditStage.choices)
    ]
    ctx = _role_context(request.user, audit)
    meetings = {m.kind: m for m in AuditMeeting.objects.filter(audit=audit).prefetch_related("attendees").select_related("recorded_by")}
    assessed, total = selectors.progress(audit)
    findings = list(selectors.findings_of_audit(audit).order_by("raised_at", "id"))
    from opsqm.records.evidence import evidence_for

    ctx.update(
        {
            "audit": audit,
            "steps": steps,
            "meetings": meetings,
            "assessed": assessed,
            "total": total,
            "conformance": selectors.conformance_for_audit(audit),
            "by_element": selectors.conformance_by_element(audit),
            "rule": selectors.CONFORMANCE_RULE,
            "findings": findings,
            "open_findings": [f for f in findings if not f.is_closed],
            "checklists": audit.checklists.select_related("checklist_version__template", "project"),
            "projects": audit.projects.all(),
            "departments": audit.departments.all(),
            "meeting_form": MeetingForm(audit=audit, initial={"held_at": timezone.localtime().replace(second=0, microsecond=0)}),
            "conclude_form": ConcludeForm(),
            "report_files": evidence_for(audit)[:10],
            "unresolved": selectors.unresolved_items(audit).count() if audit.stage == AuditStage.ONSITE else 0,
            "can_see_program": selectors.can_see_programs(request.user),
        }
    )
    return render(request, "audits/audit_detail.html", ctx)


def _stage_action(
    request: HttpRequest, pk: int, action: Callable[[Audit], Any], done: str, *, back: str = "audits:audit_detail"
) -> HttpResponse:
    audit = selectors.get_audit_or_404(request.user, pk)
    try:
        action(audit)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("您无权执行此操作。"))
    else:
        messages.success(request, done)
    return redirect(back, pk=audit.pk)


def _meeting_action(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    audit = selectors.get_audit_or_404(request.user, pk)
    form = MeetingForm(request.POST, audit=audit)
    if not form.is_valid():
        messages.error(
            request,
            _("会议信息不完整：%(e)s")
            % {"e": "；".join(f"{form.fields[k].label if k in form.fields else ''}{' '.join(v)}" for k, v in form.errors.items())},
        )
        return redirect("audits:audit_detail", pk=audit.pk)
    service = services.audit_record_opening if kind == AuditMeeting.Kind.OPENING else services.audit_record_closing
    done = _("首次会议已记录。") if kind == AuditMeeting.Kind.OPENING else _("末次会议已记录。")
    return _stage_action(request, pk, lambda a: service(actor=request.user, audit=a, **form.cleaned_data), done)


@login_required
@require_POST
def audit_opening(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_action(request, pk, AuditMeeting.Kind.OPENING)


@login_required
@require_POST
def audit_closing(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_action(request, pk, AuditMeeting.Kind.CLOSING)


@login_required
@require_POST
def audit_start_onsite(request: HttpRequest, pk: int) -> HttpResponse:
    return _stage_action(
        request,
        pk,
        lambda a: services.audit_start_onsite(actor=request.user, audit=a),
        _("现场审核已开始，检查单条目已生成。"),
        back="audits:audit_results",
    )


@login_required
@require_POST
def audit_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.get_audit_or_404(request.user, pk)  # a foreign audit is a 404 before anything else
    form = ConcludeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择结论评价并填写审核结论。"))
        return redirect("audits:audit_detail", pk=pk)
    return _stage_action(
        request,
        pk,
        lambda a: services.audit_conclude(
            actor=request.user, audit=a, conclusion=form.cleaned_data["conclusion"], rating=form.cleaned_data["rating"]
        ),
        _("审核结论已形成，不符合项已登记为问题。"),
    )


@login_required
@require_POST
def audit_issue_report(request: HttpRequest, pk: int) -> HttpResponse:
    return _stage_action(request, pk, lambda a: services.audit_issue_report(actor=request.user, audit=a), _("审核报告已出具。"))


@login_required
@require_POST
def audit_start_followup(request: HttpRequest, pk: int) -> HttpResponse:
    return _stage_action(request, pk, lambda a: services.audit_start_followup(actor=request.user, audit=a), _("已进入跟踪整改。"))


@login_required
@require_POST
def audit_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _stage_action(request, pk, lambda a: services.audit_close(actor=request.user, audit=a), _("审核已关闭。"))


@login_required
def audit_results(request: HttpRequest, pk: int) -> HttpResponse:
    audit = selectors.get_audit_or_404(request.user, pk)
    ctx = _role_context(request.user, audit)
    assessed, total = selectors.progress(audit)
    ctx.update(
        {
            "audit": audit,
            "tree": selectors.results_tree(audit),
            "choices": ItemResult.choices,
            "editable": ctx["on_team"] and audit.stage == AuditStage.ONSITE,
            "assessed": assessed,
            "total": total,
            "conformance": selectors.conformance_for_audit(audit),
            "rule": selectors.CONFORMANCE_RULE,
        }
    )
    return render(request, "audits/audit_results.html", ctx)


@login_required
@require_POST
def audit_conform_rest(request: HttpRequest, pk: int, checklist_pk: int) -> HttpResponse:
    audit = selectors.get_audit_or_404(request.user, pk)
    try:
        n = services.audit_items_conform_rest(actor=request.user, audit=audit, audit_checklist_id=checklist_pk)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("您无权执行此操作。"))
    else:
        messages.success(request, _("已将本节 %(n)s 个未评估条目记为符合。") % {"n": n})
    return redirect(reverse("audits:audit_results", args=[audit.pk]) + f"#checklist-{checklist_pk}")


def _item_or_404(user: Any, audit_pk: int, item_pk: int) -> AuditItemResult:
    return get_visible_or_404(
        AuditItemResult.objects.filter(audit__in=selectors.visible_audits(user), audit_id=audit_pk).select_related(
            "audit", "assessed_by", "project"
        ),
        pk=item_pk,
    )


def _row(request: HttpRequest, item: AuditItemResult, *, error: str = "", saved: bool = False) -> HttpResponse:
    from opsqm.records.evidence import evidence_for

    item.evidence_files = list(evidence_for(item))
    return render(
        request,
        "audits/_result_row.html",
        {
            "r": item,
            "choices": ItemResult.choices,
            "editable": True,
            "error": error,
            "saved": saved,
            "audit": item.audit,
        },
    )


@login_required
@require_POST
def audit_item_save(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = _item_or_404(request.user, pk, item_pk)
    form = ItemResultForm(request.POST)
    if not form.is_valid():
        return _row(request, item, error=_("请选择审核结果。"))
    try:
        item = services.audit_item_assess(
            actor=request.user,
            item=item,
            result=form.cleaned_data["result"],
            notes=form.cleaned_data["notes"],
            expected_version=form.cleaned_data["version"],
            nonconformity=form.cleaned_data["nonconformity"],
        )
    except ValidationError as exc:
        item.refresh_from_db()
        return _row(request, item, error=_error_text(exc))
    except PermissionDenied as exc:
        return _row(request, item, error=str(exc))
    response = _row(request, item, saved=True)
    response["HX-Trigger"] = "audit-progress"
    return response


@login_required
@require_POST
def audit_item_upload(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    item = _item_or_404(request.user, pk, item_pk)
    form = EvidenceUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _row(request, item, error=_("请选择要上传的文件。"))
    try:
        services.audit_item_add_evidence(actor=request.user, item=item, uploaded_file=form.cleaned_data["file"])
    except ValidationError as exc:
        return _row(request, item, error=_error_text(exc))
    except PermissionDenied as exc:
        return _row(request, item, error=str(exc))
    return _row(request, item, saved=True)


@login_required
def audit_progress(request: HttpRequest, pk: int) -> HttpResponse:
    audit = selectors.get_audit_or_404(request.user, pk)
    assessed, total = selectors.progress(audit)
    return render(
        request,
        "audits/_progress.html",
        {
            "audit": audit,
            "assessed": assessed,
            "total": total,
            "conformance": selectors.conformance_for_audit(audit),
            "rule": selectors.CONFORMANCE_RULE,
        },
    )


@login_required
def audit_report_download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    from opsqm.records.evidence import evidence_download_response

    audit = selectors.get_audit_or_404(request.user, pk)
    evidence = audit.report_docx if fmt == "docx" else audit.report_xlsx
    if evidence is None:
        raise Http404
    return evidence_download_response(evidence)


# ---------------------------------------------------------------- conformance and report template


@login_required
def conformance(request: HttpRequest) -> HttpResponse:
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else timezone.localdate().year
    return render(
        request,
        "audits/conformance.html",
        {
            "year": year,
            "rows": selectors.conformance_by_project(request.user, year),
            "rule": selectors.CONFORMANCE_RULE,
            "audits": selectors.conformance_by_audit(
                selectors.visible_audits(request.user)
                .filter(planned_start__year=year)
                .exclude(stage=AuditStage.PLANNED)
                .order_by("planned_start")
            ),
        },
    )


@login_required
def report_template(request: HttpRequest) -> HttpResponse:
    if not services.can_plan_audits(request.user):
        raise Http404
    form = TemplateUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if request.POST.get("action") == "revert":
            report.report_template_revert(actor=request.user)
            messages.success(request, _("已恢复为系统默认模板。"))
            return redirect("audits:report_template")
        if form.is_valid():
            try:
                report.report_template_upload(actor=request.user, uploaded_file=form.cleaned_data["file"], note=form.cleaned_data["note"])
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                messages.success(request, _("新模板已启用。"))
                return redirect("audits:report_template")
    return render(
        request,
        "audits/report_template.html",
        {
            "form": form,
            "current": report.active_template(),
            "history": ReportTemplate.objects.select_related("uploaded_by")[:20],
        },
    )


@login_required
def report_template_download(request: HttpRequest) -> HttpResponse:
    if not services.can_plan_audits(request.user):
        raise Http404
    response = HttpResponse(report.template_bytes(), content_type=report.DOCX_MIME)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''audit-report-template.docx"
    response["X-Content-Type-Options"] = "nosniff"
    return response
