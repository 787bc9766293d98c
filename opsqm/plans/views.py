"""Pages of the annual quality plan and project QA plans. Thin: reads via selectors, writes via services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opsqm.accounts.access import get_visible_or_404, visible_projects
from opsqm.plans import document, ical, linking, selectors, services
from opsqm.plans.forms import ActivityForm, GenerateForm, ObjectiveForm, PlanForm, QAPlanForm
from opsqm.plans.models import ActivityStatus, ActivityType, PlannedReview, PlanStatus, QualityObjective
from opsqm.records.locking import StaleEditError, form_version


def _err(exc: Exception) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _apply(form: Any, exc: ValidationError) -> None:
    for field, errors in (exc.error_dict if hasattr(exc, "error_dict") else {None: exc.messages}).items():
        form.add_error(field if field in form.fields else None, errors)


def _need_plan_reader(request: HttpRequest) -> None:
    if not selectors.can_see_plans(request.user):
        raise Http404


# ---------------------------------------------------------------- plans


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    _need_plan_reader(request)
    today = services.today()
    return render(
        request,
        "plans/plan_list.html",
        {
            "plans": selectors.plans_for(request.user),
            "can_plan": services.can_plan(request.user),
            "form": GenerateForm(initial={"year": today.year + 1}),
        },
    )


@login_required
@require_POST
def plan_generate(request: HttpRequest) -> HttpResponse:
    if not services.can_plan(request.user):
        raise Http404
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写正确的年度。"))
        return redirect("plans:list")
    try:
        plan = services.plan_generate(actor=request.user, year=form.cleaned_data["year"])
    except ValidationError as exc:
        messages.error(request, _err(exc))
        return redirect("plans:list")
    messages.success(request, _("已按年度节奏生成 %(y)d 年度计划草稿，请检查后提交总经办审批。") % {"y": plan.year})
    return redirect("plans:detail", pk=plan.pk)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.get_plan_or_404(request.user, pk)
    today = services.today()
    activities = selectors.visible_activities(request.user, plan)
    type_filter, status_filter = request.GET.get("type", ""), request.GET.get("status", "")
    if type_filter in ActivityType.values:
        activities = activities.filter(type=type_filter)
    if request.GET.get("mine"):  # the cockpit of an O&M manager / specialist links here
        activities = selectors.activities_owed_by(activities, request.user)
    if request.GET.get("project", "").isdigit():  # the cockpit's project page links here
        activities = activities.filter(projects=int(request.GET["project"]))
    if request.GET.get("due", "").isdigit():  # the cockpit's "next N days": not done, due today … today + N
        import datetime as dt

        until = today + dt.timedelta(days=min(int(request.GET["due"]), 366))
        activities = activities.filter(due_date__gte=today, due_date__lte=until).exclude(status=ActivityStatus.DONE)
    rows = list(activities)
    if status_filter in ActivityStatus.values:
        rows = [a for a in rows if a.shown_status(today) == status_filter]
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "activities": rows,
            "today": today,
            "types": ActivityType.choices,
            "statuses": ActivityStatus.choices,
            "type_filter": type_filter,
            "status_filter": status_filter,
            "attainment": selectors.objective_attainment(plan, today),
            "decisions": plan.decisions.select_related("by"),
            # Revision texts name activities of every project: org-wide roles only.
            "revisions": plan.revisions.select_related("by") if selectors.is_org_wide(request.user) else [],
            "can_plan": services.can_plan(request.user),
            "can_approve": services.can_approve(request.user),
            "can_edit": services.can_plan(request.user) and plan.status != PlanStatus.SUBMITTED,
            "audit_program": _audit_program(request.user, plan.year),
        },
    )


def _audit_program(user: Any, year: int) -> Any:
    """The year's internal-audit program (approved in the audits area), shown inside the plan."""
    from opsqm.audits.models import AuditProgram
    from opsqm.audits.selectors import can_see_programs

    return AuditProgram.objects.filter(year=year).first() if can_see_programs(user) else None


def _plan_for_edit(request: HttpRequest, pk: int):
    if not services.can_plan(request.user):
        raise Http404
    return selectors.get_plan_or_404(request.user, pk)


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_for_edit(request, pk)
    form = PlanForm(
        request.POST or None, initial={"title": plan.title, "notes": plan.notes, "version": plan.version}, needs_reason=plan.is_approved
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.plan_update(
                actor=request.user, plan=plan, title=d["title"], notes=d["notes"], expected_version=d["version"], reason=d.get("reason", "")
            )
        except ValidationError as exc:  # StaleEditError included
            _apply(form, exc)
        else:
            messages.success(request, _("计划已保存。"))
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/form.html", {"form": form, "plan": plan, "heading": _("编辑计划")})


@login_required
def objective_form(request: HttpRequest, pk: int, obj_pk: int | None = None) -> HttpResponse:
    plan = _plan_for_edit(request, pk)
    objective = get_visible_or_404(QualityObjective.objects.filter(plan=plan), pk=obj_pk) if obj_pk else None
    form = ObjectiveForm(request.POST or None, instance=objective, needs_reason=plan.is_approved)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data.get(k) for k in services.OBJECTIVE_FIELDS}
        try:
            services.objective_save(
                actor=request.user, plan=plan, data=data, objective=objective, reason=form.cleaned_data.get("reason", "")
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("质量目标已保存。"))
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/form.html", {"form": form, "plan": plan, "heading": _("质量目标")})


