"""The assessor package's content: a small registry of providers, one module per contributing app.

Provider interface (what another app adds to take part, e.g. `opsqm/plans/assessor.py`):

    from opsqm.archive.providers import PackageItem, PackageScope

    SECTION = "plan"                    # stable key
    TITLE = _("年度质量管理计划")          # heading in index.html
    ORDER = 10                          # position of the section in index.html

    def items(scope: PackageScope) -> Iterable[PackageItem]:
        ...yield PackageItem(path="plan/2026-质量管理计划.docx", title="…", content=b"…")

Rules every provider follows (the package is handed to outsiders):
- Only records inside `scope`: the period [scope.start, scope.end] and, when `scope.project_ids` is not
  None, only records of those projects. A company-level record that mentions other projects
  belongs only in a whole-company package (`scope.whole_company`).
- `path` is relative, uses "/" and stays inside the provider's own folder; the builder refuses "..".
- `content` is bytes (or a callable returning bytes, called once while building).
Discovery: every installed `opsqm.*` app with an `assessor` module; nothing else to register.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PackageScope:
    year: int
    start: dt.date
    end: dt.date
    project_ids: frozenset[int] | None  # None = the whole company
    evidence_ids: tuple[int, ...] = ()

    @property
    def whole_company(self) -> bool:
        return self.project_ids is None

    @property
    def start_dt(self) -> dt.datetime:
        from django.utils import timezone

        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_dt(self) -> dt.datetime:
        """Exclusive upper bound."""
        from django.utils import timezone

        return timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min))

    def project_ok(self, project_id: int | None) -> bool:
        """A record of `project_id` (None = company level) belongs in the package."""
        if self.whole_company:
            return True
        return project_id is not None and project_id in self.project_ids

    def projects_ok(self, project_ids: Iterable[int]) -> bool:
        """A record touching several projects belongs only if it touches no project outside the scope."""
        ids = set(project_ids)
        if self.whole_company:
            return True
        return bool(ids) and ids <= self.project_ids


@dataclass(frozen=True)
class PackageItem:
    path: str
    title: str
    content: bytes | Callable[[], bytes]
    note: str = ""

    def data(self) -> bytes:
        return self.content() if callable(self.content) else self.content


@dataclass(frozen=True)
class Provider:
    section: str
    title: Any
    order: int
    items: Callable[[PackageScope], Iterable[PackageItem]]
    empty: Any = ""


# Sections an assessor expects whose areas may not be installed yet: index.html says so instead of
# silently leaving them out. An installed app's provider with the same SECTION replaces the placeholder.
EXPECTED_SECTIONS = [
    ("plan", _("年度质量管理计划"), 10),
    ("quarterly", _("季度质量报告"), 60),
    ("surveys", _("客户满意度调查报告"), 70),
]


def providers() -> list[Provider]:
    found: list[Provider] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("opsqm."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.assessor")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.assessor":
                raise
            continue
        found.append(Provider(module.SECTION, module.TITLE, module.ORDER, module.items, getattr(module, "EMPTY", "")))
    have = {p.section for p in found}
    for section, title, order in EXPECTED_SECTIONS:
        if section not in have:
            found.append(Provider(section, title, order, lambda scope: (), _("该模块尚未启用，本资料包未包含此项。")))
    return sorted(found, key=lambda p: (p.order, p.section))
