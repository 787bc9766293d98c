"""The sidebar, assembled from each app's `nav.py` so areas add themselves without a shared list.

An app's nav module defines `ITEMS: list[NavItem]`. Sections appear in SECTION_ORDER.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    section: str
    label: Any
    url_name: str
    icon: str = "bi-circle"
    order: int = 100
    visible: Callable[[Any], bool] = field(default=lambda user: True)


SECTION_ORDER = ["home", "org", "tickets", "kpis", "audits", "findings", "system"]
SECTION_LABELS = {
    "home": _("工作台"),
    "org": _("组织与项目"),
    "tickets": _("工单与 SLA"),
    "kpis": _("质量指标"),
    "audits": _("检查与审核"),
    "findings": _("问题与改进"),
    "system": _("系统"),
}


@lru_cache(maxsize=1)
def all_items() -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("opsqm."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.nav")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.nav":
                raise
            continue
        items.extend(module.ITEMS)
    return tuple(items)


def sidebar_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    entries: list[tuple[NavItem, str]] = []
    for item in sorted(all_items(), key=lambda i: (SECTION_ORDER.index(i.section) if i.section in SECTION_ORDER else 99, i.order)):
        if not item.visible(user):
            continue
        try:
            entries.append((item, reverse(item.url_name)))
        except NoReverseMatch:
            continue  # never link to a page that does not exist
    # Only the longest matching link is active, so /audits/ is not lit on /audits/programs/.
    matching = [url for _, url in entries if current_path == url or (url != "/" and current_path.startswith(url))]
    active_url = max(matching, key=len) if matching else None
    sections: dict[str, list[dict[str, Any]]] = {}
    for item, url in entries:
        sections.setdefault(item.section, []).append({"label": item.label, "url": url, "icon": item.icon, "active": url == active_url})
    return [{"key": key, "label": SECTION_LABELS.get(key, key), "items": items} for key, items in sections.items()]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {"sidebar": sidebar_for(user, request.path)}
