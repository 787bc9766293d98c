import django.db.models.deletion
from django.db import migrations, models

# Open tickets stored before this migration have no breach instants. Clearing their
# `sla_cutoff` marks their SLA as not computed for the new read path: the KPI pages evaluate
# them with the engine (as before) until their SLA is computed again — `opsqm recompute-sla`,
# a calendar or agreement change, or an import or push that changes them. Resolved tickets
# need none (their statuses are final).
FORGET_OPEN_CUTOFFS = "UPDATE tickets_ticket SET sla_cutoff = NULL WHERE resolved_at IS NULL"


# SQLite only: newest first across projects (the company drill-down). Without it SQLite sorts a
# whole quarter (1.25 M rows at 5 M tickets: 4.5 s) to show 50; PostgreSQL walks the primary key
# instead (opsqm.kpis.drilldown), and there the index would cost a million-row import 4–5 s.
# Django does not know this index, so an SQLite table rebuild would drop it: a test checks it.
SQLITE_CREATED_INDEX = "CREATE INDEX IF NOT EXISTS ticket_created ON tickets_ticket (created_at)"


def create_sqlite_created_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATED_INDEX)


def drop_sqlite_created_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP INDEX IF EXISTS ticket_created")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0004_staged_import"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="resolution_breach_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="ticket",
            name="response_breach_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL(FORGET_OPEN_CUTOFFS, migrations.RunSQL.noop),
        # The project foreign key's own index duplicates the prefix of three others.
        migrations.AlterField(
            model_name="ticket",
            name="project",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="tickets",
                to="org.project",
                verbose_name="项目",
            ),
        ),
        migrations.RunPython(create_sqlite_created_index, drop_sqlite_created_index),
    ]
