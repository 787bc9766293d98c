"""Chinese error pages (400, 403, 404, 500, CSRF failure) in the opsqm layout, each with a way back.

Signed-in users get the normal page frame (sidebar, header); everyone else a plain card. A 500 page
never touches the database, so it still renders when the database is the problem.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

PAGES: dict[int, tuple[str, str]] = {
    400: ("请求无效", "提交的内容无法识别，请返回上一页重试。"),
    403: ("没有权限", "您的账号没有打开此页面或执行此操作的权限。如需权限，请联系质量经理或系统管理员。"),
    404: ("页面不存在", "您要找的页面不存在，或者您无权查看该记录。"),
    500: ("系统出错了", "处理请求时发生了错误，已记录在系统日志中。请稍后重试；如果问题持续，请联系系统管理员。"),
}


def _render(
    request: HttpRequest | None, status: int, *, title: str | None = None, message: str | None = None, full_layout: bool = True
) -> HttpResponse:
    default_title, default_message = PAGES.get(status, PAGES[500])
    user = getattr(request, "user", None) if request is not None else None
    framed = bool(full_layout and user is not None and user.is_authenticated)
    context: dict[str, Any] = {
        "status": status,
        "title": title or _(default_title),
        "message": message or _(default_message),
        "layout": "base.html" if framed else "errors/bare.html",
    }
    try:
        html = render_to_string("errors/error.html", context, request=request if framed else None)
    except Exception:  # noqa: BLE001 - an error page must always answer
        context["layout"] = "errors/bare.html"
        html = render_to_string("errors/error.html", context)
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _render(request, 500, full_layout=False)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _render(
        request,
        403,
        title=_("页面已过期"),
        message=_("表单的安全校验未通过，通常是页面打开太久或已在其他窗口退出登录。请返回上一页，刷新后重新提交。"),
    )
