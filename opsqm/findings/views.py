from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from opsqm.accounts.access import get_visible_or_404, visible_projects
from opsqm.findings import policy, selectors, services
from opsqm.findings.exports import findings_workbook
from opsqm.findings.forms import (
    ActionForm,
    CauseForm,
    FindingForm,
    ImplementForm,
    ImprovementForm,
    NoteForm,
    ProgressForm,
    ToImprovementForm,
    VerifyForm,
)
from opsqm.findings.models import CorrectiveAction, Finding, ImprovementItem
from opsqm.records.locking import form_version
from opsqm.records.models import EvidenceFile
from opsqm.web import paginate, querystring_without


def _form_error(form: Any, exc: Exception) -> None:
    """Show a service refusal on the form (stale edit, skipped step, self-verification...)."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:
        form.add_error(None, str(exc))


def _finding(request: HttpRequest, pk: int) -> Finding:
    return get_visible_or_404(
        selectors.findings_visible_to(request.user).select_related("project", "owner", "raised_by", "department"), pk=pk
    )


def _action(request: HttpRequest, pk: int) -> CorrectiveAction:
    return get_visible_or_404(selectors.actions_visible_to(request.user).select_related("finding__project", "owner"), pk=pk)


def _step(
    request: HttpRequest,
    *,
    form: Any,
    finding: Finding,
    title: str,
    intro: str,
    perform: Callable[[dict], Any],
    success: str,
    action: CorrectiveAction | None = None,
    allowed: bool = True,
) -> HttpResponse:
    if not allowed:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            perform(form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, success)
            return redirect("findings:detail", pk=finding.pk)
    return render(request, "findings/step_form.html", {"form": form, "finding": finding, "action": action, "title": title, "intro": intro})


def _version(data: dict) -> int:
    return form_version(data.get("version"))


# ------------------------------------------------------------------ findings


@login_required
def finding_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filters = {
        "q": request.GET.get("q", "").strip(),
        "severity": request.GET.get("severity", ""),
        "status": request.GET.get("status", ""),
        "source": request.GET.get("source", ""),
        "project_id": request.GET.get("project", ""),
        "overdue": request.GET.get("overdue") == "1",
    }
    qs = selectors.finding_list(request.user, today=today, **filters)
    return render(
        request,
        "findings/finding_list.html",
        {
            "page": paginate(request, qs),
            "filters": filters,
            "any_filter": any(filters.values()),
            "severities": Finding.Severity.choices,
            "statuses": Finding.Status.choices,
            "sources": Finding.Source.choices,
            "projects": visible_projects(request.user).order_by("code").only("pk", "code", "name"),
            "can_create": policy.can_raise_somewhere(request.user),
            "qs_no_page": querystring_without(request, "page"),
            "qs_all": request.GET.urlencode(),
            "today": today,
        },
    )


@login_required
def finding_export(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    qs = selectors.finding_list(
        request.user,
        today=today,
        q=request.GET.get("q", "").strip(),
        severity=request.GET.get("severity", ""),
        status=request.GET.get("status", ""),
        source=request.GET.get("source", ""),
        project_id=request.GET.get("project", ""),
        overdue=request.GET.get("overdue") == "1",
    )
    response = HttpResponse(findings_workbook(qs), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="findings-{today.isoformat()}.xlsx"'
    return response


@login_required
def finding_create(request: HttpRequest) -> HttpResponse:
    if not policy.can_raise_somewhere(request.user):
        raise PermissionDenied
    form = FindingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            finding = services.finding_create(
                actor=request.user,
                title=data["title"],
                description=data["description"],
                severity=data["severity"],
                source=data["source"],
                project=data["project"],
                department=data["department"],
                owner=data["owner"],
                due_date=data["due_date"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            if finding.severity == Finding.Severity.MAJOR:
                messages.warning(request, _("问题 %(code)s 已登记，并已作为重大问题上报总经办。") % {"code": finding.code})
            else:
                messages.success(request, _("问题 %(code)s 已登记。") % {"code": finding.code})
            return redirect("findings:detail", pk=finding.pk)
    return render(request, "findings/finding_form.html", {"form": form, "finding": None})


@login_required
def finding_edit(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    if not policy.can_edit(request.user, finding) or finding.is_closed:
        raise PermissionDenied
    form = FindingForm(request.POST or None, instance=finding, user=request.user, editing=True, initial={"version": finding.version})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            finding = services.finding_update(actor=request.user, finding=finding, data=data, expected_version=_version(data))
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("问题已保存。"))
            return redirect("findings:detail", pk=finding.pk)
    return render(request, "findings/finding_form.html", {"form": form, "finding": finding})


def _steps(user: Any, finding: Finding, actions: list[CorrectiveAction]) -> dict[str, Any]:
    """Only the next steps this user may take now are offered as buttons."""
    S = Finding.Status
    handle = policy.can_handle(user, finding)
    verifier = policy.can_verify_role(user, finding.project)
    pending = [a for a in actions if a.status in (CorrectiveAction.Status.PLANNED, CorrectiveAction.Status.IMPLEMENTED)]
    for a in actions:
        a.can_edit = handle and a.status == CorrectiveAction.Status.PLANNED
        a.can_implement = a.owner_id == user.pk and a.status == CorrectiveAction.Status.PLANNED and finding.status != S.OPEN
        a.can_verify = verifier and a.status == CorrectiveAction.Status.IMPLEMENTED and user.pk not in (a.owner_id, a.implemented_by_id)
    return {
        "edit": policy.can_edit(user, finding) and not finding.is_closed,
        "analyze": handle and finding.status in (S.OPEN, S.ANALYZED, S.ACTION_PLANNED, S.REOPENED),
        "add_action": handle and finding.status in (S.ANALYZED, S.ACTION_PLANNED, S.IMPLEMENTED, S.REOPENED),
        "close_observation": verifier and finding.severity == Finding.Severity.OBSERVATION and not finding.is_closed and not pending,
        "reopen": verifier and finding.is_closed,
        "improvement": policy.can_manage_improvements(user, finding.project),
    }


@login_required
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    actions = list(finding.actions.select_related("owner", "implemented_by", "verified_by").prefetch_related("escalations"))
    files: dict[str, list[EvidenceFile]] = {}
    for ev in (
        EvidenceFile.objects.filter(owner_type="findings.correctiveaction", owner_id__in=[str(a.pk) for a in actions])
        .select_related("uploaded_by")
        .order_by("uploaded_at")
    ):
        files.setdefault(ev.owner_id, []).append(ev)
    for a in actions:
        a.evidence_files = files.get(str(a.pk), [])
    events = finding.events.select_related("actor", "action")
    return render(
        request,
        "findings/finding_detail.html",
        {
            "finding": finding,
            "actions": actions,
            "events": events,
            "steps": _steps(request.user, finding, actions),
            "improvements": finding.improvements.select_related("owner"),
            "today": timezone.localdate(),
        },
    )


@login_required
def finding_analyze(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    form = CauseForm(request.POST or None, initial={"cause": finding.cause, "version": finding.version})
    return _step(
        request,
        form=form,
        finding=finding,
        allowed=policy.can_handle(request.user, finding),
        title=_("原因分析"),
        intro=_("分析问题产生的原因。完成后即可制定纠正措施。"),
        perform=lambda d: services.finding_analyze(actor=request.user, finding=finding, cause=d["cause"], expected_version=_version(d)),
        success=_("原因分析已保存。"),
    )


@login_required
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    form = ActionForm(request.POST or None, finding=finding, initial={"version": finding.version, "owner": finding.owner_id})
    return _step(
        request,
        form=form,
        finding=finding,
        allowed=policy.can_handle(request.user, finding),
        title=_("制定纠正措施"),
        intro=_("写明要做什么、由谁负责、何时完成。逾期未实施的措施会逐级督办。"),
        perform=lambda d: services.action_create(
            actor=request.user,
            finding=finding,
            description=d["description"],
            owner=d["owner"],
            due_date=d["due_date"],
            expected_version=_version(d),
        ),
        success=_("纠正措施已制定，已通知实施责任人。"),
    )


@login_required
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    form = ActionForm(
        request.POST or None,
        finding=action.finding,
        initial={"description": action.description, "owner": action.owner_id, "due_date": action.due_date, "version": action.version},
    )
    return _step(
        request,
        form=form,
        finding=action.finding,
        action=action,
        allowed=policy.can_handle(request.user, action.finding),
        title=_("修改纠正措施"),
        intro=_("只有待实施的措施可以修改。"),
        perform=lambda d: services.action_update(actor=request.user, action=action, data=d, expected_version=_version(d)),
        success=_("纠正措施已保存。"),
    )


@login_required
def action_implement(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    form = ImplementForm(request.POST or None, request.FILES or None, initial={"version": action.version})
    return _step(
        request,
        form=form,
        finding=action.finding,
        action=action,
        allowed=action.owner_id == request.user.pk,
        title=_("登记实施完成"),
        intro=_("说明措施如何实施，并注明证据材料的位置。之后由其他质量人员或内审员验证。"),
        perform=lambda d: services.action_implement(
            actor=request.user,
            action=action,
            note=d["note"],
            evidence_ref=d["evidence_ref"],
            evidence_file=d.get("evidence_file"),
            expected_version=_version(d),
        ),
        success=_("已登记实施完成，等待验证。"),
    )


@login_required
def action_verify(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(request, pk)
    form = VerifyForm(request.POST or None, initial={"version": action.version})
    return _step(
        request,
        form=form,
        finding=action.finding,
        action=action,
        allowed=policy.can_verify_role(request.user, action.finding.project),
        title=_("验证纠正措施"),
        intro=_("验证人须为质量人员或内审员，且不能是措施的责任人或实施人。"),
        perform=lambda d: services.action_verify(
            actor=request.user, action=action, effective=d["effective"], note=d["note"], expected_version=_version(d)
        ),
        success=_("验证结论已记录。"),
    )


@login_required
def finding_close(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    form = NoteForm(request.POST or None, initial={"version": finding.version})
    form.fields["note"].label = _("关闭说明")
    return _step(
        request,
        form=form,
        finding=finding,
        allowed=policy.can_verify_role(request.user, finding.project),
        title=_("关闭问题"),
        intro=_("观察项可以直接说明后关闭；重大/一般问题须全部纠正措施验证有效后才能关闭。"),
        perform=lambda d: services.finding_close(actor=request.user, finding=finding, note=d["note"], expected_version=_version(d)),
        success=_("问题已关闭。"),
    )


@login_required
def finding_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    form = NoteForm(request.POST or None, initial={"version": finding.version})
    form.fields["note"].label = _("重新打开的原因")
    return _step(
        request,
        form=form,
        finding=finding,
        allowed=policy.can_verify_role(request.user, finding.project),
        title=_("重新打开问题"),
        intro=_("说明问题为何需要继续处理；重新打开后须制定新的纠正措施。"),
        perform=lambda d: services.finding_reopen(actor=request.user, finding=finding, reason=d["note"], expected_version=_version(d)),
        success=_("问题已重新打开。"),
    )


@login_required
def finding_to_improvement(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    if not policy.can_manage_improvements(request.user, finding.project):
        raise PermissionDenied
    form = ToImprovementForm(request.POST or None, initial={"owner": finding.owner_id})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            item = services.improvement_from_finding(
                actor=request.user, finding=finding, target=d["target"], measure=d["measure"], owner=d["owner"], due_date=d["due_date"]
            )
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已列入服务改进计划：%(code)s") % {"code": item.code})
            return redirect("improvements:detail", pk=item.pk)
    return render(
        request,
        "findings/step_form.html",
        {
            "form": form,
            "finding": finding,
            "title": _("列入服务改进计划"),
            "intro": _("把该问题作为一项服务改进，设定目标、责任人和完成日期，定期填报进展。"),
        },
    )


# ------------------------------------------------------------------ improvement register


@login_required
def improvement_list(request: HttpRequest) -> HttpResponse:
    filters = {"q": request.GET.get("q", "").strip(), "status": request.GET.get("status", ""), "project_id": request.GET.get("project", "")}
    qs = selectors.improvement_list(request.user, **filters)
    return render(
        request,
        "findings/improvement_list.html",
        {
            "page": paginate(request, qs),
            "filters": filters,
            "any_filter": any(filters.values()),
            "statuses": ImprovementItem.Status.choices,
            "projects": visible_projects(request.user).order_by("code").only("pk", "code", "name"),
            "can_create": policy.can_raise_somewhere(request.user),
            "qs_no_page": querystring_without(request, "page"),
            "today": timezone.localdate(),
        },
    )


def _improvement(request: HttpRequest, pk: int) -> ImprovementItem:
    return get_visible_or_404(
        selectors.improvements_visible_to(request.user).select_related("project", "owner", "finding", "created_by"), pk=pk
    )


@login_required
def improvement_create(request: HttpRequest) -> HttpResponse:
    if not policy.can_raise_somewhere(request.user):
        raise PermissionDenied
    form = ImprovementForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            item = services.improvement_create(
                actor=request.user,
                title=d["title"],
                target=d["target"],
                measure=d["measure"],
                description=d["description"],
                owner=d["owner"],
                due_date=d["due_date"],
                project=d["project"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("改进项 %(code)s 已登记。") % {"code": item.code})
            return redirect("improvements:detail", pk=item.pk)
    return render(request, "findings/improvement_form.html", {"form": form, "item": None})


@login_required
def improvement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _improvement(request, pk)
    form = ImprovementForm(request.POST or None, instance=item, user=request.user, editing=True, initial={"version": item.version})
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        try:
            item = services.improvement_update(actor=request.user, item=item, data=d, expected_version=_version(d))
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("改进项已保存。"))
            return redirect("improvements:detail", pk=item.pk)
    return render(request, "findings/improvement_form.html", {"form": form, "item": item})


@login_required
def improvement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _improvement(request, pk)
    form = ProgressForm(request.POST or None, initial={"date": timezone.localdate(), "progress": item.progress, "version": item.version})
    can_update = services._can_update_improvement(request.user, item)
    if request.method == "POST":
        if not can_update:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.improvement_add_progress(
                    actor=request.user, item=item, date=d["date"], progress=d["progress"], note=d["note"], expected_version=_version(d)
                )
            except (ValidationError, PermissionDenied) as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("进展已填报。"))
                return redirect("improvements:detail", pk=item.pk)
    return render(
        request,
        "findings/improvement_detail.html",
        {
            "item": item,
            "form": form,
            "can_update": can_update and item.status not in (ImprovementItem.Status.DONE, ImprovementItem.Status.CANCELLED),
            "can_edit": can_update,
            "updates": item.updates.select_related("by"),
            "today": timezone.localdate(),
        },
    )
