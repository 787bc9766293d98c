"""Pages of the quarterly KPI review. Thin: reads via selectors, writes via services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opsqm.accounts.access import get_visible_or_404, visible_projects
from opsqm.plans.services import today as local_today
from opsqm.quarterly import selectors, services
from opsqm.quarterly.forms import AnalysisForm, OpenForm, SubmissionForm
from opsqm.quarterly.models import QuarterlyReview


def _err(exc: Exception) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    today = local_today()
    reviews = selectors.reviews_for(request.user)
    mine = selectors.submissions_for(request.user).filter(owner=request.user).order_by("-review__year", "-review__quarter")
    if not selectors.can_see_reviews(request.user) and not mine.exists():
        raise Http404
    q = (today.month - 1) // 3 + 1
    return render(
        request,
        "quarterly/list.html",
        {
            "reviews": reviews,
            "mine": mine,
            "can_run": services.can_run(request.user),
            "form": OpenForm(initial={"year": today.year, "quarter": q}),
        },
    )


@login_required
@require_POST
def review_open(request: HttpRequest) -> HttpResponse:
    if not services.can_run(request.user):
        raise Http404
    form = OpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择正确的年度和季度。"))
        return redirect("quarterly:list")
    try:
        review = services.review_open(
            actor=request.user, year=form.cleaned_data["year"], quarter=form.cleaned_data["quarter"], today=local_today()
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _err(exc))
        return redirect("quarterly:list")
    messages.success(request, _("季度质量分析已发起，已通知各项目运维经理提交总结。"))
    return redirect("quarterly:detail", pk=review.pk)


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.get_review_or_404(request.user, pk)
    project = None
    if request.GET.get("project", "").isdigit():
        project = get_visible_or_404(visible_projects(request.user), pk=int(request.GET["project"]))
    data = selectors.analysis(year=review.year, quarter=review.quarter, project=project)
    chart = {
        "labels": data["kpis"][0].trend_labels if data["kpis"] else [],
        "series": [
            {
                "name": k.name,
                "data": [None if v is None else round(v * 100, 1) for v in k.trend],
                "target": None if k.target is None else round(k.target * 100, 1),
            }
            for k in data["kpis"]
            if k.unit == "%"
        ],
    }
    return render(
        request,
        "quarterly/detail.html",
        {
            "review": review,
            "a": data,
            "project": project,
            "chart": chart,
            "projects": [s.project for s in review.submissions.select_related("project")],
            "form": AnalysisForm(initial={"analysis": review.analysis, "requirements": review.requirements, "version": review.version}),
            "can_run": services.can_run(request.user),
            "can_ack": services.can_acknowledge(request.user),
            "editable": review.status in (QuarterlyReview.Status.COLLECTING, QuarterlyReview.Status.RETURNED),
            "events": review.events.select_related("by"),
            "today": local_today(),
        },
    )


@login_required
@require_POST
def review_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.get_review_or_404(request.user, pk)
    form = AnalysisForm(request.POST)
    if form.is_valid():
        try:
            services.review_write(
                actor=request.user,
                review=review,
                analysis=form.cleaned_data["analysis"],
                requirements=form.cleaned_data["requirements"],
                expected_version=form.cleaned_data["version"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _err(exc))
        else:
            messages.success(request, _("质量分析已保存。"))
    return redirect("quarterly:detail", pk=review.pk)


@login_required
@require_POST
def review_report(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.get_review_or_404(request.user, pk)
    try:
        services.review_report(actor=request.user, review=review)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _err(exc))
    else:
        messages.success(request, _("季度质量报告已报送总经办。"))
    return redirect("quarterly:detail", pk=review.pk)


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.get_review_or_404(request.user, pk)
    note = request.POST.get("note", "").strip()
    try:
        if request.POST.get("decision") == "ack":
            services.review_acknowledge(actor=request.user, review=review, note=note)
            messages.success(request, _("已确认报告，季度已关闭。"))
        else:
            services.review_return(actor=request.user, review=review, note=note)
            messages.success(request, _("报告已退回质量经理。"))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _err(exc))
    return redirect("quarterly:detail", pk=review.pk)


@login_required
def review_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    review = selectors.get_review_or_404(request.user, pk)
    from opsqm.quarterly import report

    if fmt not in ("docx", "xlsx"):
        raise Http404
    stored = review.report_docx if fmt == "docx" else review.report_xlsx
    if stored is not None:
        return FileResponse(stored.file.open("rb"), as_attachment=True, filename=f"{review.key}-quality-report.{fmt}")
    content = report.report_content(year=review.year, quarter=review.quarter)
    body = report.render_docx(content) if fmt == "docx" else report.render_xlsx(content)
    response = HttpResponse(body, content_type=report.DOCX_MIME if fmt == "docx" else report.XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename={review.key}-quality-report-draft.{fmt}"
    return response


@login_required
def submission(request: HttpRequest, pk: int) -> HttpResponse:
    s = selectors.get_submission_or_404(request.user, pk)
    mine = request.user.pk in (s.owner_id, s.project.ops_manager_id)
    form = SubmissionForm(request.POST or None, instance=s, initial={"version": s.version})
    if request.method == "POST":
        if not mine:
            raise PermissionDenied
        if form.is_valid():
            data = {k: form.cleaned_data.get(k) for k in services.SUBMISSION_FIELDS}
            submission_pk = s.pk
            try:
                services.submission_save(
                    actor=request.user,
                    submission=type(s).objects.get(pk=submission_pk),
                    data=data,
                    submit=request.POST.get("submit") == "1",
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                for field, errors in (exc.error_dict if hasattr(exc, "error_dict") else {None: exc.messages}).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("季度工作总结已提交。") if request.POST.get("submit") == "1" else _("已保存草稿。"))
                return redirect("quarterly:submission", pk=submission_pk)
    return render(
        request,
        "quarterly/submission.html",
        {"s": s, "form": form, "mine": mine, "editable": mine and s.review.status in ("collecting", "returned")},
    )
