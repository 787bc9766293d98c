from django.db import migrations

# 09:00-12:00, 13:30-18:00 Monday to Friday, in seconds of the day.
CN_5X8_SLOTS = {str(day): ([[32400, 43200], [48600, 64800]] if day < 5 else []) for day in range(7)}
ALWAYS_SLOTS = {str(day): [[0, 86400]] for day in range(7)}


def create_builtins(apps, schema_editor):
    Calendar = apps.get_model("tickets", "Calendar")
    Calendar.objects.get_or_create(
        code="7x24",
        defaults=dict(
            name="7×24 全天候",
            kind="always",
            time_zone="Asia/Shanghai",
            weekly_slots=ALWAYS_SLOTS,
            use_china_holidays=False,
            builtin=True,
            description="每一秒都计入工作时间，节假日照常计时。",
        ),
    )
    Calendar.objects.get_or_create(
        code="cn-5x8",
        defaults=dict(
            name="中国 5×8 工作日",
            kind="weekly",
            time_zone="Asia/Shanghai",
            weekly_slots=CN_5X8_SLOTS,
            use_china_holidays=True,
            builtin=True,
            description="周一至周五 09:00-12:00、13:30-18:00，按国务院办公厅节假日安排放假和调休上班。",
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create_builtins, migrations.RunPython.noop)]
