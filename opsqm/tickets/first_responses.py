"""The ServiceNow Task SLA partial import in SQL: first responses of tickets already stored.

It sets `first_response_at` of known tickets and nothing else, and writes nothing at all when a
number is unknown or a response precedes its ticket's creation (`opsqm.tickets.services.
first_responses_import` reports those rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection

from opsqm.tickets.bulk import TICKET, create_stage, epoch_sql, fetch, load_stage, to_ts
from opsqm.tickets.sla_columns import epochs


@dataclass
class FirstResponseOutcome:
    changed: list[int]
    unchanged: int
    unknown: list[str]
    early: list[str]


def set_first_responses(*, project_id: int, numbers: Sequence[str], first_response: np.ndarray) -> FirstResponseOutcome:
    """The Task SLA partial import: set first_response_at of known tickets, nothing else;
    writes nothing when a number is unknown or a response precedes its ticket's creation.
    Inside the caller's transaction."""
    epoch = epochs(first_response)
    with connection.cursor() as cursor:
        cols = (("number", "varchar(64)"), ("fr", "bigint"))
        create_stage(cursor, "opsqm_fr_stage", cols)
        load_stage(cursor, "opsqm_fr_stage", ["number", "fr"], zip(list(numbers), epoch.tolist()), len(numbers))
        unknown = [
            r[0]
            for r in fetch(
                cursor,
                f"SELECT s.number FROM opsqm_fr_stage s WHERE NOT EXISTS (SELECT 1 FROM {TICKET} t "  # nosec B608 (table/column names are module constants; values are bound parameters)
                f"WHERE t.project_id = %s AND t.number = s.number) ORDER BY s.number",
                [project_id],
            )
        ]
        changed = [
            r[0]
            for r in fetch(
                cursor,
                f"SELECT t.id FROM {TICKET} t JOIN opsqm_fr_stage s ON t.number = s.number WHERE t.project_id = %s "  # nosec B608 (table/column names are module constants; values are bound parameters)
                f"AND (t.first_response_at IS NULL OR {epoch_sql('t.first_response_at')} <> s.fr) ORDER BY t.id",
                [project_id],
            )
        ]
        early = [
            r[0]
            for r in fetch(
                cursor,
                f"SELECT s.number FROM {TICKET} t JOIN opsqm_fr_stage s ON t.number = s.number "  # nosec B608 (table/column names are module constants; values are bound parameters)
                f"WHERE t.project_id = %s AND s.fr < {epoch_sql('t.created_at')} ORDER BY s.number",
                [project_id],
            )
        ]
        total_known = len(numbers) - len(unknown)
        if changed and not unknown and not early:
            cursor.execute(
                f"UPDATE {TICKET} SET first_response_at = (SELECT {to_ts('s.fr')} FROM opsqm_fr_stage s "  # nosec B608 (table/column names are module constants; values are bound parameters)
                f"WHERE s.number = {TICKET}.number) WHERE project_id = %s AND id IN "
                f"(SELECT t.id FROM {TICKET} t JOIN opsqm_fr_stage s ON t.number = s.number WHERE t.project_id = %s "
                f"AND (t.first_response_at IS NULL OR {epoch_sql('t.first_response_at')} <> s.fr))",
                [project_id, project_id],
            )
        cursor.execute("DROP TABLE IF EXISTS opsqm_fr_stage")
    return FirstResponseOutcome(changed, total_known - len(changed), unknown, early)
