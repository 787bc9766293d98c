"""Staff pages of the satisfaction area (results, explanations, campaigns, rules, complaints, report)."""

from __future__ import annotations

import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opsqm.accounts.access import get_project_or_404, get_visible_or_404, visible_customers, visible_projects
from opsqm.core import satisfaction as core
from opsqm.records.locking import form_version
from opsqm.surveys import policy, selectors, services
from opsqm.surveys.forms import CampaignForm, ComplaintForm, ContactForm, HandlingForm, RulesForm, VisitForm
from opsqm.surveys.models import Campaign, Complaint, IncidentRule, Invitation, Level, Response, SurveyTemplate
from opsqm.surveys.wording import formula_in_words, level_label
from opsqm.web import paginate


def _period(request: HttpRequest) -> core.SurveyPeriod:
    raw = request.GET.get("period") or str(timezone.localdate().year)
    try:
        return core.parse_period(raw)
    except ValueError:
        return core.parse_period(str(timezone.localdate().year))


def _errors(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or _("您无权执行该操作。")


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@login_required
def results(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    roll = selectors.satisfaction_rollup(user=request.user, period=period)
    method = roll.rules.company_method
    low = [p for p in roll.projects if p.score is not None and p.score < roll.rules.threshold]
    year = period.year
    periods = [str(year)] + [f"{year}-Q{q}" for q in range(1, 5)]
    return render(
        request,
        "surveys/results.html",
        {
            "period": period,
            "roll": roll,
            "company": roll.company,
            "method": method,
            "low": low,
            "periods": periods,
            "years": range(timezone.localdate().year, timezone.localdate().year - 3, -1),
            "level_names": [level_label(lv) for lv in core.LEVELS],
            "can_raise": policy.can_start_campaigns(request.user),
            "rates": selectors.response_rates(user=request.user, period=period),
        },
    )


@login_required
def explain(request: HttpRequest, code: str) -> HttpResponse:
    project = get_project_or_404(request.user, code=code)
    period = _period(request)
    data = selectors.project_explanation(user=request.user, project=project, period=period.code)
    levels = []
    ps = data["score"]
    for lv in core.LEVELS:
        ls = ps.levels[lv]
        levels.append({"key": lv, "label": level_label(lv), "level": ls, "weight": ps.weights[lv], "responses": data["responses"][lv]})
    return render(
        request,
        "surveys/explain.html",
        {
            "project": project,
            "period": period,
            "ps": ps,
            "levels": levels,
            "rules": data["rollup"].rules,
            "formula": formula_in_words(data["rollup"].rules),
            "terms": ps.terms(),
        },
    )


def _response(request: HttpRequest, pk: int) -> Response:
    return get_visible_or_404(
        selectors.responses_visible_to(request.user).select_related("project", "customer", "invitation", "template"), pk=pk
    )


@login_required
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    r = _response(request, pk)
    answers = list(r.answers.select_related("question__section").order_by("question__order"))
    rows = []
    for a in answers:
        q = a.question
        norm = core.normalize(a.value, q.scale_min, q.scale_max) if q.is_rating else None
        rows.append({"a": a, "q": q, "normalized": norm})
    return render(request, "surveys/response_detail.html", {"r": r, "rows": rows, "can_raise": policy.can_start_campaigns(request.user)})


@login_required
@require_POST
def finding_propose(request: HttpRequest, kind: str, pk: str) -> HttpResponse:
    try:
        if kind == "complaint":
            c = get_visible_or_404(selectors.complaints_visible_to(request.user), pk=pk)
            f = services.finding_from_complaint(actor=request.user, complaint=c)
        elif kind == "response":
            f = services.finding_from_response(actor=request.user, response=_response(request, int(pk)))
        elif kind == "project":
            project = get_project_or_404(request.user, code=pk)
            period = _period(request)
            ps = selectors.satisfaction_rollup(user=request.user, period=period, project_code=project.code).for_project(project.code)
            rules = services.rules_for_year(period.year)
            if ps is None or ps.score is None or ps.score >= rules.threshold:
                raise ValidationError(_("该项目满意度未低于预警线。"))
            f = services.finding_from_project_score(
                actor=request.user, project=project, period=period.code, score=ps.score, threshold=rules.threshold
            )
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
        return redirect(request.META.get("HTTP_REFERER") or "surveys:results")
    messages.success(request, _("已发起问题 %(code)s。") % {"code": f.code})
    return redirect("findings:detail", pk=f.pk)


# ---------------------------------------------------------------- campaigns


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.campaigns_visible_to(request.user)
    level = request.GET.get("level", "")
    if level in Level.values:
        qs = qs.filter(level=level)
    from django.db.models import Count, Q

    qs = qs.annotate(
        invited=Count("invitations", filter=~Q(invitations__status=Invitation.Status.WITHDRAWN)),
        answered=Count("invitations", filter=Q(invitations__status=Invitation.Status.ANSWERED)),
    ).order_by("-created_at", "-pk")
    incident = selectors.incident_invitations_visible_to(request.user).order_by("-created_at")[:20]
    return render(
        request,
        "surveys/campaign_list.html",
        {
            "page": paginate(request, qs),
            "level": level,
            "incident": incident,
            "now": timezone.now(),
            "can_create": policy.can_start_campaigns(request.user),
        },
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    if not policy.can_start_campaigns(request.user):
        raise PermissionDenied
    projects = visible_projects(request.user).order_by("code")
    initial = {"expires_on": timezone.localdate() + dt.timedelta(days=14), **_plan_activity_initial(request)}
    form = CampaignForm(
        request.POST or None,
        projects=projects,
        customers=visible_customers(request.user).order_by("code"),
        initial=initial,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        expires = timezone.make_aware(dt.datetime.combine(d["expires_on"], dt.time(23, 59)))
        try:
            customer = d["customer"] or (d["project"].customer if d["project"] else None)
            if customer is None:
                raise ValidationError(_("请选择项目或客户。"))
            from django.db import transaction

            with transaction.atomic():  # the campaign and its plan link together, or neither
                c = services.campaign_create(
                    actor=request.user,
                    level=d["level"],
                    customer=customer,
                    project=d["project"],
                    template=d["template"],
                    title=d["title"],
                    period_label=d["period_label"],
                    expires_at=expires,
                    contacts=form.contact_rows(),
                )
                if d.get("plan_activity"):
                    from opsqm.plans.services import activity_link

                    activity_link(actor=request.user, activity=d["plan_activity"], record=c)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("已创建调查活动 %(code)s，请核对邀请后发送。") % {"code": c.code})
            return redirect("surveys:campaign_detail", pk=c.pk)
    return render(request, "surveys/campaign_form.html", {"form": form})


def _plan_activity_initial(request: HttpRequest) -> dict:
    """?plan_activity=ID (from the plan's 客户满意度调查 activity) pre-fills the new campaign."""
    from opsqm.surveys.forms import open_satisfaction_activities

    raw = request.GET.get("plan_activity", "")
    activities = open_satisfaction_activities(request.user)
    if not raw.isdigit() or activities is None:
        return {}
    activity = activities.filter(pk=int(raw)).select_related("plan").first()
    if activity is None:
        return {}
    return {
        "plan_activity": activity.pk,
        "title": activity.title,
        "period_label": _("%(y)s 年度") % {"y": activity.plan.year},
        "level": Level.CUSTOMER,
    }


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_visible_or_404(selectors.campaigns_visible_to(request.user), pk=pk)


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    c = _campaign(request, pk)
    invs = list(c.invitations.select_related("response").order_by("id"))
    base = _base_url(request)
    rows = [{"inv": i, "url": services.invitation_url(i, base), "state": i.state_label(timezone.now())} for i in invs]
    live = [i for i in invs if i.status != Invitation.Status.WITHDRAWN]
    answered = sum(1 for i in live if i.status == Invitation.Status.ANSWERED)
    can = policy.can_run_campaign(request.user, c.level, c.project, c.customer)
    return render(
        request,
        "surveys/campaign_detail.html",
        {
            "c": c,
            "rows": rows,
            "invited": len(live),
            "answered": answered,
            "rate": (answered / len(live)) if live else None,
            "can_manage": can,
            "contact_form": ContactForm(),
        },
    )


@login_required
@require_POST
def campaign_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    c = _campaign(request, pk)
    try:
        if action == "send":
            n = services.campaign_send(actor=request.user, campaign=c, base_url=_base_url(request))
            messages.success(request, _("已发出调查，发送邮件 %(n)d 封；没有邮箱的联系人请打印二维码或复制链接发送。") % {"n": n})
        elif action == "remind":
            n = services.campaign_remind(actor=request.user, campaign=c, base_url=_base_url(request))
            messages.success(request, _("已向 %(n)d 位未答复的联系人发送提醒邮件。") % {"n": n})
        elif action == "close":
            services.campaign_close(actor=request.user, campaign=c)
            messages.success(request, _("调查活动已结束。"))
        elif action == "add":
            form = ContactForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("请填写联系人姓名，邮箱格式须正确。"))
            services.invitation_add(actor=request.user, campaign=c, contact=form.cleaned_data)
            messages.success(request, _("已添加联系人。"))
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    return redirect("surveys:campaign_detail", pk=c.pk)


def _invitation(request: HttpRequest, pk: int) -> Invitation:
    qs = Invitation.objects.select_related("project", "customer", "campaign")
    inv = get_visible_or_404(qs, pk=pk)
    if inv.project_id is not None:
        get_project_or_404(request.user, pk=inv.project_id)
    elif not policy.sees_customer(request.user, inv.customer):
        raise Http404
    return inv


@login_required
@require_POST
def invitation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    inv = _invitation(request, pk)
    try:
        services.invitation_withdraw(actor=request.user, invitation=inv)
        messages.success(request, _("邀请已撤回，该链接不再可用。"))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    return redirect("surveys:campaign_detail", pk=inv.campaign_id) if inv.campaign_id else redirect("surveys:campaigns")


@login_required
def invitation_qr(request: HttpRequest, pk: int) -> HttpResponse:
    inv = _invitation(request, pk)
    if not policy.can_run_campaign(request.user, inv.level, inv.project, inv.customer):
        raise Http404
    qr = segno.make(services.invitation_url(inv, _base_url(request)), error="m")
    from io import BytesIO

    buf = BytesIO()
    qr.save(buf, kind="png", scale=8, border=4)
    resp = HttpResponse(buf.getvalue(), content_type="image/png")
    resp["Cache-Control"] = "private, no-store"
    return resp


@login_required
def campaign_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable A4 sheet: one card per open invitation with its QR code and short instructions."""
    c = _campaign(request, pk)
    if not policy.can_run_campaign(request.user, c.level, c.project, c.customer):
        raise Http404
    base = _base_url(request)
    now = timezone.now()
    cards = []
    for inv in c.invitations.filter(status__in=[Invitation.Status.PENDING, Invitation.Status.SENT]).order_by("id"):
        if not inv.is_open(now):
            continue
        url = services.invitation_url(inv, base)
        cards.append({"inv": inv, "url": url, "svg": segno.make(url, error="m").svg_data_uri(scale=4, border=2)})
    return render(request, "surveys/sheet.html", {"c": c, "cards": cards})


# ---------------------------------------------------------------- rules and templates


@login_required
def rules(request: HttpRequest, year: int | None = None) -> HttpResponse:
    year = year or timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise Http404
    current = services.rules_for_year(year)
    bands = [b for b, _label in (current.bands or core.DEFAULT_BANDS)] + [0, 0, 0]
    initial = {
        "weight_incident": current.weight_incident,
        "weight_project": current.weight_project,
        "weight_customer": current.weight_customer,
        "band_1": bands[0],
        "band_2": bands[1],
        "band_3": bands[2],
        "min_responses": current.min_responses,
        "company_method": current.company_method,
        "threshold": current.threshold,
        "target": current.target,
        "version": current.version if current.year == year and current.pk else None,
    }
    can_edit = policy.can_manage_rules(request.user)
    form = RulesForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                existing = current.year == year and current.pk  # the year's own rules were shown: the edit must carry their version
                services.rules_save(
                    actor=request.user,
                    year=year,
                    data=form.service_data(),
                    expected_version=form_version(form.cleaned_data.get("version")) if existing else None,
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _errors(exc))
            else:
                messages.success(request, _("%(y)d 年度满意度折算规则已保存。") % {"y": year})
                return redirect("surveys:rules_year", year=year)
    return render(
        request,
        "surveys/rules.html",
        {
            "form": form,
            "year": year,
            "rules": current,
            "formula": formula_in_words(current),
            "inherited": current.year != year or not current.pk,
            "can_edit": can_edit,
            "years": range(timezone.localdate().year + 1, timezone.localdate().year - 3, -1),
            "incident_rules": IncidentRule.objects.select_related("project", "template").order_by("project__code"),
        },
    )


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not policy.can_manage_templates(request.user):
            raise PermissionDenied
        made = services.template_install_defaults()
        messages.success(request, _("已安装 %(n)d 个默认模板。") % {"n": len(made)})
        return redirect("surveys:templates")
    return render(
        request,
        "surveys/template_list.html",
        {"templates": selectors.templates_list(), "can_manage": policy.can_manage_templates(request.user)},
    )


@login_required
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tpl = get_visible_or_404(SurveyTemplate.objects.all(), pk=pk)
    if request.method == "POST":
        try:
            new = services.template_new_version(actor=request.user, template=tpl)
        except PermissionDenied as exc:
            raise PermissionDenied from exc
        messages.success(request, _("已生成新版本 v%(v)d；已发出的调查仍使用原版本。请在系统管理中修改新版本的题目。") % {"v": new.version})
        return redirect("surveys:template_detail", pk=new.pk)
    questions = list(tpl.questions.select_related("section").order_by("order", "id"))
    return render(
        request,
        "surveys/template_detail.html",
        {"tpl": tpl, "questions": questions, "can_manage": policy.can_manage_templates(request.user), "used": tpl.invitations.exists()},
    )


# ---------------------------------------------------------------- complaints


def _handlers():
    return get_user_model().objects.filter(is_active=True).exclude(role="external_reviewer").order_by("username")


@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.complaints_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in Complaint.Status.values:
        qs = qs.filter(status=status)
    elif status == "open":
        qs = qs.exclude(status=Complaint.Status.CLOSED)
    elif status == "overdue":  # the cockpit's overdue count
        qs = qs.exclude(status=Complaint.Status.CLOSED).filter(due_date__lt=timezone.localdate())
    if request.GET.get("project", "").isdigit():
        qs = qs.filter(project_id=int(request.GET["project"]))
    return render(
        request,
        "surveys/complaint_list.html",
        {
            "page": paginate(request, qs),
            "status": status,
            "statuses": Complaint.Status.choices,
            "today": timezone.localdate(),
            "can_create": policy.can_start_campaigns(request.user),
        },
    )


@login_required
def complaint_create(request: HttpRequest) -> HttpResponse:
    if not policy.can_start_campaigns(request.user):
        raise PermissionDenied
    source = None
    initial = {"received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "deadline_days": 3}
    if request.GET.get("response", "").isdigit():
        # A survey comment becomes a complaint: prefilled from the response, linked back to it.
        source = _response(request, int(request.GET["response"]))
        initial.update(
            channel=Complaint.Channel.SURVEY,
            customer=source.customer_id,
            project=source.project_id,
            contact=source.invitation.contact_name,
            content=source.comment,
            handler=source.project.ops_manager_id if source.project_id else None,
        )
    form = ComplaintForm(
        request.POST or None,
        projects=visible_projects(request.user).order_by("code"),
        customers=visible_customers(request.user).order_by("code"),
        handlers=_handlers(),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            c = services.complaint_create(actor=request.user, data=form.cleaned_data, response=source)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("已登记投诉 %(code)s。") % {"code": c.code})
            return redirect("surveys:complaint_detail", pk=c.pk)
    return render(request, "surveys/complaint_form.html", {"form": form})


@login_required
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    c = get_visible_or_404(selectors.complaints_visible_to(request.user), pk=pk)
    handling = HandlingForm(initial={"handling": c.handling, "version": c.version})
    visit = VisitForm(initial={"version": c.version, "visit_by": request.user.display_name})
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "handling":
                handling = HandlingForm(request.POST)
                if not handling.is_valid():
                    raise ValidationError(_("请填写处理记录。"))
                services.complaint_update(
                    actor=request.user,
                    complaint=c,
                    data={"handling": handling.cleaned_data["handling"]},
                    expected_version=handling.cleaned_data["version"],
                )
            elif step == "visit":
                visit = VisitForm(request.POST)
                if not visit.is_valid():
                    raise ValidationError(_("请完整填写回访日期、回访人和回访结果。"))
                d = visit.cleaned_data
                services.complaint_visit(
                    actor=request.user,
                    complaint=c,
                    visit_date=d["visit_date"],
                    visit_by=d["visit_by"],
                    result=d["visit_result"],
                    note=d["visit_note"],
                    accepted=d["accepted"],
                    expected_version=d["version"],
                )
            elif step == "close":
                services.complaint_close(actor=request.user, complaint=c, expected_version=form_version(request.POST.get("version")))
            else:
                raise Http404
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("surveys:complaint_detail", pk=c.pk)
    return render(
        request,
        "surveys/complaint_detail.html",
        {
            "c": c,
            "handling_form": handling,
            "visit_form": visit,
            "can_handle": policy.can_handle_complaint(request.user, c),
            "can_visit": policy.can_visit_complaint(request.user, c),
            "today": timezone.localdate(),
        },
    )


# ---------------------------------------------------------------- report


@login_required
def report(request: HttpRequest, period: str, fmt: str) -> HttpResponse:
    from opsqm.surveys import report as rpt

    try:
        p = core.parse_period(period)
    except ValueError as exc:
        raise Http404 from exc
    ctx = rpt.report_context(user=request.user, period=p)
    if fmt == "docx":
        body, mime = rpt.render_docx(ctx), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        body, mime = rpt.render_xlsx(ctx), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    resp = HttpResponse(body, content_type=mime)
    resp["Content-Disposition"] = f'attachment; filename="satisfaction-{p.code}.{fmt}"'
    return resp
