"""进站 moves from ``Deputy.station`` (deputies) to ``StationMember`` (stations): the new table,
and a copy of every deputy's station. Reversible: going back copies each member's station
onto the deputy again (deputies/0005 drops the old column after this one runs)."""

import django.db.models.deletion
from django.db import migrations, models


def copy_forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    Deputy = apps.get_model("deputies", "Deputy")
    StationMember = apps.get_model("stations", "StationMember")
    StationMember.objects.bulk_create(
        StationMember(deputy_id=deputy_id, station_id=station_id)
        for deputy_id, station_id in Deputy.objects.filter(station__isnull=False).values_list(
            "pk", "station_id"
        )
    )


def copy_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    Deputy = apps.get_model("deputies", "Deputy")
    StationMember = apps.get_model("stations", "StationMember")
    for deputy_id, station_id in StationMember.objects.values_list("deputy_id", "station_id"):
        Deputy.objects.filter(pk=deputy_id).update(station_id=station_id)


class Migration(migrations.Migration):
    dependencies = [
        ("deputies", "0004_scorerule"),
        ("stations", "0005_opinion_rating_code"),
    ]

    operations = [
        migrations.CreateModel(
            name="StationMember",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                (
                    "deputy",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="station_member",
                        to="deputies.deputy",
                        verbose_name="代表",
                    ),
                ),
                (
                    "station",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="members",
                        to="stations.station",
                        verbose_name="进站联络站",
                    ),
                ),
            ],
            options={
                "verbose_name": "进站代表",
                "verbose_name_plural": "进站代表",
                "ordering": ["station", "deputy"],
            },
        ),
        migrations.RunPython(copy_forward, copy_back),
    ]
