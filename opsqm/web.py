"""Small helpers shared by page views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from opsqm.accounts.access import can_manage_master_data, is_org_wide


def paginate(request: HttpRequest, qs: QuerySet, per_page: int = 25) -> Page:
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def master_data_required(view: Callable) -> Callable:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any):
        if not can_manage_master_data(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def org_wide_required(view: Callable) -> Callable:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any):
        if not is_org_wide(request.user):
            # Org-wide pages are hidden from everyone else like a foreign object.
            from django.http import Http404

            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def querystring_without(request: HttpRequest, *keys: str) -> str:
    params = request.GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()
