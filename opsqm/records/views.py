from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opsqm.jobs.services import job_create
from opsqm.records.models import AuditAction, AuditEvent
from opsqm.records.selectors import model_choices, present_events
from opsqm.records.tasks import verify_audit_trail_task
from opsqm.web import org_wide_required, paginate, querystring_without


@org_wide_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    qs = AuditEvent.objects.order_by("-id")
    actor = request.GET.get("actor", "").strip()
    action = request.GET.get("action", "")
    model = request.GET.get("model", "")
    if actor:
        qs = qs.filter(actor_name__icontains=actor)
    if action:
        qs = qs.filter(action=action)
    if model:
        qs = qs.filter(model=model)
    page = paginate(request, qs, 50)
    return render(
        request,
        "records/audit_trail.html",
        {
            "history_page": page,
            "history_rows": present_events(page.object_list),
            "filters": {"actor": actor, "action": action, "model": model},
            "actions": AuditAction.choices,
            "models": model_choices(AuditEvent.objects.order_by("model").values_list("model", flat=True).distinct()),
            "qs_no_page": querystring_without(request, "page"),
        },
    )


@org_wide_required
@require_POST
def audit_trail_verify(request: HttpRequest) -> HttpResponse:
    job = job_create(kind="verify_audit_trail", title=_("校验审计追踪完整性"), user=request.user)
    verify_audit_trail_task(str(job.pk))
    return redirect("jobs:detail", pk=job.pk)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """An evidence file as an attachment, only for users who may see the record it belongs to."""
    from opsqm.records.evidence import evidence_download_response, evidence_visible_or_404

    return evidence_download_response(evidence_visible_or_404(request.user, pk))