@login_required
def activity_form(request: HttpRequest, pk: int, act_pk: int | None = None) -> HttpResponse:
    plan = _plan_for_edit(request, pk)
    activity = get_visible_or_404(plan.activities.all(), pk=act_pk) if act_pk else None
    initial = {"version": activity.version} if activity else {"owner": request.user.pk}
    form = ActivityForm(
        request.POST or None,
        instance=activity,
        initial=initial,
        needs_reason=plan.is_approved,
        projects_qs=visible_projects(request.user).order_by("code"),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = {k: d.get(k) for k in ("type", "title", "content", "department", "owner", "due_date", "output")}
        data["scope_org"] = not d.get("projects")
        if activity is not None:
            form.instance = type(activity).objects.get(pk=activity.pk)  # ModelForm mutated it; the service reloads
        try:
            saved = services.activity_save(
                actor=request.user,
                plan=plan,
                data=data,
                projects=list(d.get("projects") or []),
                activity=activity,
                reason=d.get("reason", ""),
                expected_version=form_version(d.get("version")) if activity is not None else None,
            )
        except StaleEditError as exc:
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("活动已保存。"))
            return redirect("plans:activity", pk=saved.pk)
    return render(request, "plans/form.html", {"form": form, "plan": plan, "heading": _("计划活动")})


def _plan_action(request: HttpRequest, pk: int, action: Callable[[Any], Any], done: str) -> HttpResponse:
    plan = selectors.get_plan_or_404(request.user, pk)
    try:
        action(plan)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _err(exc))
    else:
        messages.success(request, done)
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_action(request, pk, lambda p: services.plan_submit(actor=request.user, plan=p), _("计划已提交总经办审批。"))


@login_required
@require_POST
def plan_decide(request: HttpRequest, pk: int) -> HttpResponse:
    note = request.POST.get("note", "").strip()
    if request.POST.get("decision") == "approve":
        return _plan_action(request, pk, lambda p: services.plan_approve(actor=request.user, plan=p, note=note), _("计划已批准。"))
    return _plan_action(request, pk, lambda p: services.plan_return(actor=request.user, plan=p, note=note), _("计划已退回修改。"))


@login_required
@require_POST
def objective_delete(request: HttpRequest, pk: int, obj_pk: int) -> HttpResponse:
    plan = _plan_for_edit(request, pk)
    objective = get_visible_or_404(QualityObjective.objects.filter(plan=plan), pk=obj_pk)
    return _plan_action(
        request,
        pk,
        lambda p: services.objective_delete(actor=request.user, objective=objective, reason=request.POST.get("reason", "")),
        _("质量目标已删除。"),
    )


@login_required
@require_POST
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_activity_or_404(request.user, pk)
    if not services.can_plan(request.user):
        raise Http404
    return _plan_action(
        request,
        activity.plan_id,
        lambda p: services.activity_delete(actor=request.user, activity=activity, reason=request.POST.get("reason", "")),
        _("活动已删除。"),
    )


# ---------------------------------------------------------------- activities


def _link_options(user: Any, activity: Any) -> list[dict[str, Any]]:
    groups = []
    for kind in sorted(linking.kinds(), key=lambda k: activity.type not in k.types):
        records = list(kind.candidates(user).order_by("-pk")[:200])
        if records:
            groups.append({"label": kind.label, "options": [(f"{kind.key}:{r.pk}", kind.text(r)) for r in records]})
    return groups


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_activity_or_404(request.user, pk)
    linked = services.linked_record(activity)
    can_work = services.can_work_on(request.user, activity)
    return render(
        request,
        "plans/activity_detail.html",
        {
            "a": activity,
            "today": services.today(),
            "linked": linked,
            "can_work": can_work,
            "can_plan": services.can_plan(request.user),
            "link_groups": _link_options(request.user, activity) if can_work and activity.status != ActivityStatus.DONE else [],
            "escalations": activity.escalations.all(),
            "planned_check": getattr(activity, "planned_check", None) if hasattr(activity, "planned_check") else None,
        },
    )


@login_required
@require_POST
def activity_link(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_activity_or_404(request.user, pk)
    key, _sep, record_pk = request.POST.get("record", "").rpartition(":")
    kind = linking.kind_for(key)
    record = kind.candidates(request.user).filter(pk=int(record_pk)).first() if kind and record_pk.isdigit() else None
    if record is None:
        messages.error(request, _("请选择要关联的记录。"))
        return redirect("plans:activity", pk=activity.pk)
    try:
        services.activity_link(actor=request.user, activity=activity, record=record)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _err(exc))
    else:
        messages.success(request, _("已关联完成记录，活动标记为已完成。"))
    return redirect("plans:activity", pk=activity.pk)


