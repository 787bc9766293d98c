from django.db import migrations

# The partial index of unsettled tickets (see 0002), now also covering the statuses and breach
# instants the KPI pages compare with the cut-off in SQL (opsqm.kpis.open_status), and the
# staging column every ticket read filters on. Keep the WHERE textually equal to
# opsqm.kpis.counters.UNSETTLED_SQL.
UNSETTLED_INDEX = (
    "CREATE INDEX kpis_ticket_unsettled ON tickets_ticket (project_id, created_at, priority, first_response_at, "
    "resolved_at, reopen_count, first_contact_resolution, sla_cutoff, resolution_seconds, response_status, "
    "resolution_status, response_breach_at, resolution_breach_at, staged_by) WHERE "
    "(resolved_at IS NULL OR sla_cutoff IS NULL OR resolution_seconds IS NULL OR resolved_at > sla_cutoff)"
)
OLD_INDEX = (
    "CREATE INDEX kpis_ticket_unsettled ON tickets_ticket (project_id, created_at, priority, first_response_at, "
    "resolved_at, reopen_count, first_contact_resolution, sla_cutoff, resolution_seconds) WHERE "
    "(resolved_at IS NULL OR sla_cutoff IS NULL OR resolution_seconds IS NULL OR resolved_at > sla_cutoff)"
)
# IF EXISTS: on SQLite the table rebuild of tickets 0005 drops indexes Django does not know of.
DROP = "DROP INDEX IF EXISTS kpis_ticket_unsettled"


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0003_alter_kpitarget_kpi"),
        ("tickets", "0005_ticket_breach_instants"),
    ]

    operations = [
        migrations.RunSQL([DROP, UNSETTLED_INDEX], [DROP, OLD_INDEX]),
    ]
