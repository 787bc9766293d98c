from django.db import migrations

# Record classes of the surveys area for retention (opsqm.archive): (code, name, model, date field, retention years).
CLASSES = [
    ("survey_responses", "满意度调查答卷", "surveys.response", "submitted_at", 3),
    ("survey_campaigns", "满意度调查活动", "surveys.campaign", "created_at", 3),
    ("complaints", "客户投诉记录", "surveys.complaint", "received_at", 3),
]


def forwards(apps, schema_editor):
    RecordClass = apps.get_model("archive", "RecordClass")
    for code, name, model, field, years in CLASSES:
        RecordClass.objects.get_or_create(code=code, defaults={"name": name, "model": model, "date_field": field, "retention_years": years})


def backwards(apps, schema_editor):
    apps.get_model("archive", "RecordClass").objects.filter(code__in=[c[0] for c in CLASSES], disposals__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial"), ("archive", "0002_record_classes")]
    operations = [migrations.RunPython(forwards, backwards)]
