"""The one code allocator for every "PREFIX-YYYY-NNNN" series (findings, audits, improvement
items, complaints, documents …).

A series is a row of `CodeCounter` keyed by (prefix, year). Allocation increments that row in
the caller's transaction: the UPDATE takes a row lock, so concurrent writers on PostgreSQL
queue behind one another and every caller gets a distinct number (SQLite serializes writers
anyway). Numbers are integers, so the series does not break after 9999 the way a textual
"max(code)" does; `code_number` turns a code back into its integer for ordering.

The first allocation of a series seeds the counter from the highest code already stored in
the model that uses it, so series that existed before this allocator continue where they were.
"""

from __future__ import annotations

from django.db import IntegrityError, models, transaction
from django.db.models import F

from opsqm.records.models import CodeCounter

__all__ = ["code_allocate", "code_number"]


def code_number(code: str) -> int | None:
    """The trailing integer of a code (`NC-2026-0012` → 12), or None when there is none."""
    tail = code.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _highest_existing(model: type[models.Model], field: str, stem: str) -> int:
    codes = model._base_manager.filter(**{f"{field}__startswith": stem}).values_list(field, flat=True)
    numbers = [n for n in (code_number(c) for c in codes) if n is not None]
    return max(numbers, default=0)


def code_allocate(*, prefix: str, year: int, model: type[models.Model], field: str = "code", width: int = 4) -> str:
    """Allocate the next code `{prefix}-{year}-{n:0width}` of a series, inside a transaction.

    `model`/`field` name where the codes of this series are stored (used once, to seed a new
    counter from codes written before the counter existed).
    """
    stem = f"{prefix}-{year}-"
    with transaction.atomic():
        updated = CodeCounter.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
        if not updated:
            seed = _highest_existing(model, field, stem)
            try:
                with transaction.atomic():
                    CodeCounter.objects.create(prefix=prefix, year=year, last=seed + 1)
            except IntegrityError:
                # Another writer created the series first; take the next number behind it.
                CodeCounter.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
        last = CodeCounter.objects.filter(prefix=prefix, year=year).values_list("last", flat=True).get()
    return f"{stem}{last:0{width}d}"
