from __future__ import annotations

from typing import Callable

from django.http import HttpRequest, HttpResponse

from opsqm.records.context import acting_as, actor_for_user


def client_ip(request: HttpRequest) -> str:
    # Only REMOTE_ADDR: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "")


class AuditContextMiddleware:
    """Makes the request's user and IP the actor of every change made while serving it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ip = client_ip(request)
        with acting_as(lambda: actor_for_user(getattr(request, "user", None), ip)):
            return self.get_response(request)
