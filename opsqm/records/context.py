"""Who is acting right now, for the audit trail.

A contextvar (not a thread-local) so it is correct under threads and async alike.
The web middleware binds the request; the actor is read from it when a change is
recorded, because DRF token authentication sets `request.user` only inside the view.
Commands and jobs set an explicit actor with `acting_as`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    ip: str = ""


SYSTEM = Actor(None, "system")
_current: ContextVar[Callable[[], Actor]] = ContextVar("opsqm_actor", default=lambda: SYSTEM)


def current_actor() -> Actor:
    return _current.get()()


@contextlib.contextmanager
def acting_as(actor: Actor | Callable[[], Actor]) -> Iterator[None]:
    resolver = actor if callable(actor) else (lambda: actor)
    token = _current.set(resolver)
    try:
        yield
    finally:
        _current.reset(token)


def actor_for_user(user: Any, ip: str = "") -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(None, "anonymous", ip)
    username = user.get_username()
    full_name = getattr(user, "full_name", "")
    # The name a clerk recognises, with the login to tell namesakes apart.
    return Actor(user.pk, f"{full_name}（{username}）" if full_name else username, ip)
