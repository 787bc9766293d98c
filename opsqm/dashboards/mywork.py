"""My work (我的待办): what waits for the user, gathered from each area.

An app contributes a `mywork.py` module with `items_for(user, today) -> list[WorkItem]`;
this page never needs editing when an area adds a kind of work.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class WorkItem:
    kind: str  # short Chinese label of the kind of work, e.g. "待验证纠正措施"
    title: str
    url: str
    due: dt.date | None
    project: str = ""  # project code/name for context, "" when org-level
    note: str = ""

    def overdue(self, today: dt.date) -> bool:
        return self.due is not None and self.due < today


def work_for(user: Any, today: dt.date) -> list[WorkItem]:
    items: list[WorkItem] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("opsqm.") or config.name == "opsqm.dashboards":
            continue
        try:
            module = importlib.import_module(f"{config.name}.mywork")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.mywork":
                raise
            continue
        items.extend(module.items_for(user, today))
    # Dated work first by due date; undated work after it.
    return sorted(items, key=lambda i: (i.due is None, i.due or dt.date.max, i.kind, i.title))
