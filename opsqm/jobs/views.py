from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from opsqm.jobs.selectors import get_job_for_user


@login_required
def job_detail(request: HttpRequest, pk: str) -> HttpResponse:
    job = get_job_for_user(request.user, pk)
    if request.headers.get("HX-Request"):
        return render(request, "jobs/_progress.html", {"job": job})
    return render(request, "jobs/job_detail.html", {"job": job})


@login_required
def job_status(request: HttpRequest, pk: str) -> JsonResponse:
    job = get_job_for_user(request.user, pk)
    return JsonResponse(
        {
            "id": str(job.pk),
            "status": job.status,
            "percent": job.percent,
            "done": job.progress_done,
            "total": job.progress_total,
            "message": job.message,
            "error": job.error if job.status == "failed" else "",
        }
    )
