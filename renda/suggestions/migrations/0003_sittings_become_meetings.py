"""Motions and suggestions point at congress-session Meetings instead of Sittings: meetings
0002 copied every sitting into a Meeting with the same primary key, so the foreign-key values
stay as they are and only their target changes; then Sitting goes. Backwards, the sittings are
rebuilt from the congress sessions (same keys, dates and deadline) before the keys point back."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import django.db.models.deletion
from django.conf import settings
from django.core.management.color import no_style
from django.db import migrations, models


def noop(apps, schema_editor):  # type: ignore[no-untyped-def]
    return None


def rebuild_sittings(apps, schema_editor):  # type: ignore[no-untyped-def]
    Sitting = apps.get_model("suggestions", "Sitting")
    Meeting = apps.get_model("meetings", "Meeting")
    zone = ZoneInfo(settings.TIME_ZONE)
    Sitting.objects.bulk_create(
        [
            Sitting(
                pk=m.pk,
                term_id=m.term_id,
                number=m.number,
                start_date=m.start_at.astimezone(zone).date(),
                end_date=m.end_at.astimezone(zone).date(),
                # A session made in the meetings app may have no deadline: its closing time.
                motion_deadline=m.motion_deadline or m.end_at,
                created_at=m.created_at,
                updated_at=m.updated_at,
            )
            for m in Meeting.objects.filter(kind="congress").order_by("pk")
        ]
    )
    connection = schema_editor.connection
    for sql in connection.ops.sequence_reset_sql(no_style(), [Sitting]):
        with connection.cursor() as cursor:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0002_congress_sessions_from_sittings"),
        ("suggestions", "0002_scorerule_to_deputies"),
    ]

    operations = [
        migrations.AlterField(
            model_name="motion",
            name="sitting",
            field=models.ForeignKey(
                blank=True,
                limit_choices_to={"kind": "congress"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="motions",
                to="meetings.meeting",
                verbose_name="会议",
            ),
        ),
        migrations.AlterField(
            model_name="suggestion",
            name="sitting",
            field=models.ForeignKey(
                blank=True,
                help_text="空表示闭会期间提出",
                limit_choices_to={"kind": "congress"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="suggestions",
                to="meetings.meeting",
                verbose_name="会议",
            ),
        ),
        # Backwards this runs after Sitting is re-created and before the keys point back.
        migrations.RunPython(noop, rebuild_sittings),
        migrations.DeleteModel(name="Sitting"),
    ]
