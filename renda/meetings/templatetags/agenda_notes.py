"""`{% agenda_notes item sources as notes %}`: what the apps an agenda item came from say
about it now (meetings.links.agenda_notes), without meetings importing those apps."""

from __future__ import annotations

from django import template

from renda.core.models import SourceLink

from ..links import agenda_notes as notes_of
from ..models import AgendaItem

register = template.Library()


@register.simple_tag
def agenda_notes(item: AgendaItem, sources: list[SourceLink]) -> list[str]:
    return notes_of(item, list(sources or []))
