"""Plan-vs-actual completion rates, checked against a second computation."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from opsqm.plans.models import ActivityStatus, ActivityType, PlanActivity
from opsqm.plans.selectors import completion_rates


def _activity(due, status, done_on=None, type_=ActivityType.SUPERVISION):
    a = PlanActivity(type=type_, title="x", due_date=due, status=status)
    if done_on:
        a.done_at = timezone.make_aware(dt.datetime.combine(done_on, dt.time(15)))
    return a


def test_completion_rates_by_month_and_type_match_a_brute_force_count():
    rng = random.Random(7)
    today = dt.date(2026, 8, 15)
    acts = []
    for _ in range(300):
        due = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(365))
        status = rng.choice([ActivityStatus.PLANNED, ActivityStatus.IN_PROGRESS, ActivityStatus.DONE, ActivityStatus.OVERDUE])
        done_on = due + dt.timedelta(days=rng.randrange(-10, 10)) if status == ActivityStatus.DONE else None
        acts.append(_activity(due, status, done_on, rng.choice(list(ActivityType))))
    rates = completion_rates(acts, today)
    for month, row in zip(range(1, 13), rates["months"]):
        mine = [a for a in acts if a.due_date.month == month]
        due = [a for a in mine if a.due_date <= today]
        done = [a for a in due if a.status == "done"]
        on_time = [a for a in done if timezone.localtime(a.done_at).date() <= a.due_date]
        assert (row.planned, row.due, row.done, row.on_time) == (len(mine), len(due), len(done), len(on_time))
        assert row.rate == (len(done) / len(due) if due else None)
    for row in rates["types"]:
        t = next(t for t in ActivityType if str(t.label) == row.label)
        due = [a for a in acts if a.type == t and a.due_date <= today]
        assert row.due == len(due) and row.done == sum(a.status == "done" for a in due)
    total = rates["total"][0]
    assert total.done == sum(r.done for r in rates["months"]) and total.due == sum(r.due for r in rates["months"])


def test_a_month_with_nothing_due_yet_shows_a_dash_not_zero():
    rates = completion_rates([_activity(dt.date(2026, 12, 1), ActivityStatus.PLANNED)], dt.date(2026, 6, 1))
    assert rates["months"][11].rate is None and rates["months"][11].rate_display == "—"
