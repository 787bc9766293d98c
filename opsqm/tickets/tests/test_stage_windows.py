"""The windows a staged SQLite import writes in (opsqm.tickets.bulk.new_windows): each batch is
staged as a run sorted by creation, and the windows cut all rows in creation order, each a few
ranges of stage rows. Checked against a plain sort of (created, idx) cut into pieces."""

from __future__ import annotations

import random

import numpy as np
import pytest

from opsqm.tickets.bulk import new_windows


def _runs(rng: random.Random, batches: list[int], spread: int) -> np.ndarray:
    """Creation instants by stage idx: each batch sorted (as stage_append stages it), ties included."""
    runs = [sorted(rng.randrange(0, spread) for _ in range(size)) for size in batches]
    return np.array([c for run in runs for c in run], dtype=np.int64)


@pytest.mark.parametrize("seed", range(12))
def test_windows_are_the_creation_order_cut_into_pieces(seed):
    rng = random.Random(seed)
    batches = [rng.randrange(1, 60) for _ in range(rng.randrange(1, 7))]
    created = _runs(rng, batches, spread=rng.choice([5, 50, 10_000]))  # few values: many ties
    size = rng.randrange(1, 40)
    windows = new_windows(size, created)
    by_hand = sorted(range(len(created)), key=lambda i: (created[i], i))
    expected = [set(by_hand[i : i + size]) for i in range(0, len(by_hand), size)]
    got = [{i for first, last in window for i in range(first, last + 1)} for window in windows]
    assert got == expected
    for window in windows:  # ranges in idx order, disjoint, at most one per batch
        assert all(a <= b < c for (a, b), (c, _d) in zip(window, window[1:]))
        assert len(window) <= len(batches)


def test_one_sorted_batch_is_one_range_per_window():
    created = np.arange(10, dtype=np.int64)
    assert new_windows(4, created) == [((0, 3),), ((4, 7),), ((8, 9),)]
    assert new_windows(4, np.empty(0, dtype=np.int64)) == []
