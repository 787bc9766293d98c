from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opsqm.reviews import services


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def review(world):
    """The 2026 review, planned by the management representative, quality manager and O&M manager A invited."""
    return services.review_create(
        actor=world.mgmt,
        year=2026,
        planned_date=dt.date(2026, 12, 20),
        place="一号会议室",
        chair=world.gm,
        attendees=[world.qm, world.ops_a, world.mgmt],
    )


def make_audit(world, code: str, start: dt.date, projects=()):
    from opsqm.audits.models import Audit

    audit = Audit.objects.create(
        code=code,
        title=f"审核 {code}",
        kind="project_check",
        criteria="GB/T 28827.1",
        planned_start=start,
        planned_end=start + dt.timedelta(days=2),
        created_by=world.qm,
    )
    audit.projects.set(projects)
    return audit
