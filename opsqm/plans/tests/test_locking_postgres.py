"""The plan and quarterly-review edits moved onto the one locking helper (opsqm.records.locking): on PostgreSQL,
20 simultaneous edits made from the same version have exactly one effect and 19 conflict messages.

Run with DATABASE_URL=postgres://…; skipped on SQLite (which serializes writers anyway)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from opsqm.records.locking import StaleEditError

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="concurrency tests need PostgreSQL (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]

N = 20


def _all_at_once(work: Callable[[int], Any], n: int = N) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # collected and asserted on by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _one_effect(results: list[Any], message: str) -> list[Any]:
    saved = [r for r in results if not isinstance(r, Exception)]
    failed = [r for r in results if isinstance(r, Exception)]
    assert len(saved) == 1, results
    assert all(isinstance(e, StaleEditError) and message in e.messages[0] for e in failed), failed
    return saved


def test_twenty_simultaneous_activity_revisions_from_one_version_have_one_effect(world, approved_plan):
    from opsqm.plans import services
    from opsqm.plans.models import PlanActivity

    activity = approved_plan.activities.get(cadence_key="satisfaction")
    loaded = activity.version
    due = dt.date.today() + dt.timedelta(days=60)
    results = _all_at_once(
        lambda i: services.activity_save(
            actor=world.qm,
            plan=approved_plan,
            activity=activity,
            data={"title": f"满意度调查 {i}", "due_date": due},
            reason=f"调整 {i}",
            expected_version=loaded,
        )
    )
    (saved,) = _one_effect(results, "该活动已被他人修改")
    fresh = PlanActivity.objects.get(pk=activity.pk)
    assert fresh.version == loaded + 1 and fresh.title == saved.title


def test_twenty_simultaneous_quarterly_analyses_from_one_version_have_one_effect(world):
    from opsqm.quarterly import services
    from opsqm.quarterly.models import QuarterlyReview

    review = services.review_open(actor=world.qm, year=2026, quarter=1, today=dt.date(2026, 4, 1))
    loaded = review.version
    results = _all_at_once(
        lambda i: services.review_write(actor=world.qm, review=review, analysis=f"分析 {i}", requirements="要求", expected_version=loaded)
    )
    (saved,) = _one_effect(results, "该季度分析已被他人修改")
    fresh = QuarterlyReview.objects.get(pk=review.pk)
    assert fresh.version == loaded + 1 and fresh.analysis == saved.analysis
