"""An alert's "became a suggestion" moves from the `Alert.suggestion` foreign key to the core
source link every app uses (core.SourceLink, renda/core/sources.py): each existing link is
copied over, then the column goes. Reversible: going back copies the links into the column
again."""

from django.db import migrations
from django.urls import reverse


def _types(apps):
    content_type = apps.get_model("contenttypes", "ContentType")
    alert, _ = content_type.objects.get_or_create(app_label="budget", model="alert")
    suggestion, _ = content_type.objects.get_or_create(app_label="suggestions", model="suggestion")
    return alert, suggestion


def copy_to_source_links(apps, schema_editor):
    alert_model = apps.get_model("budget", "Alert")
    link_model = apps.get_model("core", "SourceLink")
    alert_type, suggestion_type = _types(apps)
    linked = alert_model.objects.filter(suggestion__isnull=False).select_related("rule", "offered_to")
    for alert in linked.iterator():
        rule = alert.rule
        link_model.objects.get_or_create(
            source_type=alert_type,
            source_id=alert.pk,
            target_type=suggestion_type,
            target_id=alert.suggestion_id,
            defaults={
                # The same label and page as services/escalation.alert_source.
                "label": f"预算联网监督预警 {rule.code} {rule.name}（{alert.period:%Y年%m月}）"[:200],
                "url": reverse("budget:alert_detail", args=[alert.pk]),
                "created_by_id": alert.offered_to.user_id if alert.offered_to_id else None,
            },
        )


def copy_back(apps, schema_editor):
    alert_model = apps.get_model("budget", "Alert")
    link_model = apps.get_model("core", "SourceLink")
    alert_type, suggestion_type = _types(apps)
    links = link_model.objects.filter(source_type=alert_type, target_type=suggestion_type)
    for source_id, target_id in links.values_list("source_id", "target_id"):
        alert_model.objects.filter(pk=source_id).update(suggestion_id=target_id)
    links.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0009_indicator_paid_summary"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0004_source_links"),
    ]

    operations = [
        migrations.RunPython(copy_to_source_links, copy_back),
        migrations.RemoveField(model_name="alert", name="suggestion"),
    ]
