"""Reads of the quarterly review: access, and the analysis assembled per project and for the company."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from opsqm.accounts.access import is_org_wide, scope_to_projects
from opsqm.core.kpi import Period
from opsqm.quarterly.kpi_source import kpi_rows
from opsqm.quarterly.models import QuarterlyReview, QuarterlySubmission


def can_see_reviews(user: Any) -> bool:
    """The company-wide analysis pools every project: org-wide roles only."""
    return is_org_wide(user)


def reviews_for(user: Any) -> QuerySet[QuarterlyReview]:
    return QuarterlyReview.objects.all() if can_see_reviews(user) else QuarterlyReview.objects.none()


def get_review_or_404(user: Any, pk: int) -> QuarterlyReview:
    review = reviews_for(user).filter(pk=pk).first()
    if review is None:
        raise Http404
    return review


def submissions_for(user: Any) -> QuerySet[QuarterlySubmission]:
    qs = QuarterlySubmission.objects.select_related("review", "project", "owner")
    if not (user and user.is_authenticated and user.is_active):
        return qs.none()
    return scope_to_projects(qs, user)


def own_submissions(user: Any) -> QuerySet[QuarterlySubmission]:
    """The submissions `user` writes (the list page's 我的季度工作总结), within the projects they may see."""
    return submissions_for(user).filter(owner=user) if user and user.is_authenticated else QuarterlySubmission.objects.none()


def reviews_listed_for(user: Any) -> QuerySet[QuarterlyReview]:
    """What the list page names: every review for org-wide roles; otherwise the reviews holding one of
    the user's own submissions (without the company-wide analysis, which stays with `can_see_reviews`)."""
    if can_see_reviews(user):
        return reviews_for(user)
    return QuarterlyReview.objects.filter(pk__in=own_submissions(user).values("review_id"))


def get_submission_or_404(user: Any, pk: int) -> QuarterlySubmission:
    s = submissions_for(user).filter(pk=pk).first()
    if s is None:
        raise Http404
    return s


def parse_quarter(text: str) -> tuple[int, int]:
    """'2026-Q3' → (2026, 3); ValueError otherwise."""
    p = Period.parse((text or "").strip().upper().replace("q", "Q"))
    if p.quarter is None:
        raise ValueError(text)
    return p.year, p.quarter


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start_local, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end_local + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def satisfaction_section(period: Period, project_ids: list[int] | None) -> dict[str, Any]:
    """HOOK for the surveys app: when `opsqm.surveys` is installed, its `quarterly.section(period, project_ids)`
    returns {"rows": [{"label", "value"}...], "complaints": int}. Until then the area says it is not available."""
    if not apps.is_installed("opsqm.surveys"):
        return {"available": False, "rows": [], "complaints": None}
    try:
        from opsqm.surveys.quarterly import section  # type: ignore[import-not-found]
    except ImportError:
        return {"available": False, "rows": [], "complaints": None}
    return {"available": True, **section(period, project_ids)}


def analysis(*, year: int, quarter: int, project: Any | None = None) -> dict[str, Any]:
    """KPIs vs targets with the quarter's trend, misses and the findings raised from them, audits of the
    quarter with their results, open corrective actions, satisfaction (when available), O&M submissions."""
    from opsqm.audits.models import Audit
    from opsqm.audits.selectors import conformance_for_audit
    from opsqm.findings.models import CorrectiveAction, Finding

    period = Period(year, quarter=quarter)
    start, end = _bounds(period)
    ids = [project.pk] if project is not None else None
    kpis = kpi_rows(period=period, project_ids=ids)
    findings = Finding.objects.filter(raised_at__gte=start, raised_at__lt=end).select_related("project", "owner")
    audits = Audit.objects.filter(planned_end__gte=period.start_local, planned_end__lte=period.end_local).prefetch_related("projects")
    actions = (
        CorrectiveAction.objects.filter(created_at__lt=end)
        .filter(Q(status=CorrectiveAction.Status.PLANNED) | Q(status=CorrectiveAction.Status.IMPLEMENTED))
        .select_related("finding__project", "owner")
    )
    submissions = QuarterlySubmission.objects.filter(review__year=year, review__quarter=quarter).select_related("project", "owner")
    if project is not None:
        findings = findings.filter(project=project)
        audits = audits.filter(projects=project)
        actions = actions.filter(finding__project=project)
        submissions = submissions.filter(project=project)
    audit_rows = []
    for a in audits.order_by("planned_end", "code"):
        c = conformance_for_audit(a)
        audit_rows.append(
            {
                "audit": a,
                "code": a.code,
                "title": a.title,
                "kind": a.get_kind_display(),
                "stage": a.get_stage_display(),
                "rate": c.rate_percent,
                "rating": a.get_conclusion_rating_display() or "—",
            }
        )
    return {
        "period": period,
        "kpis": kpis,
        "misses": [k for k in kpis if k.missed],
        "kpi_findings": list(findings.filter(source=Finding.Source.KPI).order_by("code")),
        "findings": list(findings.order_by("code")),
        "audits": audit_rows,
        "actions": list(actions.order_by("due_date")),
        "satisfaction": satisfaction_section(period, ids),
        "submissions": list(submissions.order_by("project__code")),
    }
