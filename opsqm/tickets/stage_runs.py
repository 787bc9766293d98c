"""Where a staged SQLite import cuts its new rows into short transactions (`opsqm.tickets.staging`).

The windows go in creation order, not file order, because the ticket table's creation-time
indexes then only grow at their end: in file order (the bench file's creation times are random
against its rows) every short transaction rewrote most of their pages. Each staged batch is
sorted by creation (`opsqm.tickets.bulk.stage_append`), so a window is a few ranges of stage
rows, one per batch at most, read in place: an index on the stage made each window fetch its
rows from all over it (2.9 s for a million rows), a sorted copy of the stage cost 2.2 s. Of each
batch only every `RUN_STRIDE`-th creation instant is kept (~0.1 byte a staged row), so memory
stays flat whatever the file's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RUN_STRIDE = 64  # rows per block of a staged run
Window = tuple[tuple[int, int], ...]  # (first idx, last idx) ranges of stage rows, inclusive


@dataclass(frozen=True)
class StagedRun:
    """One staged batch, its rows in creation order: where it starts, how many rows, and the
    creation instant of every `stride`-th of them."""

    first: int  # idx of its first row
    count: int
    samples: np.ndarray  # epoch seconds of rows first, first + stride, …
    stride: int


def sampled(first: int, created_sorted: np.ndarray) -> StagedRun:
    """The run of a batch staged from idx `first`, its creation instants in staged order."""
    return StagedRun(first, len(created_sorted), created_sorted[::RUN_STRIDE].copy(), RUN_STRIDE)


def new_windows(size: int, runs: Sequence[StagedRun]) -> list[Window]:
    """The stage rows (every staged batch, `runs`) cut into windows of about `size` rows (at most
    `size` + stride − 1) in creation order. Each run is cut into blocks of `stride` consecutive
    rows, placed by their first row's creation instant: a window is exact creation order up to
    a block's span, which is all the ticket indexes need. A window may hold rows that are not
    NEW: the insert takes only its NEW ones."""
    if not runs:
        return []
    firsts = np.concatenate([run.first + run.stride * np.arange(len(run.samples), dtype=np.int64) for run in runs])
    ends = np.concatenate(
        [np.minimum(run.first + run.stride * np.arange(1, len(run.samples) + 1, dtype=np.int64), run.first + run.count) for run in runs]
    )
    order = np.lexsort((firsts, np.concatenate([run.samples for run in runs])))  # a run's blocks stay in idx order
    counts = (ends - firsts)[order]
    window_of = (np.cumsum(counts) - counts) // size  # by the rows before the block
    ranges: dict[int, list[list[int]]] = {}
    for window, first, end in sorted(zip(window_of.tolist(), firsts[order].tolist(), ends[order].tolist())):
        merged = ranges.setdefault(window, [])
        if merged and merged[-1][1] == first - 1:
            merged[-1][1] = end - 1  # the next block of the same run (or the next run's first)
        else:
            merged.append([first, end - 1])
    return [tuple((a, b) for a, b in ranges[w]) for w in sorted(ranges)]
