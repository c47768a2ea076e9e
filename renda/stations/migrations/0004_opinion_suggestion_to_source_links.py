"""The suggestion an opinion became moves from the bare integer ``Opinion.suggestion_id`` to
core's source links (core.SourceLink, opinion → suggestion), the one way every app records
"this item came from that one". Every stored id is carried over, also ids whose suggestion is
gone (the old field had no foreign key); the reverse puts them back."""

from django.db import migrations

URL = "/stations/opinions/{}/"


def _types(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    opinion, _ = ContentType.objects.get_or_create(app_label="stations", model="opinion")
    suggestion, _ = ContentType.objects.get_or_create(app_label="suggestions", model="suggestion")
    return opinion, suggestion


def _label(opinion):
    # No tracking code: it is the constituent's key and internal pages never show it.
    from django.utils import timezone

    station = opinion.station.name if opinion.station_id else "市人大常委会"
    return f"群众意见（{station}，{timezone.localtime(opinion.created_at):%Y-%m-%d}）"


def forwards(apps, schema_editor):
    Opinion = apps.get_model("stations", "Opinion")
    SourceLink = apps.get_model("core", "SourceLink")
    opinion_type, suggestion_type = _types(apps)
    linked = Opinion.objects.filter(suggestion_id__isnull=False).select_related("station")
    for opinion in linked.iterator(chunk_size=1000):
        SourceLink.objects.get_or_create(
            source_type=opinion_type,
            source_id=opinion.pk,
            target_type=suggestion_type,
            target_id=opinion.suggestion_id,
            defaults={"label": _label(opinion)[:200], "url": URL.format(opinion.pk)},
        )


def backwards(apps, schema_editor):
    Opinion = apps.get_model("stations", "Opinion")
    SourceLink = apps.get_model("core", "SourceLink")
    opinion_type, suggestion_type = _types(apps)
    links = SourceLink.objects.filter(source_type=opinion_type, target_type=suggestion_type)
    for link in links.order_by("pk").iterator(chunk_size=1000):
        Opinion.objects.filter(pk=link.source_id, suggestion_id__isnull=True).update(
            suggestion_id=link.target_id
        )
    links.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0003_checklist_for_existing_stations"),
        ("core", "0004_source_links"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RemoveIndex(model_name="opinion", name="stations_op_suggest_7e7e0b_idx"),
        migrations.RemoveField(model_name="opinion", name="suggestion_id"),
    ]
