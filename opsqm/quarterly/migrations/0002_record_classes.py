from django.db import migrations

# Record classes of the quarterly area for retention (opsqm.archive): (code, name, model, date field, retention years).
CLASSES = [
    ("quarterly", "季度质量分析与报告", "quarterly.quarterlyreview", "closed_at", 3),
]


def forwards(apps, schema_editor):
    RecordClass = apps.get_model("archive", "RecordClass")
    for code, name, model, field, years in CLASSES:
        RecordClass.objects.get_or_create(code=code, defaults={"name": name, "model": model, "date_field": field, "retention_years": years})


def backwards(apps, schema_editor):
    apps.get_model("archive", "RecordClass").objects.filter(code__in=[c[0] for c in CLASSES], disposals__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("quarterly", "0001_initial"), ("archive", "0002_record_classes")]
    operations = [migrations.RunPython(forwards, backwards)]
