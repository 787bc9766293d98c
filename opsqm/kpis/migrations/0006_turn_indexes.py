from django.db import migrations

# The pending clocks of open tickets, one small partial index per clock instant that can turn it
# (opsqm.kpis.open_status.TURN_ARMS): a KPI page finds the open tickets whose clock turned since
# their stored cut-off by a range scan up to the cut-off, so its cost follows the tickets that
# turned, not every open ticket (the live index's ≈ 40,000 entries at 5 M tickets, read on every
# request). Each leads with the project, then its instant (a range per project: with the instant
# first SQLite preferred the (project, created_at) index for one project, reading its whole
# year), and covers every column the read needs (index-only). Keep each WHERE textually
# equal to its arm's in open_status (SQLite uses a partial index only for a query that repeats it).
COLUMNS = (
    "project_id",
    "created_at",
    "priority",
    "response_status",
    "resolution_status",
    "first_response_at",
    "response_breach_at",
    "resolution_breach_at",
    "sla_cutoff",
    "staged_by",
    "id",
)
RESPONSE_PENDING = "(resolved_at IS NULL AND response_status = 1)"
RESOLUTION_PENDING = "(resolved_at IS NULL AND resolution_status = 1)"
INDEXES = (
    ("kpis_turn_response_breach", "response_breach_at", RESPONSE_PENDING),
    ("kpis_turn_first_response", "first_response_at", RESPONSE_PENDING),
    ("kpis_turn_resolution_breach", "resolution_breach_at", RESOLUTION_PENDING),
)
CREATE = [
    f"CREATE INDEX {name} ON tickets_ticket ({', '.join(['project_id', instant, *(c for c in COLUMNS if c not in ('project_id', instant))])}) "
    f"WHERE {where}"
    for name, instant, where in INDEXES
]
# IF EXISTS: on SQLite a later table rebuild drops indexes Django does not know of.
DROP = [f"DROP INDEX IF EXISTS {name}" for name, _instant, _where in INDEXES]


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0005_rest_index"),
    ]

    operations = [
        migrations.RunSQL(DROP + CREATE, DROP),
    ]
