"""A file's repeated ticket numbers, found in memory that does not grow with the file.

An import reads its file a chunk at a time, but a number may repeat one from any earlier chunk.
Keeping every number for a check at the end (≈ 24 bytes a row, and a hash table as large again
at the end) made a 10 M-row import hold 1.2 GB. So only the first chunk is kept as it is (a
file of one chunk, as most are, is checked in memory at once); from the second on, each
number's 64-bit hash and its row go to files on disk, split into `PARTS` by the hash's top bits.
At the end each part is sorted alone: rows whose hash occurs twice are *suspects* — all the
real duplicates, and, once in millions of files, two numbers that only share a hash. Suspects
are rare (a file that has any fails), so their numbers are read a second time from the file and
compared exactly (:func:`opsqm.core.ticket_io.parse.check_duplicates`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Final

import numpy as np
import polars as pl

from opsqm.core.ticket_io.parse import Problems, check_duplicates

__all__ = ["RepeatedNumbers"]

PARTS: Final = 64  # a part of a 10 M-row file: 156 k rows, 2.5 MB to sort
_SHIFT: Final = np.uint64(64 - 6)  # the part: the hash's top 6 bits (2**6 = PARTS)
_RECORD: Final = np.dtype([("key", "<u8"), ("row", "<i8")])
_SEED: Final = 20240927

# The suspects' numbers, read again from the file: rows (sorted) → (numbers, their rows).
NumbersAt = Callable[[np.ndarray], tuple[pl.Series, np.ndarray]]


def hash_keys(numbers: pl.Series) -> np.ndarray:
    """64-bit keys of the numbers (equal numbers, equal keys)."""
    return numbers.hash(seed=_SEED).to_numpy()


class RepeatedNumbers:
    """Fed every chunk's ticket numbers with their row numbers (`add`), reports the rows whose
    number repeats another row's into a `Problems` (`report`). Use as a context manager: its
    files on disk go with it."""

    def __init__(self, spill_dir: Path | None = None) -> None:
        self._spill_dir = spill_dir
        self._first: tuple[pl.Series, np.ndarray] | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._parts: list[BinaryIO] = []

    def __enter__(self) -> RepeatedNumbers:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        for part in self._parts:
            part.close()
        self._parts = []
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    @property
    def spilled(self) -> bool:
        return self._folder is not None

    def add(self, numbers: pl.Series, rows: np.ndarray) -> None:
        if self._first is None and not self.spilled:
            self._first = (numbers, rows)
            return
        if self._first is not None:
            self._open()
            self._spill(*self._first)
            self._first = None
        self._spill(numbers, rows)

    def report(self, problems: Problems, numbers_at: NumbersAt) -> None:
        """Add a problem for every row whose number another row repeats."""
        if self._first is not None:
            check_duplicates(*self._first, problems)
            return
        if not self.spilled:
            return
        suspects = self._suspects()
        if suspects.size:
            check_duplicates(*numbers_at(suspects), problems)

    def _open(self) -> None:
        try:  # beside the file: on the disk that holds uploads (the system's /tmp may be in memory)
            self._folder = tempfile.TemporaryDirectory(prefix=".opsqm-numbers-", dir=self._spill_dir)
        except OSError:  # a folder the importer may not write to (the command line's own files)
            self._folder = tempfile.TemporaryDirectory(prefix=".opsqm-numbers-")
        self._parts = [(Path(self._folder.name) / f"{i:02d}").open("wb") for i in range(PARTS)]

    def _spill(self, numbers: pl.Series, rows: np.ndarray) -> None:
        present = numbers.is_not_null().to_numpy()
        if not present.all():
            numbers, rows = numbers.filter(pl.Series(present)), rows[present]
        records = np.empty(len(rows), dtype=_RECORD)
        records["key"] = hash_keys(numbers)
        records["row"] = rows
        part = (records["key"] >> _SHIFT).astype(np.intp)
        records = records[np.argsort(part, kind="stable")]
        bounds = np.concatenate(([0], np.cumsum(np.bincount(part, minlength=PARTS))))
        for handle, lo, hi in zip(self._parts, bounds[:-1].tolist(), bounds[1:].tolist()):
            if hi > lo:
                records[lo:hi].tofile(handle)

    def _suspects(self) -> np.ndarray:
        """Rows (sorted) whose number's hash occurs more than once in the file."""
        found: list[np.ndarray] = []
        for handle in self._parts:
            handle.flush()
            records = np.fromfile(handle.name, dtype=_RECORD)
            if len(records) < 2:
                continue
            records = records[np.argsort(records["key"], kind="stable")]
            same = records["key"][1:] == records["key"][:-1]
            if same.any():
                repeated = np.zeros(len(records), dtype=bool)
                repeated[1:] |= same
                repeated[:-1] |= same
                found.append(records["row"][repeated])
        return np.sort(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
