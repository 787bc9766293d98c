from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class ChosenLanguageMiddleware:
    """Chinese unless the user chose otherwise.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which gives an
    English UI to a Chinese clerk whose browser happens to be English. Our users expect
    Chinese by default; the language switcher sets the cookie read here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class AccountStillAllowedMiddleware:
    """Ends the session of an account that may no longer use the system (deactivated user, external
    reviewer whose grant expired) on its next request, not only at the next login. The rule is
    `opsqm.accounts.access.account_usable`; API tokens are checked by `opsqm.accounts.authentication`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.utils.translation import gettext as _

        from opsqm.accounts.access import account_usable

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not account_usable(user):
            logout(request)  # flushes the session; request.user becomes anonymous for the view
            messages.warning(request, _("您的账号已停用或外部评审授权已过期，请重新登录或联系质量管理部。"))
        return self.get_response(request)
