"""Pages of record retention and assessor packages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opsqm.accounts.access import get_visible_or_404
from opsqm.archive import forms, policy, selectors, services
from opsqm.archive.models import Disposal, PackageStatus, RecordClass


@login_required
def retention(request: HttpRequest) -> HttpResponse:
    if not policy.can_manage_retention(request.user):
        raise Http404
    return render(
        request,
        "archive/retention.html",
        {
            "due": services.records_due_for_disposal(today=timezone.localdate()),
            "dispose_form": forms.DisposeForm(),
            "disposals": Disposal.objects.select_related("record_class", "disposed_by")[:50],
        },
    )


@login_required
@require_POST
def dispose(request: HttpRequest, rc: int, object_id: str) -> HttpResponse:
    if not policy.can_manage_retention(request.user):
        raise Http404
    record_class = get_visible_or_404(RecordClass.objects.all(), pk=rc)
    try:
        services.record_dispose(actor=request.user, record_class=record_class, object_id=object_id, reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("记录已销毁，销毁记录已写入审计追踪。"))
    return redirect("archive:retention")


@login_required
def package_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.packages_visible_to(request.user)
    can_build = policy.can_build_packages(request.user)
    if not can_build and not qs.exists():
        raise Http404
    return render(request, "archive/package_list.html", {"packages": qs, "can_build": can_build})


@login_required
def package_create(request: HttpRequest) -> HttpResponse:
    if not policy.can_build_packages(request.user):
        raise Http404
    today = timezone.localdate()
    form = forms.PackageForm(
        request.POST or None, initial={"year": today.year, "period_start": today.replace(month=1, day=1), "period_end": today}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            package = services.package_create(
                actor=request.user,
                year=d["year"],
                period_start=d["period_start"],
                period_end=d["period_end"],
                projects=d["projects"],
                evidence_ids=[e.pk for e in d["evidence"]],
                title=d["title"],
            )
        except ValidationError as exc:
            for field, errors in (exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}).items():
                target = "evidence" if field == "evidence_ids" else field
                form.add_error(target if target in form.fields else None, errors)
        else:
            messages.success(request, _("资料包正在后台生成。"))
            return redirect("jobs:detail", pk=package.job_id)
    return render(request, "archive/package_form.html", {"form": form})


@login_required
def package_detail(request: HttpRequest, pk: int) -> HttpResponse:
    package = get_visible_or_404(selectors.packages_visible_to(request.user), pk=pk)
    return render(request, "archive/package_detail.html", {"package": package, "ready": package.status == PackageStatus.READY})


@login_required
def package_download(request: HttpRequest, pk: int) -> HttpResponse:
    package = get_visible_or_404(selectors.packages_visible_to(request.user), pk=pk)
    if package.status != PackageStatus.READY or not package.file:
        raise Http404
    response = FileResponse(package.file.open("rb"), as_attachment=True, filename=f"{package.code}.zip", content_type="application/zip")
    response["X-Content-Type-Options"] = "nosniff"
    return response
