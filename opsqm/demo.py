"""The demo data set: each app contributes a `demo.py` with `load(ctx)`, run in app order."""

from __future__ import annotations

import datetime as dt
import importlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

DEMO_PASSWORD = "opsqm-demo"  # nosec B105 # the documented password of the demo personas (README), demo data only


@dataclass
class DemoContext:
    today: dt.date
    now: dt.datetime
    rng: random.Random
    log: Callable[[str], None]
    users: dict[str, Any] = field(default_factory=dict)
    projects: list[Any] = field(default_factory=list)
    customers: list[Any] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def demo_loaders() -> list[tuple[str, Callable[[DemoContext], None]]]:
    loaders = []
    for config in apps.get_app_configs():
        if not config.name.startswith("opsqm."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        loaders.append((config.label, module.load))
    return loaders
