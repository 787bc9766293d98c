"""The windows a staged SQLite import writes in (opsqm.tickets.stage_runs.new_windows): each batch is
staged as a run sorted by creation, and the windows cut all rows in creation order, each a few
ranges of stage rows. Checked against a plain sort of (created, idx) cut into pieces when every
row is sampled; when every `stride`-th is, the blocks of `stride` rows go in the order of their
first row's creation instant."""

from __future__ import annotations

import random

import numpy as np
import pytest

from opsqm.tickets.stage_runs import StagedRun, new_windows


def _runs(rng: random.Random, batches: list[int], spread: int, stride: int) -> tuple[np.ndarray, list[StagedRun]]:
    """Creation instants by stage idx, each batch sorted (as stage_append stages it; ties
    included), and the runs stage_append would return for them."""
    created, runs = [], []
    for size in batches:
        run = sorted(rng.randrange(0, spread) for _ in range(size))
        runs.append(StagedRun(len(created), size, np.array(run[::stride], dtype=np.int64), stride))
        created.extend(run)
    return np.array(created, dtype=np.int64), runs


def _rows(window) -> list[int]:
    return [i for first, last in window for i in range(first, last + 1)]


@pytest.mark.parametrize("seed", range(12))
def test_every_row_sampled_gives_the_creation_order_cut_into_pieces(seed):
    rng = random.Random(seed)
    batches = [rng.randrange(1, 60) for _ in range(rng.randrange(1, 7))]
    created, runs = _runs(rng, batches, spread=rng.choice([5, 50, 10_000]), stride=1)  # few values: many ties
    size = rng.randrange(1, 40)
    by_hand = sorted(range(len(created)), key=lambda i: (created[i], i))
    expected = [set(by_hand[i : i + size]) for i in range(0, len(by_hand), size)]
    windows = new_windows(size, runs)
    assert [set(_rows(w)) for w in windows] == expected
    for window in windows:  # ranges in idx order, disjoint, at most one per batch
        assert all(a <= b < c for (a, b), (c, _d) in zip(window, window[1:]))
        assert len(window) <= len(batches)


@pytest.mark.parametrize("seed", range(12))
def test_sampled_runs_give_windows_in_creation_order_up_to_a_block(seed):
    rng = random.Random(100 + seed)
    stride = rng.choice([2, 3, 8])
    batches = [rng.randrange(1, 200) for _ in range(rng.randrange(1, 8))]
    created, runs = _runs(rng, batches, spread=rng.choice([5, 500, 10_000]), stride=stride)
    size = rng.randrange(5, 60)
    windows = new_windows(size, runs)
    rows = [_rows(w) for w in windows]
    assert sorted(i for r in rows for i in r) == list(range(len(created)))  # every row once
    assert all(len(r) <= size + stride - 1 for r in rows)
    # Each row goes with its block (`stride` consecutive rows of its batch), and the blocks go in
    # the order of their first row's creation instant: window by window, those never go back.
    block_start = {}
    for first, count in _batch_bounds(batches):
        for i in range(first, first + count):
            block_start[i] = created[first + (i - first) // stride * stride]
    for earlier, later in zip(rows, rows[1:]):
        assert max(block_start[i] for i in earlier) <= min(block_start[i] for i in later)
    for window in windows:
        assert len(window) <= len(batches)


def _batch_bounds(batches: list[int]) -> list[tuple[int, int]]:
    """(first idx, row count) of each staged batch."""
    bounds, first = [], 0
    for count in batches:
        bounds.append((first, count))
        first += count
    return bounds


def test_one_sorted_batch_is_one_range_per_window():
    run = StagedRun(0, 10, np.arange(10, dtype=np.int64), 1)
    assert new_windows(4, [run]) == [((0, 3),), ((4, 7),), ((8, 9),)]
    assert new_windows(4, []) == []
