from django.db import migrations, models

SQLITE_TRIGGERS = [
    """CREATE TRIGGER records_auditevent_no_update BEFORE UPDATE ON records_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER records_auditevent_no_delete BEFORE DELETE ON records_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: DELETE refused'); END;""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS records_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS records_auditevent_no_delete;",
]
PG_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION records_auditevent_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit trail is append-only: %% refused', TG_OP; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER records_auditevent_no_change BEFORE UPDATE OR DELETE ON records_auditevent
       FOR EACH ROW EXECUTE FUNCTION records_auditevent_refuse();""",
]
PG_DROP = [
    "DROP TRIGGER IF EXISTS records_auditevent_no_change ON records_auditevent;",
    "DROP FUNCTION IF EXISTS records_auditevent_refuse();",
]


def create_triggers(apps, schema_editor):
    statements = PG_TRIGGERS if schema_editor.connection.vendor == "postgresql" else SQLITE_TRIGGERS
    for sql in statements:
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    statements = PG_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(db_index=True, verbose_name="时间")),
                ("actor_id", models.BigIntegerField(blank=True, null=True, verbose_name="操作人 ID")),
                ("actor_name", models.CharField(max_length=150, verbose_name="操作人")),
                ("ip", models.CharField(blank=True, max_length=64, verbose_name="IP 地址")),
                (
                    "action",
                    models.CharField(
                        choices=[("create", "新建"), ("update", "修改"), ("delete", "删除"), ("bulk", "批量操作")],
                        max_length=16,
                        verbose_name="操作",
                    ),
                ),
                ("model", models.CharField(db_index=True, max_length=100, verbose_name="对象类型")),
                ("object_id", models.CharField(db_index=True, max_length=64, verbose_name="对象 ID")),
                ("object_repr", models.CharField(max_length=300, verbose_name="对象")),
                ("project_id", models.BigIntegerField(blank=True, db_index=True, null=True, verbose_name="项目 ID")),
                ("changes", models.JSONField(default=dict, verbose_name="变更内容")),
                ("prev_hash", models.CharField(max_length=64)),
                ("hash", models.CharField(max_length=64, unique=True)),
            ],
            options={
                "verbose_name": "审计记录",
                "verbose_name_plural": "审计追踪",
                "ordering": ["id"],
                "indexes": [models.Index(fields=["model", "object_id", "id"], name="records_aud_model_697c1a_idx")],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
