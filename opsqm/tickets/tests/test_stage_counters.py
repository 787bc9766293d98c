"""A first import counts its new tickets' KPI counters in NumPy while it reads (`add_batch_cells`);
any other import counts them from its stage table in SQL (`new_ticket_cells`). Both must give the
same counters, and those must equal a count of the stored tickets by hand. Both databases."""

from __future__ import annotations

import numpy as np

from opsqm.kpis.tests.test_counters import _by_hand
from opsqm.kpis.tests.test_counters import _stored as _counters
from opsqm.tickets import bulk, stage_counters
from opsqm.tickets.tests.helpers import run_import
from opsqm.tickets.tests.test_staging import _csv


def test_the_numpy_counters_of_a_first_import_equal_the_sql_count_of_its_stage(sla_world, monkeypatch, django_capture_on_commit_callbacks):
    w = sla_world
    numpy_cells: stage_counters.Cells = {}
    sql_cells: stage_counters.Cells = {}
    cutoffs: list[int] = []
    real_add, real_drop = stage_counters.add_batch_cells, bulk.drop_stage

    def add(cells, *, cutoff_epoch: int, **kwargs) -> None:
        real_add(cells, cutoff_epoch=cutoff_epoch, **kwargs)
        cutoffs.append(cutoff_epoch)
        numpy_cells.update(cells)

    def drop(rows: int = 0) -> None:  # the stage is still there: count it the other way before it goes
        sql_cells.update(stage_counters.new_ticket_cells(w.project_a.pk, w.project_a.time_zone, cutoffs[0]))
        real_drop(rows)

    monkeypatch.setattr(stage_counters, "add_batch_cells", add)
    monkeypatch.setattr(bulk, "drop_stage", drop)
    record = run_import(django_capture_on_commit_callbacks, w.qm, w.project_a, "a.csv", _csv(400, seed=3))
    assert record.status == "succeeded", record.message
    assert numpy_cells and numpy_cells.keys() == sql_cells.keys()
    for key, counters in sql_cells.items():
        assert np.array_equal(numpy_cells[key], counters), key
    # `_counters` reads the year 2026; the file starts on 2025-12-31 17:00 (Beijing time).
    assert _counters(w.project_a) == {key: cell for key, cell in _by_hand(w.project_a).items() if key[0] // 100 == 2026}
