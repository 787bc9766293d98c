from django.db import migrations

# (code, name, model, date field, retention years). Other areas add their own classes with a migration
# (e.g. the surveys area: ("surveys", "满意度调查记录", "surveys.<model>", "<date field>", 3)).
DEFAULTS = [
    ("audits", "内部审核与质量检查记录", "audits.audit", "planned_end", 3),
    ("reviews", "管理评审记录", "reviews.managementreview", "planned_date", 5),
    ("findings", "不符合项与纠正措施记录", "findings.finding", "raised_at", 3),
    ("tickets", "工单记录", "tickets.ticket", "created_at", 2),
    ("documents", "作废文件版本", "documents.documentversion", "obsoleted_at", 3),
    ("packages", "评审资料包", "archive.assessorpackage", "created_at", 3),
]


def forwards(apps, schema_editor):
    RecordClass = apps.get_model("archive", "RecordClass")
    for code, name, model, field, years in DEFAULTS:
        RecordClass.objects.get_or_create(code=code, defaults={"name": name, "model": model, "date_field": field, "retention_years": years})


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
