"""The cockpit as panels: one small module per panel, each deciding whom it is for.

A panel is a `Panel(key, title, build, template, order, width)`. `build(scope)` returns the panel's
context (or None to hide it). Panels come from the modules of this package and from any app's
`<app>/panels.py` defining `PANELS: list[Panel]`, so areas built later (annual plan, quarterly
summaries, satisfaction) add their panels without touching this package.

Every number a panel shows is a link to the list behind it, and a panel only reads records the
scope's user may see (the selectors of each area apply the visibility rule).
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.apps import apps

from opsqm.accounts.access import is_org_wide
from opsqm.accounts.roles import Role

LEADERSHIP = frozenset({Role.QUALITY_MANAGER, Role.GM_OFFICE, Role.MGMT_REP, Role.ADMIN})


@dataclass(frozen=True)
class Scope:
    """Who looks, at which day, and optionally at one project (the project page)."""

    user: Any
    today: dt.date
    project: Any = None

    @property
    def role(self) -> str:
        return "admin" if self.user.is_superuser else self.user.role

    @property
    def leadership(self) -> bool:
        return self.role in LEADERSHIP or is_org_wide(self.user)


@dataclass(frozen=True)
class Panel:
    key: str
    title: Any
    build: Callable[[Scope], dict[str, Any] | None]
    template: str = ""  # default dashboards/panels/<key>.html
    order: int = 100
    width: str = "col-lg-6"
    roles: frozenset[str] | None = None  # None: every role (the build may still return None)
    on_project_page: bool = True

    @property
    def template_name(self) -> str:
        return self.template or f"dashboards/panels/{self.key}.html"


@lru_cache(maxsize=1)
def all_panels() -> tuple[Panel, ...]:
    found: list[Panel] = []
    package = importlib.import_module(__name__)
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.extend(getattr(module, "PANELS", []))
    for config in apps.get_app_configs():
        if not config.name.startswith("opsqm.") or config.name == "opsqm.dashboards":
            continue
        try:
            module = importlib.import_module(f"{config.name}.panels")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.panels":
                raise
            continue
        found.extend(getattr(module, "PANELS", []))
    return tuple(sorted(found, key=lambda p: (p.order, p.key)))


def panels_for(scope: Scope) -> list[dict[str, Any]]:
    shown = []
    for panel in all_panels():
        if panel.roles is not None and scope.role not in panel.roles:
            continue
        if scope.project is not None and not panel.on_project_page:
            continue
        context = panel.build(scope)
        if context is None:
            continue
        shown.append({"panel": panel, "template": panel.template_name, "ctx": context})
    return shown
