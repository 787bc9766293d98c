"""The bell in the top bar: one COUNT query per page, and only when someone is logged in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from opsqm.notifications.selectors import unread_count


def bell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    # Lazy: pages that never render the bell (API, downloads) do not pay for the query.
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
