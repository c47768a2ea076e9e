"""An alert's "提请常委会审议" moves from three fields on the alert (agenda_title, agenda_at,
agenda_by) to an item on a meeting's agenda, linked to the alert by a core source link — the
one mechanism meetings owns for every module (meetings.services.put_on_agenda).

Each alert with an agenda title becomes an item of the first standing-committee meeting not
closed that starts on or after the day it was proposed; when there is none, a draft
常委会会议 is created for the purpose a month later (its title says it is pending and came
from this migration, its members are the standing committee's on that day), and later alerts
of the same weeks join it. The item keeps who proposed it and when. An alert already linked
to an item (the migration run again after going back) is left as it is.

Going back copies each alert's item (the latest, where it is on several) into the three
fields again; the items, meetings and links stay, so nothing recorded since is lost.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations
from django.db.models import Max, Q
from django.urls import reverse

ZONE = ZoneInfo("Asia/Shanghai")
PENDING_TITLE = "常委会会议（待定，由预警提请事项迁移）"


def _types(apps):
    content_type = apps.get_model("contenttypes", "ContentType")
    alert, _ = content_type.objects.get_or_create(app_label="budget", model="alert")
    item, _ = content_type.objects.get_or_create(app_label="meetings", model="agendaitem")
    return alert, item


def _term_on(apps, day):
    """The city congress's term serving on `day` (township congresses have no 常委会)."""
    terms = apps.get_model("deputies", "Term").objects.filter(level="city")
    serving = terms.filter(start_date__lte=day).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day)
    )
    term = serving.order_by("-start_date").first() or terms.filter(is_current=True).first()
    if term is None:
        raise RuntimeError(
            "迁移“提请常委会审议”需要市级人民代表大会的届（deputies.Term）：请先登记届次，再运行迁移。"
        )
    return term


def _pending_meeting(apps, proposed_at):
    """A draft 常委会会议 on the first day of the month after `proposed_at`, 9:00 local."""
    meeting_model = apps.get_model("meetings", "Meeting")
    local = proposed_at.astimezone(ZONE)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    start = dt.datetime(year, month, 1, 9, 0, tzinfo=ZONE)
    term = _term_on(apps, start.date())
    last = meeting_model.objects.filter(term=term, kind="standing").aggregate(m=Max("number"))
    meeting = meeting_model.objects.create(
        kind="standing",
        term=term,
        number=(last["m"] or 0) + 1,
        title=PENDING_TITLE,
        start_at=start,
        end_at=start + dt.timedelta(hours=3),
        venue="",
        state="draft",
    )
    # The standing committee's members on the meeting day (meetings.services
    # .members_from_registry, as it stands when this migration was written).
    seats = (
        apps.get_model("deputies", "Membership")
        .objects.filter(
            organization__kind="standing_committee",
            organization__parent_id=term.congress_id,
            start_date__lte=start.date(),
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start.date()))
    )
    deputies = apps.get_model("deputies", "Deputy").objects.filter(
        term=term, status="active", pk__in=seats.values("deputy_id")
    )
    member_model = apps.get_model("meetings", "MeetingMember")
    member_model.objects.bulk_create(
        [
            member_model(meeting=meeting, deputy_id=pk)
            for pk in deputies.values_list("pk", flat=True)
        ]
    )
    return meeting


def to_agenda_items(apps, schema_editor):
    alert_model = apps.get_model("budget", "Alert")
    meeting_model = apps.get_model("meetings", "Meeting")
    item_model = apps.get_model("meetings", "AgendaItem")
    link_model = apps.get_model("core", "SourceLink")
    alert_type, item_type = _types(apps)
    proposed = (
        alert_model.objects.exclude(agenda_title="")
        .select_related("rule")
        .order_by("agenda_at", "pk")
    )
    for alert in proposed.iterator():
        linked = link_model.objects.filter(
            source_type=alert_type, source_id=alert.pk, target_type=item_type
        ).values_list("target_id", flat=True)
        if item_model.objects.filter(pk__in=list(linked)).exists():
            continue
        at = alert.agenda_at or alert.raised_at
        meeting = (
            meeting_model.objects.filter(kind="standing", start_at__gte=at)
            .exclude(state="closed")
            .order_by("start_at", "pk")
            .first()
        ) or _pending_meeting(apps, at)
        last = item_model.objects.filter(meeting=meeting).aggregate(m=Max("order"))["m"] or 0
        item = item_model.objects.create(
            meeting=meeting,
            order=last + 1,
            title=alert.agenda_title[:200],
            kind="review",
            created_by_id=alert.agenda_by_id,
        )
        # auto_now_add wrote today: keep when it was proposed.
        item_model.objects.filter(pk=item.pk).update(created_at=at, updated_at=at)
        rule = alert.rule
        link = link_model.objects.create(
            source_type=alert_type,
            source_id=alert.pk,
            target_type=item_type,
            target_id=item.pk,
            # The same label and page as services/escalation.alert_source.
            label=f"预算联网监督预警 {rule.code} {rule.name}（{alert.period:%Y年%m月}）"[:200],
            url=reverse("budget:alert_detail", args=[alert.pk]),
            created_by_id=alert.agenda_by_id,
        )
        link_model.objects.filter(pk=link.pk).update(created_at=at)


def from_agenda_items(apps, schema_editor):
    alert_model = apps.get_model("budget", "Alert")
    item_model = apps.get_model("meetings", "AgendaItem")
    link_model = apps.get_model("core", "SourceLink")
    alert_type, item_type = _types(apps)
    links = link_model.objects.filter(source_type=alert_type, target_type=item_type)
    latest = {}
    items = item_model.objects.in_bulk(list(links.values_list("target_id", flat=True)))
    for source_id, target_id in links.values_list("source_id", "target_id"):
        item = items.get(target_id)
        if item is None:  # taken off the agenda since
            continue
        key = (item.created_at, item.pk)
        if source_id not in latest or key > latest[source_id][0]:
            latest[source_id] = (key, item)
    for source_id, (_key, item) in latest.items():
        alert_model.objects.filter(pk=source_id).update(
            agenda_title=item.title, agenda_at=item.created_at, agenda_by_id=item.created_by_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0013_payment_list_index"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0006_sms_message"),
        ("deputies", "0007_meeting_absence"),
        ("meetings", "0002_congress_sessions_from_sittings"),
    ]

    operations = [migrations.RunPython(to_agenda_items, from_agenda_items)]
