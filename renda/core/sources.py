"""Source links (docs/architecture.md §5): how an item records the item it came from, for every pair of
modules. The target app's service that creates the item calls `link_source` in its own
transaction; the source app passes its item (with a label and the URL of its page) to that
service. Both sides read the link here: the target shows "came from", the source shows
"became", and neither imports the other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, OuterRef

from renda.core import audit
from renda.core.models import SourceLink


@dataclass(frozen=True)
class Source:
    """What a source app hands to the target app's service: its item, what to call it and
    where its page is."""

    obj: models.Model
    label: str
    url: str = ""


def _ct(model: models.Model | type[models.Model]) -> ContentType:
    return ContentType.objects.get_for_model(model)


@transaction.atomic
def link_source(*, actor: Any, source: Source, target: models.Model) -> SourceLink:
    """Record that `target` came from `source.obj`. Recording the same pair again changes
    nothing and returns the existing link (a retried request writes nothing twice)."""
    link, created = SourceLink.objects.get_or_create(
        source_type=_ct(source.obj),
        source_id=source.obj.pk,
        target_type=_ct(target),
        target_id=target.pk,
        defaults={
            "label": source.label[:200],
            "url": source.url[:300],
            "created_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )
    if created:
        audit.record(
            actor=actor,
            action="source.link",
            target=target,
            details={"source": f"{source.obj._meta.label_lower}:{source.obj.pk}"},
        )
    return link


def forget_target(target: models.Model) -> int:
    """Drop the links that point at `target` before it is deleted (an agenda item taken off
    the agenda): a link to a row that no longer exists would still count as "on the agenda".
    Called inside the deleting service's transaction; returns the links dropped."""
    deleted, _ = SourceLink.objects.filter(target_type=_ct(target), target_id=target.pk).delete()
    return deleted


def sources_of(target: models.Model) -> list[SourceLink]:
    """Where `target` came from, oldest first."""
    return list(SourceLink.objects.filter(target_type=_ct(target), target_id=target.pk))


def targets_of(source: models.Model, target_model: type[models.Model]) -> list[int]:
    """The primary keys of the `target_model` items that came from `source`."""
    return list(
        SourceLink.objects.filter(
            source_type=_ct(source), source_id=source.pk, target_type=_ct(target_model)
        )
        .order_by("pk")
        .values_list("target_id", flat=True)
    )


def has_target(source_model: type[models.Model], target_model: type[models.Model]) -> Exists:
    """An `Exists` for a queryset of `source_model`: has the row become a `target_model`
    item? (e.g. opinions not yet drafted into a suggestion)."""
    return Exists(
        SourceLink.objects.filter(
            source_type=_ct(source_model),
            source_id=OuterRef("pk"),
            target_type=_ct(target_model),
        )
    )
