from __future__ import annotations

from collections.abc import Callable

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


class EditConflictMiddleware:
    """The last guard for optimistic locking on pages: a `StaleEditError` that a view did not turn
    into a form error becomes the site's Chinese conflict message (flash + back to the page),
    never a 500. The API answers the same error with 409 (`opsqm.api.errors`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.contrib import messages
        from django.shortcuts import redirect

        from opsqm.records.locking import StaleEditError

        if not isinstance(exception, StaleEditError):
            return None
        text = " ".join(exception.messages)
        if request.method in ("GET", "HEAD"):
            return HttpResponse(text, status=409, content_type="text/plain; charset=utf-8")
        messages.error(request, text)
        return redirect(request.get_full_path())
