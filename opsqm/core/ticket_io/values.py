"""SLA inputs: the one case rule for priorities, the one priority → target lookup, and
the value mapping from a source's priority words to the agreement's priorities.

The rule: priorities compare after trimming and case folding, by code or by name
(an agreement may name P1 "紧急"); what is stored is the agreement's code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import polars as pl

from opsqm.core.sla import SlaTargets

__all__ = ["priority_key", "priority_lookup", "map_priorities", "target_arrays", "value_counts"]


def priority_key(text: object) -> str:
    return str(text or "").strip().casefold()


def priority_lookup(priorities: Iterable[tuple[str, str]]) -> dict[str, str]:
    """key → code for an agreement's (code, name) pairs; a code wins over a name."""
    pairs = list(priorities)
    lookup = {priority_key(name): code for code, name in pairs if name}
    lookup.update({priority_key(code): code for code, _name in pairs})
    return lookup


def map_priorities(
    text: pl.Series, priority_map: Mapping[str, str], priorities: Sequence[tuple[str, str]] | None
) -> tuple[pl.Series, pl.Series]:
    """(values to store, unknown-mask). ``priority_map`` turns a source value into a
    code or name of the agreement; with ``priorities`` the result is the agreement's
    code and values it does not know are flagged, without it values pass unchanged."""
    mapped = text
    if priority_map:
        keys = {priority_key(k): str(v) for k, v in priority_map.items()}
        hit = text.str.strip_chars().str.to_lowercase().replace_strict(keys, default=None, return_dtype=pl.String)
        mapped = pl.select(pl.coalesce(hit, text)).to_series()
    if priorities is None:
        return mapped.rename(text.name), pl.Series([False] * len(text))
    lookup = priority_lookup(priorities)
    resolved = mapped.str.strip_chars().str.to_lowercase().replace_strict(lookup, default=None, return_dtype=pl.String)
    unknown = resolved.is_null() & text.is_not_null()
    return resolved.rename(text.name), unknown


def target_arrays(priority: np.ndarray, targets: Mapping[str, tuple[int, int]]) -> SlaTargets:
    """Per-ticket (response, resolution) seconds for ``targets`` keyed by priority code,
    under the case rule; -1 where the priority has no target. One lookup per distinct value."""
    folded = {priority_key(code): value for code, value in targets.items()}
    values = np.asarray(priority, dtype=object).astype(str)
    if not values.size:
        empty = np.empty(0, dtype=np.int64)
        return SlaTargets(response_seconds=empty, resolution_seconds=empty.copy())
    distinct, inverse = np.unique(values, return_inverse=True)
    table = np.array([folded.get(priority_key(p), (-1, -1)) for p in distinct.tolist()], dtype=np.int64).reshape(-1, 2)
    picked = table[inverse.reshape(-1)]
    return SlaTargets(response_seconds=picked[:, 0].copy(), resolution_seconds=picked[:, 1].copy())


def value_counts(text: pl.Series) -> list[tuple[str, int]]:
    """Distinct non-empty values with their counts, most frequent first (mapping page)."""
    cleaned = text.cast(pl.String).str.strip_chars()
    cleaned = cleaned.filter(cleaned.is_not_null() & (cleaned != ""))
    counts = cleaned.value_counts(sort=True)
    return [(str(v), int(c)) for v, c in counts.iter_rows()]
