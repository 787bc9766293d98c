from django.db import migrations

# The rest alone (opsqm.kpis.counters.REST_SQL), covering what the engine reads: usually empty,
# read on every KPI request. Without it PostgreSQL misjudged the rest query over the live index
# (tens of thousands of rows expected, a parallel bitmap scan: 80 ms at 300,000 tickets to find
# none) and SQLite scanned the whole live index. Its own migration: databases that applied 0004
# before it existed get it too.
REST_INDEX = (
    "CREATE INDEX kpis_ticket_rest ON tickets_ticket (project_id, created_at, priority, first_response_at, "
    "resolved_at, reopen_count, first_contact_resolution, sla_cutoff, resolution_seconds, staged_by) WHERE "
    "(sla_cutoff IS NULL OR created_at > sla_cutoff OR "
    "(resolved_at IS NOT NULL AND (resolution_seconds IS NULL OR resolved_at > sla_cutoff)))"
)
DROP_REST = "DROP INDEX IF EXISTS kpis_ticket_rest"


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0004_unsettled_index_breach_instants"),
    ]

    operations = [
        migrations.RunSQL([DROP_REST, REST_INDEX], [DROP_REST]),
    ]
