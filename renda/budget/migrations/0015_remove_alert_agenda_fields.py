"""The alert's three agenda fields go: 0014 moved them to meetings' agenda items (going back
re-adds them empty, and 0014's reverse fills them from the items)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0014_alert_agenda_items"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="alert",
            name="agenda_at",
        ),
        migrations.RemoveField(
            model_name="alert",
            name="agenda_by",
        ),
        migrations.RemoveField(
            model_name="alert",
            name="agenda_title",
        ),
    ]
