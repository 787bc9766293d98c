from __future__ import annotations

import pytest

from opsqm.tickets.services import PriorityData

HOUR = 3600
DEFAULT_PRIORITIES = [
    PriorityData("P1", "紧急", 30 * 60, 4 * HOUR),
    PriorityData("P2", "高", 2 * HOUR, 8 * HOUR),
    PriorityData("P3", "中", 4 * HOUR, 24 * HOUR),
    PriorityData("P4", "低", 8 * HOUR, 40 * HOUR),
]


@pytest.fixture
def sla_world(world):
    """world plus SLA agreements (China 5×8) on projects A and B."""
    from opsqm.tickets.models import Calendar
    from opsqm.tickets.services import sla_agreement_save

    cal = Calendar.objects.get(code="cn-5x8")
    for project in (world.project_a, world.project_b):
        sla_agreement_save(
            actor=world.qm, project=project, calendar=cal, priorities=DEFAULT_PRIORITIES, pause_statuses=["挂起"], expected_version=None
        )
    return world
