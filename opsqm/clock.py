"""The business clock: when a workflow step is considered to happen.

Services stamp steps (stage logs, assessments, approvals) with `clock.now()`. The demo
loader replays last June's audit with `clock.frozen_at(...)` so its timeline reads as June;
tests can pin time the same way. The audit trail never uses this: it records real time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar

from django.utils import timezone

_frozen: ContextVar[dt.datetime | None] = ContextVar("opsqm_clock", default=None)


def now() -> dt.datetime:
    return _frozen.get() or timezone.now()


@contextlib.contextmanager
def frozen_at(moment: dt.datetime) -> Iterator[dt.datetime]:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    token = _frozen.set(moment)
    try:
        yield moment
    finally:
        _frozen.reset(token)
