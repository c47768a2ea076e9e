"""Every suggestions.Sitting becomes a congress-session Meeting with the same primary key, so
that suggestions 0003 can repoint the motions' and suggestions' foreign keys without touching
their values. A sitting's dates become 9:00 on its opening day and 18:00 on its closing day
(local time), which read back as the same dates; the motion deadline is copied as it is. A
session whose closing day is past is closed, the others are drafts (staff notify them). The
copied sessions have no members: a sitting never had any, and nobody attended them here.
Backwards: the copied sessions are deleted (suggestions 0003 puts the sittings back first)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.color import no_style
from django.db import migrations, models

OPENS = dt.time(9)
CLOSES = dt.time(18)


def copy_sittings(apps, schema_editor):  # type: ignore[no-untyped-def]
    Sitting = apps.get_model("suggestions", "Sitting")
    Meeting = apps.get_model("meetings", "Meeting")
    zone = ZoneInfo(settings.TIME_ZONE)
    today = dt.datetime.now(zone).date()
    rows = []
    for s in Sitting.objects.select_related("term__congress").order_by("pk"):
        rows.append(
            Meeting(
                pk=s.pk,
                kind="congress",
                term_id=s.term_id,
                number=s.number,
                title=f"{s.term.congress.name}第{s.term.number}届第{s.number}次会议",
                start_at=dt.datetime.combine(s.start_date, OPENS, tzinfo=zone),
                end_at=dt.datetime.combine(s.end_date, CLOSES, tzinfo=zone),
                venue="",
                state="closed" if s.end_date < today else "draft",
                motion_deadline=s.motion_deadline,
                created_at=s.created_at,
                updated_at=s.updated_at,
            )
        )
    Meeting.objects.bulk_create(rows, batch_size=500)
    # Rows inserted with their own keys leave PostgreSQL's id sequence behind.
    connection = schema_editor.connection
    for sql in connection.ops.sequence_reset_sql(no_style(), [Meeting]):
        with connection.cursor() as cursor:
            cursor.execute(sql)


def delete_copies(apps, schema_editor):  # type: ignore[no-untyped-def]
    Sitting = apps.get_model("suggestions", "Sitting")
    Meeting = apps.get_model("meetings", "Meeting")
    Meeting.objects.filter(pk__in=Sitting.objects.values("pk"), kind="congress").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_initial"),
        ("suggestions", "0002_scorerule_to_deputies"),
    ]

    operations = [
        migrations.AlterField(
            model_name="meeting",
            name="venue",
            field=models.CharField(blank=True, max_length=200, verbose_name="会议地点"),
        ),
        migrations.RunPython(copy_sittings, delete_copies),
    ]
