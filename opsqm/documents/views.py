"""Pages of controlled documents and system-operation supervision. Thin: selectors read, services write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opsqm.accounts.access import get_visible_or_404
from opsqm.documents import forms, policy, selectors, services
from opsqm.documents.models import DocumentType, FeedbackRound, VersionStatus
from opsqm.records.locking import form_version
from opsqm.web import paginate


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _reader(request: HttpRequest) -> None:
    if not policy.is_staff_reader(request.user):
        raise Http404


def _run(request: HttpRequest, fn: Callable[[], Any], ok: str) -> bool:
    try:
        fn()
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return False
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("您无权执行此操作。"))
        return False
    messages.success(request, ok)
    return True


@login_required
def document_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    q, doc_type, status = request.GET.get("q", "").strip(), request.GET.get("type", ""), request.GET.get("status", "")
    qs = selectors.document_list(request.user, q=q, doc_type=doc_type, status=status)
    today = timezone.localdate()
    if request.GET.get("review") == "due":  # the cockpit's "due for review" count
        qs = qs.filter(pk__in=selectors.documents_due_for_review(today=today).values("pk"))
    if request.GET.get("mine"):
        qs = qs.filter(owner=request.user)
    return render(
        request,
        "documents/document_list.html",
        {
            "page": paginate(request, qs, 50),
            "types": DocumentType.choices,
            "filters": {"q": q, "type": doc_type, "status": status},
            "can_edit": policy.can_edit_documents(request.user),
            "today": today,
            "due_soon": today + dt.timedelta(days=selectors.REVIEW_REMINDER_DAYS),
        },
    )


@login_required
def document_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _reader(request)
    document = get_visible_or_404(selectors.documents_visible_to(request.user), pk=pk) if pk else None
    if (document and not policy.can_edit_document(request.user, document)) or (
        not document and not policy.can_edit_documents(request.user)
    ):
        raise Http404
    initial: dict[str, Any] = {}
    if document:
        initial = {
            "code": document.code,
            "title": document.title,
            "doc_type": document.doc_type,
            "department": document.department,
            "owner": document.owner,
            "next_review_date": document.next_review_date,
            "distribution": list(document.distribution.all()),
            "version": document.version,
        }
    form = forms.DocumentForm(request.POST or None, initial=initial, editing=bool(document))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if document:
                document = services.document_update(
                    actor=request.user,
                    document=document,
                    data=data,
                    expected_version=form_version(data.get("version")),
                    distribution=data["distribution"],
                )
            else:
                document = services.document_create(
                    actor=request.user,
                    code=data["code"],
                    title=data["title"],
                    doc_type=data["doc_type"],
                    owner=data["owner"],
                    department=data["department"],
                    next_review_date=data["next_review_date"],
                    distribution=data["distribution"],
                )
        except ValidationError as exc:
            for field, errors in (exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("受控文件已保存。"))
            return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/document_form.html", {"form": form, "document": document})


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    document = get_visible_or_404(selectors.documents_visible_to(request.user), pk=pk)
    versions = list(selectors.versions_visible_to(request.user).filter(document=document).prefetch_related("read_confirmations"))
    effective = next((v for v in versions if v.status == VersionStatus.EFFECTIVE), None)
    user = request.user
    return render(
        request,
        "documents/document_detail.html",
        {
            "document": document,
            "versions": versions,
            "effective": effective,
            "read_status": selectors.read_status(effective) if effective else [],
            "must_confirm": bool(
                effective
                and document.distribution.filter(pk=user.pk).exists()
                and not effective.read_confirmations.filter(user=user).exists()
            ),
            "can_edit": policy.can_edit_document(user, document),
            "can_approve": policy.can_approve(user),
            "version_form": forms.VersionForm(),
            "file_form": forms.FileForm(),
            "note_form": forms.NoteForm(),
            "effective_form": forms.EffectiveForm(initial={"effective_date": timezone.localdate()}),
            "reviewed_form": forms.ReviewedForm(),
            "feedback": selectors.feedback_visible_to(user).filter(document=document)[:20],
            "today": timezone.localdate(),
        },
    )


def _version(request: HttpRequest, pk: int, vpk: int):
    _reader(request)
    document = get_visible_or_404(selectors.documents_visible_to(request.user), pk=pk)
    return document, get_visible_or_404(selectors.versions_visible_to(request.user).filter(document=document), pk=vpk)


@login_required
@require_POST
def version_create(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    document = get_visible_or_404(selectors.documents_visible_to(request.user), pk=pk)
    form = forms.VersionForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        _run(
            request,
            lambda: services.version_create(
                actor=request.user, document=document, label=d["label"], change_note=d["change_note"], uploaded_file=d.get("file")
            ),
            _("新版本草稿已建立。"),
        )
    else:
        messages.error(request, _("请填写版本号和修订说明。"))
    return redirect("documents:detail", pk=pk)


@login_required
@require_POST
def version_step(request: HttpRequest, pk: int, vpk: int, step: str) -> HttpResponse:
    document, version = _version(request, pk, vpk)
    user = request.user
    note = request.POST.get("note", "")
    if step == "file":
        form = forms.FileForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("请选择要上传的文件。"))
            return redirect("documents:detail", pk=pk)
        _run(
            request,
            lambda: services.version_attach_file(actor=user, version=version, uploaded_file=form.cleaned_data["file"]),
            _("文件已上传。"),
        )
    elif step == "submit":
        _run(request, lambda: services.version_submit(actor=user, version=version), _("已提交审核。"))
    elif step == "return":
        _run(request, lambda: services.version_return(actor=user, version=version, note=note), _("已退回编制人修改。"))
    elif step == "approve":
        _run(request, lambda: services.version_approve(actor=user, version=version, note=note), _("已批准。"))
    elif step == "effective":
        form = forms.EffectiveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写正确的生效日期。"))
            return redirect("documents:detail", pk=pk)
        _run(
            request,
            lambda: services.version_make_effective(actor=user, version=version, effective_date=form.cleaned_data["effective_date"]),
            _("新版本已生效，发放范围内人员将收到阅读确认提醒。"),
        )
    elif step == "withdraw":
        _run(request, lambda: services.version_withdraw(actor=user, version=version, reason=note), _("该版本已作废。"))
    elif step == "confirm":
        _run(request, lambda: services.read_confirm(actor=user, version=version), _("已确认阅读。"))
    else:
        raise Http404
    return redirect("documents:detail", pk=pk)


@login_required
@require_POST
def document_reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    document = get_visible_or_404(selectors.documents_visible_to(request.user), pk=pk)
    form = forms.ReviewedForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.document_mark_reviewed(
                actor=request.user, document=document, next_review_date=form.cleaned_data["next_review_date"]
            ),
            _("已记录评审结论，下次评审日期已更新。"),
        )
    else:
        messages.error(request, _("请填写正确的下次评审日期。"))
    return redirect("documents:detail", pk=pk)


# ---------------------------------------------------------------- supervision


@login_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    qs = selectors.feedback_visible_to(request.user)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    page = paginate(request, qs, 30)
    rows = [{"f": f, "giver": f.giver_label(request.user)} for f in page.object_list]
    return render(
        request,
        "documents/feedback_list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "can_review": policy.can_review_feedback(request.user),
            "rounds": FeedbackRound.objects.prefetch_related("participants")[:12] if policy.can_review_feedback(request.user) else [],
            "awaiting": selectors.rounds_awaiting(request.user),
        },
    )


@login_required
def feedback_new(request: HttpRequest) -> HttpResponse:
    _reader(request)
    form = forms.FeedbackForm(request.POST or None, initial={"document": request.GET.get("document")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.feedback_give(
                actor=request.user,
                document=d["document"],
                difficulty=d["difficulty"],
                missing=d["missing"],
                suggestion=d["suggestion"],
                anonymous=d["anonymous"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("感谢您的反馈，质量管理部评审后您会收到结果。"))
            return redirect("documents:feedback_list")
    return render(request, "documents/feedback_form.html", {"form": form})


@login_required
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    feedback = get_visible_or_404(selectors.feedback_visible_to(request.user), pk=pk)
    accept = forms.AcceptForm(
        request.POST if request.POST.get("step") == "accept" else None, initial={"due_date": timezone.localdate() + dt.timedelta(days=60)}
    )
    reject = forms.RejectForm(request.POST if request.POST.get("step") == "reject" else None)
    if request.method == "POST":
        if not policy.can_review_feedback(request.user):
            raise Http404
        if request.POST.get("step") == "accept" and accept.is_valid():
            d = accept.cleaned_data
            if _run(
                request,
                lambda: services.feedback_accept(
                    actor=request.user,
                    feedback=feedback,
                    outcome=d["outcome"],
                    owner=d["owner"],
                    due_date=d["due_date"],
                    target=d["target"],
                    revision_label=d["revision_label"],
                ),
                _("反馈已采纳。"),
            ):
                return redirect("documents:feedback_detail", pk=pk)
        elif request.POST.get("step") == "reject" and reject.is_valid():
            if _run(
                request,
                lambda: services.feedback_reject(actor=request.user, feedback=feedback, reason=reject.cleaned_data["reason"]),
                _("已记录未采纳原因，反馈人会收到通知。"),
            ):
                return redirect("documents:feedback_detail", pk=pk)
    return render(
        request,
        "documents/feedback_detail.html",
        {
            "f": feedback,
            "giver": feedback.giver_label(request.user),
            "can_review": policy.can_review_feedback(request.user),
            "accept_form": accept,
            "reject_form": reject,
        },
    )


@login_required
def round_new(request: HttpRequest) -> HttpResponse:
    if not policy.can_review_feedback(request.user):
        raise Http404
    today = timezone.localdate()
    form = forms.RoundForm(
        request.POST or None, initial={"period": f"{today.year:04d}-{today.month:02d}", "due_date": today + dt.timedelta(days=14)}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.round_open(
                actor=request.user, period=d["period"], due_date=d["due_date"], participants=d["participants"], documents=d["documents"]
            )
        except ValidationError as exc:
            for field, errors in (exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("反馈征集已发起，征集对象会收到通知。"))
            return redirect("documents:feedback_list")
    return render(request, "documents/round_form.html", {"form": form})


@login_required
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    if not policy.can_review_feedback(request.user):
        raise Http404
    round_ = get_visible_or_404(FeedbackRound.objects.all(), pk=pk)
    _run(request, lambda: services.round_close(actor=request.user, round_=round_), _("反馈征集已结束。"))
    return redirect("documents:feedback_list")
