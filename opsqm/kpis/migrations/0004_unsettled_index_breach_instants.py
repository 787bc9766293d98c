from django.db import migrations

# The partial index of live tickets (opsqm.kpis.counters.LIVE_SQL; it replaces the unsettled
# tickets' of 0002): the kept counters now hold open tickets as of their stored cut-off, and a
# reader looks only at those outside them and at open tickets with a pending clock. It covers
# the statuses and breach instants the KPI pages compare with the cut-off in SQL
# (opsqm.kpis.open_status) and the staging column every ticket read filters on. The counters
# change with the split: recounted below. Keep the WHERE textually equal to
# opsqm.kpis.counters.LIVE_SQL.
LIVE_INDEX = (
    "CREATE INDEX kpis_ticket_live ON tickets_ticket (project_id, created_at, priority, first_response_at, "
    "resolved_at, reopen_count, first_contact_resolution, sla_cutoff, resolution_seconds, response_status, "
    "resolution_status, response_breach_at, resolution_breach_at, staged_by) WHERE "
    "(sla_cutoff IS NULL OR created_at > sla_cutoff OR "
    "(resolved_at IS NOT NULL AND (resolution_seconds IS NULL OR resolved_at > sla_cutoff)) OR "
    "(resolved_at IS NULL AND (response_status = 1 OR resolution_status IN (1, 2))))"
)
OLD_INDEX = (
    "CREATE INDEX kpis_ticket_unsettled ON tickets_ticket (project_id, created_at, priority, first_response_at, "
    "resolved_at, reopen_count, first_contact_resolution, sla_cutoff, resolution_seconds) WHERE "
    "(resolved_at IS NULL OR sla_cutoff IS NULL OR resolution_seconds IS NULL OR resolved_at > sla_cutoff)"
)
# IF EXISTS: on SQLite the table rebuild of tickets 0005 drops indexes Django does not know of.
DROP_OLD = "DROP INDEX IF EXISTS kpis_ticket_unsettled"
DROP_LIVE = "DROP INDEX IF EXISTS kpis_ticket_live"


def recount(apps, schema_editor):
    """Every project's counters under the new split (the function every writer calls)."""
    from opsqm.kpis.counters import kpi_counters_refresh

    for pk in apps.get_model("org", "Project").objects.values_list("pk", flat=True):
        kpi_counters_refresh(project_id=pk)


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0003_alter_kpitarget_kpi"),
        ("tickets", "0005_ticket_breach_instants"),
    ]

    operations = [
        migrations.RunSQL([DROP_OLD, LIVE_INDEX], [DROP_LIVE, OLD_INDEX]),
        migrations.RunPython(recount, migrations.RunPython.noop),
    ]