@login_required
@require_POST
def activity_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    activity = selectors.get_activity_or_404(request.user, pk)
    fn = {"start": services.activity_start, "unlink": services.activity_unlink, "complete": services.activity_complete}.get(action)
    if fn is None:
        raise Http404
    try:
        if action == "complete":
            fn(actor=request.user, activity=activity, note=request.POST.get("note", ""))
        else:
            fn(actor=request.user, activity=activity)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _err(exc))
    else:
        messages.success(request, _("活动状态已更新。"))
    return redirect("plans:activity", pk=activity.pk)


# ---------------------------------------------------------------- views of the plan


@login_required
def plan_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.get_plan_or_404(request.user, pk)
    today = services.today()
    try:
        month = int(request.GET.get("month", today.month if today.year == plan.year else 1))
    except ValueError:
        month = 1
    month = min(12, max(1, month))
    activities = list(selectors.visible_activities(request.user, plan).filter(due_date__month=month))
    return render(
        request,
        "plans/calendar.html",
        {
            "plan": plan,
            "month": month,
            "today": today,
            "months": range(1, 13),
            "weeks": selectors.month_grid(plan.year, month, activities, services.business_calendar()),
            "weekdays": [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")],
        },
    )


@login_required
def plan_stats(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.get_plan_or_404(request.user, pk)
    today = services.today()
    rates = selectors.completion_rates(list(selectors.visible_activities(request.user, plan)), today)
    chart = {
        "labels": [r.label for r in rates["months"]],
        "planned": [r.due for r in rates["months"]],
        "done": [r.done for r in rates["months"]],
    }
    return render(request, "plans/stats.html", {"plan": plan, "rates": rates, "today": today, "chart": chart})


@login_required
def plan_docx(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.get_plan_or_404(request.user, pk)
    if not selectors.is_org_wide(request.user):
        raise Http404
    content = document.render_plan_docx(plan, selectors.objective_attainment(plan, services.today()))
    response = HttpResponse(content, content_type=document.DOCX_MIME)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{plan.year}-quality-plan.docx"
    return response


# ---------------------------------------------------------------- iCalendar


@login_required
def feed_settings(request: HttpRequest) -> HttpResponse:
    _need_plan_reader(request)
    token = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_revoke(user=request.user)
            messages.success(request, _("日历订阅地址已作废。"))
            return redirect("plans:feed_settings")
        token = services.feed_issue(user=request.user)
        messages.success(request, _("已生成新的订阅地址，旧地址已失效。请立即复制，离开本页后不再显示。"))
    from opsqm.plans.models import CalendarFeed

    url = request.build_absolute_uri(f"/plans/ical/{token}.ics") if token else None
    return render(request, "plans/feed.html", {"url": url, "has_feed": CalendarFeed.objects.filter(user=request.user).exists()})


def feed(request: HttpRequest, token: str) -> HttpResponse:
    user = services.feed_user(token)
    if user is None:
        raise Http404
    body = ical.feed_for(user, request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- project QA plans


@login_required
def qa_list(request: HttpRequest) -> HttpResponse:
    _need_plan_reader(request)
    form = QAPlanForm(
        request.POST or None, projects_qs=visible_projects(request.user).order_by("code"), initial={"start": services.today()}
    )
    if request.method == "POST":
        if not services.can_plan(request.user):
            raise Http404
        if form.is_valid():
            try:
                qa = services.qa_plan_create(actor=request.user, project=form.cleaned_data["project"], start=form.cleaned_data["start"])
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, _err(exc))
            else:
                messages.success(request, _("项目质量保证计划已按模板生成。"))
                return redirect("plans:qa_detail", pk=qa.pk)
    return render(
        request,
        "plans/qa_list.html",
        {"qa_plans": selectors.qa_plans_for(request.user), "form": form, "can_plan": services.can_plan(request.user)},
    )


@login_required
def qa_detail(request: HttpRequest, pk: int) -> HttpResponse:
    qa = get_visible_or_404(selectors.qa_plans_for(request.user), pk=pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "agree":
                services.qa_plan_agree(actor=request.user, qa=qa)
            elif request.POST.get("action") == "review":
                review = get_visible_or_404(qa.reviews.all(), pk=int(request.POST.get("review", "0") or 0))
                services.review_accept(
                    actor=request.user, review=review, reviewer=request.POST.get("reviewer", ""), result=request.POST.get("result", "")
                )
        except (ValidationError, PermissionDenied, ValueError) as exc:
            messages.error(request, _err(exc) if not isinstance(exc, ValueError) else _("提交的内容不正确。"))
        else:
            messages.success(request, _("已保存。"))
        return redirect("plans:qa_detail", pk=qa.pk)
    return render(
        request,
        "plans/qa_detail.html",
        {
            "qa": qa,
            "checks": qa.checks.select_related("checklist", "activity", "audit"),
            "reviews": qa.reviews.all(),
            "can_plan": services.can_plan(request.user),
            "is_ops": qa.project.ops_manager_id == request.user.pk,
            "review_kinds": PlannedReview.Kind,
        },
    )
