"""Repeated ticket numbers across a file's chunks (opsqm.core.ticket_io.duplicates).

Expected rows are counted a second way: the file is read with the standard library's csv
module and the numbers are counted in a dict, so the reader's chunks, hashes and spill files
play no part in the expectation.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from opsqm.core.ticket_io import TicketFileError, duplicates, iter_ticket_batches
from opsqm.core.ticket_io.duplicates import RepeatedNumbers
from opsqm.core.ticket_io.files import concat_batches
from opsqm.core.ticket_io.parse import Problems

HEADER = "ticket_no,priority,created_at\n"


def _file(numbers: list[str]) -> str:
    return HEADER + "".join(f"{n},P1,2024-09-27 17:00:00\n" if n else ",,\n" for n in numbers)


def _repeated_rows_by_hand(text: str) -> list[int]:
    """Rows (as a spreadsheet numbers them: header = 1) whose non-empty number occurs twice."""
    rows = list(csv.reader(io.StringIO(text)))[1:]
    counts = Counter(r[0].strip() for r in rows if r[0].strip())
    return [i + 2 for i, r in enumerate(rows) if r[0].strip() and counts[r[0].strip()] > 1]


def _reported(source, *, chunk_rows: int) -> list[int]:
    with pytest.raises(TicketFileError) as caught:
        list(iter_ticket_batches(source, filename="t.csv", chunk_rows=chunk_rows))
    assert all(e.column == "ticket_no" and "重复" in e.reason for e in caught.value.errors)
    return sorted(e.row for e in caught.value.errors)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".opsqm-numbers-"))


@pytest.mark.parametrize("chunk_rows", [5, 64, 1000])
def test_repeats_across_chunks_are_the_rows_a_plain_count_finds(tmp_path, chunk_rows):
    rng = random.Random(chunk_rows)
    numbers = [f"INC{i:06d}" for i in rng.sample(range(10**6), 400)]
    numbers[17:19] = ["", ""]  # blank rows are skipped, never "repeated"
    for _ in range(6):  # repeats far apart: other chunks
        numbers[rng.randrange(len(numbers))] = numbers[rng.randrange(20, len(numbers))]
    numbers.append(f" {numbers[300]} ")  # the same number once spaces are stripped
    text = _file(numbers)
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    expected = _repeated_rows_by_hand(text)
    assert len(expected) >= 8
    assert _reported(path, chunk_rows=chunk_rows) == expected
    assert _reported(io.BytesIO(text.encode()), chunk_rows=chunk_rows) == expected  # a stream, read twice
    assert _leftovers(tmp_path) == []


def test_numbers_that_only_share_a_hash_are_not_repeats(tmp_path, monkeypatch):
    # Every key the same: every row is a suspect; the second, exact reading clears all but one pair.
    monkeypatch.setattr(duplicates, "hash_keys", lambda numbers: np.zeros(len(numbers), dtype=np.uint64))
    numbers = [f"T{i}" for i in range(50)] + ["T7"]
    path = tmp_path / "t.csv"
    path.write_text(_file(numbers), encoding="utf-8")
    assert _reported(path, chunk_rows=4) == [9, 52]
    path.write_text(_file(numbers[:-1]), encoding="utf-8")
    clean = concat_batches(list(iter_ticket_batches(path, filename="t.csv", chunk_rows=4)))
    assert clean.ticket_no.tolist() == numbers[:-1]


def test_glpi_grouped_ids_repeat_their_plain_form_in_another_chunk(tmp_path):
    from opsqm.core.ticket_presets import PRESETS

    mapping = PRESETS["glpi"].mapping
    headers = {field: (names if isinstance(names, str) else names[0]) for field, names in mapping.columns.items()}
    lines = [";".join([headers["ticket_no"], headers["priority"], headers["created_at"]])]
    lines += [f"{n};Haute;2024-09-27 17:00" for n in ("1 184", "12", "13", "1184")]
    path = tmp_path / "glpi.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(TicketFileError) as caught:
        list(iter_ticket_batches(path, filename="glpi.csv", mapping=mapping, chunk_rows=1))
    assert sorted((e.row, e.value) for e in caught.value.errors if "重复" in e.reason) == [(2, "1184"), (5, "1184")]


def test_spill_files_go_with_the_reading_however_it_ends(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(_file([f"N{i}" for i in range(30)]), encoding="utf-8")
    batches = iter_ticket_batches(path, filename="t.csv", chunk_rows=5)
    next(batches), next(batches)
    assert len(_leftovers(tmp_path)) == 1  # spilled from the second chunk on, next to the file
    batches.close()  # the caller stopped reading (its own error)
    assert _leftovers(tmp_path) == []
    assert len(list(iter_ticket_batches(path, filename="t.csv", chunk_rows=5))) == 6
    assert _leftovers(tmp_path) == []


def test_one_chunk_is_checked_in_memory_without_files(tmp_path):
    def never(rows):
        raise AssertionError("read again")

    problems = Problems({"工单号": 0})
    with RepeatedNumbers(spill_dir=tmp_path) as repeated:
        repeated.add(pl.Series("工单号", ["A", "B", None, "A", None]), np.array([2, 3, 4, 5, 6]))
        repeated.report(problems, never)
        assert not repeated.spilled and _leftovers(tmp_path) == []
    assert sorted(e.row for e in problems.listed) == [2, 5]


def test_a_folder_it_cannot_write_beside_the_file_falls_back_to_the_system_temp(tmp_path):
    problems = Problems({"工单号": 0})
    with RepeatedNumbers(spill_dir=tmp_path / "missing") as repeated:
        repeated.add(pl.Series("工单号", ["A", "B"]), np.array([2, 3]))
        repeated.add(pl.Series("工单号", ["C", "A"]), np.array([4, 5]))
        assert repeated.spilled
        repeated.report(problems, lambda rows: (pl.Series("工单号", ["A", "A"]), rows))
    assert sorted(e.row for e in problems.listed) == [2, 5]
