"""The public answer page: no login, phone-first, one response per invitation.

Unknown, answered, withdrawn and expired tokens all get the same neutral page with the same
status, so a link reveals nothing about other invitations. django-ratelimit caps requests per
token and per client IP (settings OPSQM_SURVEY_RATE_TOKEN / OPSQM_SURVEY_RATE_IP).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from opsqm.surveys import services
from opsqm.surveys.models import Question

NEUTRAL_STATUS = 404


def _token_key(group: str, request: HttpRequest) -> str:
    token = request.resolver_match.kwargs.get("token", "") if request.resolver_match else ""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _limited(request: HttpRequest) -> bool:
    ip = is_ratelimited(request, group="survey-ip", key="ip", rate=settings.OPSQM_SURVEY_RATE_IP, method=ALL, increment=True)
    tok = is_ratelimited(request, group="survey-token", key=_token_key, rate=settings.OPSQM_SURVEY_RATE_TOKEN, method=ALL, increment=True)
    return ip or tok


def neutral(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/public/neutral.html", status=NEUTRAL_STATUS)


def _sections(questions: list[Question], data, errors: dict[str, list[str]]):
    """Questions grouped by section, each with what the respondent entered and its error."""
    out: list[dict] = []
    for q in questions:
        key = f"q{q.pk}"
        title = q.section.title if q.section_id else ""
        if not out or out[-1]["title"] != title:
            out.append({"title": title, "questions": []})
        out[-1]["questions"].append(
            {
                "q": q,
                "key": key,
                "value": (data.get(key) or "") if data is not None else "",
                "values": data.getlist(key) if data is not None else [],
                "errors": errors.get(key, []),
            }
        )
    return out


@never_cache
def answer(request: HttpRequest, token: str) -> HttpResponse:
    if _limited(request):
        return render(request, "surveys/public/limited.html", status=429)
    now = timezone.now()
    try:
        inv = services.invitation_for_token(token, now)
    except services.InvalidToken:
        return neutral(request)
    questions = list(inv.template.questions.select_related("section").order_by("order", "id"))
    errors: dict[str, list[str]] = {}
    data = None
    if request.method == "POST":
        data = request.POST
        try:
            services.response_submit(token=token, data=request.POST, now=now, invitation=inv, questions=questions)
        except services.InvalidToken:
            return neutral(request)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"comment": exc.messages}
        else:
            return redirect("survey_public:thanks")
    has_text = any(q.kind == Question.Kind.TEXT for q in questions)
    return render(
        request,
        "surveys/public/answer.html",
        {
            "inv": inv,
            "sections": _sections(questions, data, errors),
            "errors": errors,
            "has_text": has_text,
            "comment": (data.get("comment") if data is not None else "") or "",
            "comment_errors": errors.get("comment", []),
        },
        status=400 if errors else 200,
    )


def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/public/thanks.html")
