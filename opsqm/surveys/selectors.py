"""Reads of the satisfaction area. Other areas (KPI catalogue, management review, quarterly review,
cockpit, assessor package) call `satisfaction_results`, `satisfaction_rollup`, `response_rates`,
`complaints_in_period` and `lowest_questions`; every one is scoped by the one access policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from opsqm.accounts.access import is_org_wide, scope_to_projects, visible_customers, visible_projects
from opsqm.core import satisfaction as core
from opsqm.surveys.models import Campaign, Complaint, Invitation, Level, Question, Response, SurveyTemplate
from opsqm.surveys.services import core_rules, rules_for_year

__all__ = [
    "Rollup",
    "period_bounds",
    "satisfaction_rollup",
    "satisfaction_rollups",
    "company_satisfaction",
    "satisfaction_results",
    "responses_visible_to",
    "responses_in_period",
    "response_rates",
    "campaigns_visible_to",
    "complaints_visible_to",
    "complaints_in_period",
    "project_explanation",
    "lowest_questions",
    "trend",
]


def period_bounds(period: core.SurveyPeriod) -> tuple[dt.datetime, dt.datetime]:
    """The period's local days as aware datetimes (company time zone)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    return (dt.datetime.combine(period.start, dt.time.min, tzinfo=tz), dt.datetime.combine(period.end, dt.time.min, tzinfo=tz))


def responses_visible_to(user: Any) -> QuerySet:
    """Project-level and incident responses of visible projects; customer-level ones of visible customers."""
    qs = Response.objects.all()
    if is_org_wide(user):
        return qs
    return qs.filter(
        Q(project__in=visible_projects(user).values("pk")) | Q(project__isnull=True, customer__in=visible_customers(user).values("pk"))
    )


def responses_in_period(user: Any, period: core.SurveyPeriod) -> QuerySet:
    start, end = period_bounds(period)
    return responses_visible_to(user).filter(submitted_at__gte=start, submitted_at__lt=end)


def campaigns_visible_to(user: Any) -> QuerySet:
    qs = Campaign.objects.select_related("project", "customer", "template")
    if is_org_wide(user):
        return qs
    return qs.filter(
        Q(project__in=visible_projects(user).values("pk")) | Q(project__isnull=True, customer__in=visible_customers(user).values("pk"))
    )


def complaints_visible_to(user: Any) -> QuerySet:
    qs = Complaint.objects.select_related("customer", "project", "handler")
    if is_org_wide(user):
        return qs
    return qs.filter(
        Q(project__in=visible_projects(user).values("pk")) | Q(project__isnull=True, customer__in=visible_customers(user).values("pk"))
    )


def complaints_in_period(user: Any, period: core.SurveyPeriod) -> QuerySet:
    start, end = period_bounds(period)
    return complaints_visible_to(user).filter(received_at__gte=start, received_at__lt=end)


@dataclass
class Rollup:
    period: core.SurveyPeriod
    rules: Any  # SatisfactionRules
    projects: list[core.ProjectScore]  # .project is the org.Project
    company: dict[str, core.CompanyScore]

    def for_project(self, code: str) -> core.ProjectScore | None:
        return next((p for p in self.projects if p.project.code == code), None)


def satisfaction_rollup(*, user: Any, period: str | core.SurveyPeriod, project_code: str | None = None) -> Rollup:
    """Every visible project's score for the period (responses' stored scores), plus the company
    figures over those projects. A customer-level response counts for each project of its customer."""
    p = core.parse_period(period) if isinstance(period, str) else period
    return satisfaction_rollups(user=user, periods=[p], project_code=project_code)[p.code]


def satisfaction_rollups(*, user: Any, periods: list[str | core.SurveyPeriod], project_code: str | None = None) -> dict[str, Rollup]:
    """`satisfaction_rollup` of several periods in one read (the KPI pages: a year's quarters or
    months, plus the year): visible projects and the responses of the whole span read once."""
    projects = list(visible_projects(user).select_related("customer").exclude(status="planning").order_by("code"))
    if project_code is not None:
        projects = [x for x in projects if x.code == project_code]
    return _rollups(projects, responses_visible_to(user), periods)


def company_satisfaction(*, period: str) -> float | None:
    """The company satisfaction of a period over every project, by the year's company method
    (rounded like the API). For company-level figures such as the annual plan's objectives."""
    from opsqm.org.models import Project

    projects = list(Project.objects.select_related("customer").exclude(status="planning").order_by("code"))
    roll = _rollups(projects, Response.objects.all(), [period])[core.parse_period(period).code]
    return _r1(roll.company[roll.rules.company_method].score)


def _rollups(projects: list[Any], responses: QuerySet, periods: list[str | core.SurveyPeriod]) -> dict[str, Rollup]:
    parsed = [core.parse_period(x) if isinstance(x, str) else x for x in periods]
    if not parsed:
        return {}
    start = period_bounds(min(parsed, key=lambda x: x.start))[0]
    end = period_bounds(max(parsed, key=lambda x: x.end))[1]
    tz = ZoneInfo(settings.TIME_ZONE)
    rows = [
        (pk, level, project_id, customer_id, score, submitted.astimezone(tz).date())
        for pk, level, project_id, customer_id, score, submitted in responses.filter(submitted_at__gte=start, submitted_at__lt=end)
        .order_by()
        .values_list("pk", "level", "project_id", "customer_id", "score", "submitted_at")
    ]
    rules_by_year: dict[int, Any] = {}
    values = {proj: float(proj.contract_value) for proj in projects}
    out: dict[str, Rollup] = {}
    for p in parsed:
        if p.year not in rules_by_year:
            rules_by_year[p.year] = rules_for_year(p.year)
        rules = rules_by_year[p.year]
        crules = core_rules(rules)
        by_project: dict[int, dict[str, list[core.ResponseScore]]] = {}
        by_customer: dict[int, list[core.ResponseScore]] = {}
        for pk, level, project_id, customer_id, score, day in rows:
            if not p.contains(day):
                continue
            rs = core.ResponseScore(score, (), pk)
            if level == Level.CUSTOMER:
                by_customer.setdefault(customer_id, []).append(rs)
            elif project_id is not None:
                by_project.setdefault(project_id, {}).setdefault(level, []).append(rs)
        scores = []
        for proj in projects:
            levels = dict(by_project.get(proj.pk, {}))
            levels["customer"] = by_customer.get(proj.customer_id, [])
            scores.append(core.project_score(proj, levels, crules))
        company = {m: core.company_score(scores, m, values) for m in core.COMPANY_METHODS}
        out[p.code] = Rollup(p, rules, scores, company)
    return out


