"""Links that apps above meetings put on a meeting's pages (documents: 会议文件), registered
from their AppConfig.ready(), so meetings shows them without importing those apps (the layers
of pyproject.toml's import contract)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from renda.core.models import SourceLink

    from .models import AgendaItem, Meeting


@dataclass(frozen=True)
class MeetingLink:
    label: str
    icon: str  # a Bootstrap icon class
    staff_url: Callable[[Meeting], str] | None = None  # on the staff's meeting page
    member_url: Callable[[Meeting], str] | None = None  # on a member's page (phone)


_LINKS: list[MeetingLink] = []


def register(link: MeetingLink) -> None:
    if link not in _LINKS:
        _LINKS.append(link)


def staff_links(meeting: Meeting) -> list[tuple[str, str, str]]:
    """(label, icon, url) for the staff's meeting page."""
    return [(x.label, x.icon, x.staff_url(meeting)) for x in _LINKS if x.staff_url]


def member_links(meeting: Meeting) -> list[tuple[str, str, str]]:
    """(label, icon, url) for a member's page of the meeting."""
    return [(x.label, x.icon, x.member_url(meeting)) for x in _LINKS if x.member_url]


# What an agenda item's source app says about it now (an appointment list: who has not passed
# the exam yet). A function of the item and its source links, registered from the source
# app's AppConfig.ready(); it returns lines to show under the item (none for other sources).
AgendaNote = Callable[["AgendaItem", "list[SourceLink]"], list[str]]
_NOTES: list[AgendaNote] = []


def register_agenda_note(note: AgendaNote) -> None:
    if note not in _NOTES:
        _NOTES.append(note)


def agenda_notes(item: AgendaItem, sources: list[SourceLink]) -> list[str]:
    if not sources:
        return []
    return [line for note in _NOTES for line in note(item, sources)]
