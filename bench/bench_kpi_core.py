"""KPI maths speed: 1,000,000 tickets over 50 projects and 12 months, one core.

Run: .venv/bin/python bench/bench_kpi_core.py
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import time  # noqa: E402

import numpy as np  # noqa: E402

from opsqm.core.kpi import Granularity, TicketKpiInput, compute_mttr_by_priority, compute_org_kpis, compute_ticket_kpis, period_keys  # noqa: E402


def main(n: int = 1_000_000) -> None:
    rng = np.random.default_rng(0)
    start = int(np.datetime64("2025-12-31T16:00:00", "s").astype(np.int64))
    created = rng.integers(start, start + 365 * 86_400, n)
    resolved = rng.random(n) < 0.8
    t0 = time.perf_counter()
    periods = period_keys(created, "Asia/Shanghai", Granularity.MONTH)
    t1 = time.perf_counter()
    data = TicketKpiInput(
        group=rng.integers(1, 51, n),
        period=periods,
        priority=rng.integers(0, 4, n).astype(np.int32),
        response_status=rng.integers(0, 4, n).astype(np.int8),
        resolution_status=rng.integers(0, 4, n).astype(np.int8),
        resolved_by_cutoff=resolved,
        resolution_seconds=np.where(resolved, rng.integers(0, 10**6, n), -1),
        reopened=rng.random(n) < 0.05,
        fcr=rng.integers(-1, 2, n).astype(np.int8),
    )
    t2 = time.perf_counter()
    compute_ticket_kpis(data)
    t3 = time.perf_counter()
    compute_org_kpis(data)
    compute_mttr_by_priority(data)
    t4 = time.perf_counter()
    print(f"tickets: {n:,}")
    print(f"period_keys:          {(t1 - t0) * 1000:8.1f} ms")
    print(f"compute_ticket_kpis:  {(t3 - t2) * 1000:8.1f} ms (50 projects x 12 months)")
    print(f"org pooled + MTTR/pri:{(t4 - t3) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