def _r1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def satisfaction_results(*, user: Any, period: str, project_code: str | None = None) -> dict[str, Any]:
    """The structure of GET /api/v1/satisfaction/ (a level without enough responses is absent)."""
    roll = satisfaction_rollup(user=user, period=period, project_code=project_code)
    projects = []
    for ps in roll.projects:
        levels = {lv: {"score": _r1(ls.score), "responses": ls.count} for lv, ls in ps.levels.items() if ls.score is not None}
        projects.append(
            {"project": ps.project.code, "customer": ps.project.customer.code, "levels": levels, "score": _r1(ps.score), "band": ps.band}
        )
    return {"period": roll.period.code, "projects": projects, "company": {m: _r1(c.score) for m, c in roll.company.items()}}


def project_explanation(*, user: Any, project: Any, period: str) -> dict[str, Any]:
    """A project's score with every level, weight, response and raw answer behind it."""
    roll = satisfaction_rollup(user=user, period=period, project_code=project.code)
    ps = roll.for_project(project.code)
    start, end = period_bounds(roll.period)
    responses = (
        Response.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .filter(Q(project=project) | Q(level=Level.CUSTOMER, customer_id=project.customer_id))
        .select_related("invitation", "template")
        .prefetch_related("answers__question")
        .order_by("level", "submitted_at")
    )
    detail: dict[str, list[tuple[Response, core.ResponseScore]]] = {lv: [] for lv in core.LEVELS}
    for r in responses:
        answers = [a for a in r.answers.all() if a.question.kind == Question.Kind.RATING]
        computed = core.response_score(
            [
                core.RatingAnswer(
                    value=a.value,
                    scale_min=a.question.scale_min,
                    scale_max=a.question.scale_max,
                    weight=a.question.weight,
                    question=a.question.text,
                    ref=a.pk,
                )
                for a in answers
            ],
            ref=r.pk,
        )
        detail[r.level].append((r, computed))
    return {"rollup": roll, "score": ps, "responses": detail}


def response_rates(*, user: Any, period: core.SurveyPeriod) -> dict[str, list[dict[str, Any]]]:
    """Invitations sent in the period (withdrawn ones left out) and how many were answered, per
    campaign, per project and per customer."""
    start, end = period_bounds(period)
    inv = Invitation.objects.filter(created_at__gte=start, created_at__lt=end).exclude(status=Invitation.Status.WITHDRAWN)
    if not is_org_wide(user):
        inv = inv.filter(
            Q(project__in=visible_projects(user).values("pk")) | Q(project__isnull=True, customer__in=visible_customers(user).values("pk"))
        )
    agg = dict(invited=Count("pk"), answered=Count("pk", filter=Q(status=Invitation.Status.ANSWERED)))

    def rows(values: list[str]) -> list[dict[str, Any]]:
        out = []
        for row in inv.values(*values).annotate(**agg).order_by(*values):
            row["rate"] = row["answered"] / row["invited"] if row["invited"] else None
            out.append(row)
        return out

    return {
        "campaign": rows(["campaign__code", "campaign__title", "level"]),
        "project": rows(["project__code", "project__name", "level"]),
        "customer": rows(["customer__code", "customer__name"]),
    }


def lowest_questions(*, user: Any, period: core.SurveyPeriod, limit: int = 8) -> list[dict[str, Any]]:
    """Rating questions by their mean 0–100 score in the period, lowest first (at least 1 answer)."""
    stats: dict[tuple[str, str], list[float]] = {}
    rows = (
        responses_in_period(user, period)
        .filter(answers__value__isnull=False, answers__question__kind=Question.Kind.RATING)
        .values_list("level", "answers__question__text", "answers__value", "answers__question__scale_min", "answers__question__scale_max")
    )
    for level, text, value, lo, hi in rows:
        stats.setdefault((level, text), []).append(core.normalize(value, lo, hi))
    out = [{"level": lv, "question": text, "mean": sum(v) / len(v), "answers": len(v)} for (lv, text), v in stats.items()]
    return sorted(out, key=lambda r: r["mean"])[:limit]


def trend(*, user: Any, year: int) -> list[tuple[str, float | None, dict[str, float | None]]]:
    """(quarter, company score by the year's method, {project code: score}) for the four quarters."""
    out = []
    for q in range(1, 5):
        roll = satisfaction_rollup(user=user, period=f"{year}-Q{q}")
        out.append((roll.period.code, roll.company[roll.rules.company_method].score, {p.project.code: p.score for p in roll.projects}))
    return out


def templates_list() -> QuerySet:
    return SurveyTemplate.objects.annotate(n_questions=Count("questions")).order_by("level", "family", "-version")


def incident_invitations_visible_to(user: Any) -> QuerySet:
    return scope_to_projects(Invitation.objects.filter(level=Level.INCIDENT).select_related("project", "ticket"), user)
