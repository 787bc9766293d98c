"""gunicorn settings used by `opsqm serve`.

Each web worker computes this year's KPI counters in the background as soon as it starts,
so the first user after a restart does not wait for the cold computation (seconds at a
million tickets); later requests reuse the per-process cache (opsqm.kpis.selectors).
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("opsqm.warmup")


def _warm_kpis() -> None:
    from django.db import connection
    from django.utils import timezone

    from opsqm.kpis.selectors import year_data

    try:
        year_data(timezone.localdate().year)
    except Exception:  # a failed warm-up only means the first request computes it
        log.exception("KPI cache warm-up failed")
    finally:
        connection.close()


def post_worker_init(worker) -> None:
    threading.Thread(target=_warm_kpis, name="opsqm-kpi-warmup", daemon=True).start()
