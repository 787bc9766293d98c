from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from opsqm.help.content import GLOSSARY, ROLES, guide_for, guide_for_role


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "help/index.html", {"roles": ROLES, "mine": guide_for_role(request.user.role), "glossary": GLOSSARY})


@login_required
def glossary(request: HttpRequest) -> HttpResponse:
    return render(request, "help/glossary.html", {"glossary": GLOSSARY})


@login_required
def role(request: HttpRequest, role: str) -> HttpResponse:
    guide = guide_for(role)
    if guide is None:
        raise Http404
    # Link a step's page only when this user may open it (its sidebar shows it); else name it.
    from django.urls import NoReverseMatch, reverse

    from opsqm.navigation import sidebar_for

    mine = {item["url"] for section in sidebar_for(request.user, request.path) for item in section["items"]}
    steps = []
    for step in guide.steps:
        try:
            url = reverse(step.url_name) if step.url_name else ""
        except NoReverseMatch:
            url = ""
        steps.append({"step": step, "url": url if url in mine else ""})
    return render(request, "help/role.html", {"guide": guide, "roles": ROLES, "steps": steps})
