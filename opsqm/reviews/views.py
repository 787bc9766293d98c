"""Pages of the management review. Thin: selectors read, services write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opsqm.accounts.access import get_visible_or_404
from opsqm.records.locking import form_version
from opsqm.reviews import forms, policy, selectors, services
from opsqm.reviews.models import InputSection
from opsqm.reviews.report import chart_png


def _run(request: HttpRequest, fn: Callable[[], Any], ok: str) -> bool:
    try:
        fn()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return False
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("您无权执行此操作。"))
        return False
    messages.success(request, ok)
    return True


def _review(request: HttpRequest, pk: int):
    return get_visible_or_404(selectors.reviews_visible_to(request.user), pk=pk)


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.reviews_visible_to(request.user)
    if not qs.exists() and not policy.can_read_all(request.user):
        raise Http404
    return render(
        request, "reviews/review_list.html", {"reviews": qs.prefetch_related("actions"), "can_plan": policy.can_plan(request.user)}
    )


@login_required
def review_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not policy.can_plan(request.user):
        raise Http404
    review = _review(request, pk) if pk else None
    if review and review.is_locked:
        raise Http404
    if review:
        initial = {
            "year": review.year,
            "title": review.title,
            "planned_date": review.planned_date,
            "place": review.place,
            "chair": review.chair,
            "attendees": list(review.attendees.all()),
            "agenda": "\n".join(review.agenda.values_list("title", flat=True)),
            "changes_text": review.changes_text,
            "resources_text": review.resources_text,
            "risks_text": review.risks_text,
            "version": review.version,
        }
    else:
        year = timezone.localdate().year
        initial = {
            "year": year,
            "planned_date": timezone.localdate().replace(month=12, day=20),
            "agenda": "\n".join(services.DEFAULT_AGENDA),
        }
    form = forms.ReviewForm(request.POST or None, initial=initial, editing=bool(review))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        agenda = [line for line in d["agenda"].splitlines() if line.strip()]
        data = {k: v for k, v in d.items() if k in services.PLAN_FIELDS and not (k == "title" and not v)}
        try:
            with transaction.atomic():
                if review:
                    review = services.review_update(
                        actor=request.user,
                        review=review,
                        data=data,
                        expected_version=form_version(d.get("version")),
                        attendees=d["attendees"],
                        agenda=agenda,
                    )
                else:
                    review = services.review_create(
                        actor=request.user,
                        year=d["year"],
                        title=d["title"],
                        planned_date=d["planned_date"],
                        place=d["place"],
                        chair=d["chair"],
                        attendees=d["attendees"],
                        agenda=agenda,
                    )
                    services.review_update(actor=request.user, review=review, data=data, expected_version=None)
        except ValidationError as exc:
            for field, errors in (exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("管理评审策划已保存。"))
            return redirect("reviews:detail", pk=review.pk)
    return render(request, "reviews/review_form.html", {"form": form, "review": review})


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    sections = list(review.inputs.prefetch_related("notes__author").order_by("position"))
    user = request.user
    can_plan = policy.can_plan(user) and not review.is_locked
    invited = list(review.attendees.order_by("username"))
    attended = set(review.attended.values_list("pk", flat=True))
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "sections": sections,
            "agenda": review.agenda.order_by("position"),
            "actions": review.actions.select_related("owner").order_by("code"),
            "invited": [{"user": u, "present": u.pk in attended} for u in invited],
            "can_plan": can_plan,
            "can_approve": policy.can_approve(user) and review.status == "report_issued",
            "assemble_form": forms.AssembleForm(initial={"as_of": review.inputs_as_of or min(timezone.localdate(), review.planned_date)}),
            "note_form": forms.NoteForm(),
            "action_form": forms.ActionForm(),
            "today": timezone.localdate(),
            "user_id": user.pk,
        },
    )


@login_required
@require_POST
def review_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    review = _review(request, pk)
    user = request.user
    if step == "assemble":
        form = forms.AssembleForm(request.POST)
        if form.is_valid():
            _run(
                request,
                lambda: services.review_assemble_inputs(actor=user, review=review, as_of=form.cleaned_data["as_of"]),
                _("评审输入已按截止日期汇总。"),
            )
        else:
            messages.error(request, _("请填写正确的输入截止日期。"))
    elif step == "meeting":
        attended = list(review.attendees.filter(pk__in=[v for v in request.POST.getlist("attended") if v.isdigit()]))
        minutes = {item.pk: request.POST.get(f"minutes-{item.pk}", item.minutes) for item in review.agenda.all()}
        _run(
            request,
            lambda: services.review_record_meeting(
                actor=user, review=review, attended=attended, minutes=minutes, conclusion=request.POST.get("conclusion", "")
            ),
            _("会议记录已保存。"),
        )
    elif step == "action":
        form = forms.ActionForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            _run(
                request,
                lambda: services.review_action_create(
                    actor=user, review=review, kind=d["kind"], decision=d["decision"], owner=d["owner"], due_date=d["due_date"]
                ),
                _("评审决定已登记为跟踪措施。"),
            )
        else:
            messages.error(request, _("请完整填写输出类别、决定/措施、责任人和完成期限。"))
    elif step == "issue":
        _run(request, lambda: services.review_issue_report(actor=user, review=review), _("管理评审报告已出具，等待管理者代表批准。"))
    elif step == "approve":
        _run(request, lambda: services.review_approve_report(actor=user, review=review), _("管理评审报告已批准并归档。"))
    else:
        raise Http404
    anchor = {"meeting": "#tab-meeting", "action": "#tab-actions"}.get(step, "")
    return redirect(reverse("reviews:detail", args=[pk]) + anchor)


@login_required
@require_POST
def section_note(request: HttpRequest, pk: int, spk: int) -> HttpResponse:
    review = _review(request, pk)
    section = get_visible_or_404(InputSection.objects.filter(review=review), pk=spk)
    _run(
        request, lambda: services.input_annotate(actor=request.user, section=section, text=request.POST.get("text", "")), _("批注已保存。")
    )
    return redirect(reverse("reviews:detail", args=[pk]) + f"#input-{section.key}")


@login_required
def section_chart(request: HttpRequest, pk: int, spk: int) -> HttpResponse:
    """The section's chart as PNG, drawn server-side with the same code as the report."""
    review = _review(request, pk)
    section = get_visible_or_404(InputSection.objects.filter(review=review), pk=spk)
    png = chart_png(section.data.get("chart") or {})
    if png is None:
        raise Http404
    return HttpResponse(png, content_type="image/png")


@login_required
@require_POST
def action_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    action = get_visible_or_404(selectors.actions_visible_to(request.user), pk=pk)
    note = request.POST.get("note", "")
    if step == "complete":
        _run(request, lambda: services.review_action_complete(actor=request.user, action=action, note=note), _("措施已登记完成。"))
    elif step == "cancel":
        _run(request, lambda: services.review_action_cancel(actor=request.user, action=action, reason=note), _("措施已取消。"))
    else:
        raise Http404
    return redirect(reverse("reviews:detail", args=[action.review_id]) + "#tab-actions")


@login_required
def actions_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.actions_visible_to(request.user).order_by("status", "due_date")
    status = request.GET.get("status", "")
    if status in ("open", "overdue"):  # the cockpit's counts
        qs = qs.filter(status="open")
        if status == "overdue":
            qs = qs.filter(due_date__lt=timezone.localdate())
    if request.GET.get("mine"):
        qs = qs.filter(owner=request.user)
    return render(request, "reviews/action_list.html", {"actions": qs, "today": timezone.localdate()})
