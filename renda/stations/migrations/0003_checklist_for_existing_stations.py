"""Stations registered before the checklist existed get their six items (六个一), not met."""

from django.db import migrations

ITEMS = ("site", "team", "duty", "rules", "process", "platform")


def forwards(apps, schema_editor):
    Station = apps.get_model("stations", "Station")
    ChecklistItem = apps.get_model("stations", "ChecklistItem")
    have = set(ChecklistItem.objects.values_list("station_id", "item"))
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(station_id=pk, item=item, status="todo")
            for pk in Station.objects.values_list("pk", flat=True)
            for item in ITEMS
            if (pk, item) not in have
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("stations", "0002_registry_rosters_opinions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
