"""Kinds of record that fulfil a plan activity, registered by the app that owns them.

An app registers its kind once, in its AppConfig.ready():

    from opsqm.plans.linking import Linkable, register
    register(Linkable(model="reviews.ManagementReview", label=_("管理评审"),
                      types=("management_review",), candidates=visible_reviews,
                      url=lambda r: reverse("reviews:detail", args=[r.pk]), text=str))

`candidates(user)` returns the records that user may see (the same access rule as the owning
app's pages); linking checks the chosen record is among them, so a link never leaks a record.
`types` lists the activity types the kind usually fulfils (offered first; any kind may be linked).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class Linkable:
    model: str  # "app_label.ModelName"
    label: Any  # shown to users, e.g. 审核/检查
    candidates: Callable[[Any], QuerySet]  # records `user` may see
    url: Callable[[Any], str]
    text: Callable[[Any], str] = str
    types: tuple[str, ...] = field(default_factory=tuple)

    @property
    def key(self) -> str:
        return self.model.lower()

    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)


_REGISTRY: dict[str, Linkable] = {}


def register(kind: Linkable) -> None:
    _REGISTRY[kind.key] = kind


def kinds() -> list[Linkable]:
    return list(_REGISTRY.values())


def kind_for(key: str) -> Linkable | None:
    return _REGISTRY.get((key or "").lower())


def kind_of_model(model: type[Model]) -> Linkable | None:
    return _REGISTRY.get(model._meta.label_lower)


def register_builtin() -> None:
    """Kinds that exist on main today: audits and the quarterly review."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from opsqm.audits.selectors import visible_audits

    register(
        Linkable(
            model="audits.Audit",
            label=_("审核/检查"),
            candidates=visible_audits,
            url=lambda a: reverse("audits:audit_detail", args=[a.pk]),
            types=("internal_audit", "project_check", "supervision", "other"),
        )
    )
