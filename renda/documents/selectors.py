"""Reads for 知情知政. `released_to` is THE rule of who may read what and from when; every
reader-facing view, the search, the downloads and the 待办 hook go through it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from renda.core.roles import Role, has_role
from renda.deputies.models import Deputy
from renda.meetings.models import MeetingMember
from renda.meetings.permissions import deputy_of

from .models import Document, DocumentRecipient, ReadReceipt
from .rules import Audience, ReleaseMode, State

READERS = (Role.DEPUTY, Role.SC_MEMBER)


def released_to(user: Any, *, now: dt.datetime | None = None) -> QuerySet[Document]:
    """The documents `user` may read at `now` (default: this moment).

    Released: published (not withdrawn); its release time has come — 立即/定时 at
    `release_at`, 会议开始时 at the meeting's start, whatever it is now; a meeting document's
    meeting has been notified (not a draft). To the user: a meeting document to the meeting's
    members (出席 and 列席), a library document to all deputies, to standing-committee members
    or to the deputies chosen for it. Confidential documents follow the same list — there is no
    other way in."""
    if not has_role(user, *READERS):
        return Document.objects.none()
    now = now or timezone.now()
    released = Q(release_mode__in=[ReleaseMode.NOW, ReleaseMode.AT_TIME], release_at__lte=now) | Q(
        release_mode=ReleaseMode.AT_MEETING, agenda_item__meeting__start_at__lte=now
    )
    notified = Q(agenda_item__isnull=True) | ~Q(agenda_item__meeting__state="draft")
    audience = Q(audience=Audience.ALL_DEPUTIES)
    if has_role(user, Role.SC_MEMBER):
        audience |= Q(audience=Audience.SC_MEMBERS)
    deputy = deputy_of(user)
    if deputy is not None:
        seats = MeetingMember.objects.filter(deputy=deputy).values("meeting_id")
        chosen = DocumentRecipient.objects.filter(deputy=deputy).values("document_id")
        audience |= Q(audience=Audience.MEETING, agenda_item__meeting_id__in=seats)
        audience |= Q(audience=Audience.CHOSEN, pk__in=chosen)
    return Document.objects.filter(released & notified & audience, state=State.PUBLISHED)


def is_released(user: Any, document: Document) -> bool:
    return released_to(user).filter(pk=document.pk).exists()


def release_time(document: Document) -> dt.datetime | None:
    if document.release_mode == ReleaseMode.AT_MEETING and document.agenda_item is not None:
        return document.agenda_item.meeting.start_at
    return document.release_at


def search(documents: QuerySet[Document], q: str) -> QuerySet[Document]:
    """Every word of `q` in the title or the extracted text."""
    for word in q.split()[:8]:
        documents = documents.filter(Q(title__icontains=word) | Q(text__icontains=word))
    return documents


def my_documents(
    user: Any,
    *,
    q: str = "",
    meeting: int | None = None,
    year: int | None = None,
    kind: str = "",
) -> QuerySet[Document]:
    """我的文件: what is released to `user`, newest release first, each marked read or not
    (`is_read`). The big text columns are left unloaded."""
    documents = released_to(user)
    if q:
        documents = search(documents, q)
    if meeting:
        documents = documents.filter(agenda_item__meeting_id=meeting)
    if year:
        documents = documents.filter(year=year)
    if kind:
        documents = documents.filter(kind=kind)
    read = ReadReceipt.objects.filter(document=OuterRef("pk"), user_id=user.pk)
    return (
        documents.defer("text", "preview_html")
        .select_related("agenda_item", "agenda_item__meeting")
        .annotate(
            is_read=Exists(read),
            released=Coalesce("release_at", "agenda_item__meeting__start_at"),
        )
        .order_by(F("released").desc(nulls_last=True), "-id")
    )


def unread_for(user: Any) -> QuerySet[Document]:
    return released_to(user).exclude(
        pk__in=ReadReceipt.objects.filter(user_id=user.pk).values("document_id")
    )


def library(
    *, q: str = "", year: int | None = None, kind: str = "", state: str = ""
) -> QuerySet[Document]:
    """Staff's list of every document, with its read count."""
    documents = Document.objects.all()
    if q:
        documents = search(documents, q)
    if year:
        documents = documents.filter(year=year)
    if kind:
        documents = documents.filter(kind=kind)
    if state:
        documents = documents.filter(state=state)
    return (
        documents.defer("text", "preview_html")
        .select_related("agenda_item", "agenda_item__meeting")
        .annotate(read_count=Count("receipts"))
        .order_by("-year", "-created_at", "-id")  # an aggregate query drops Meta.ordering
    )


@dataclass(frozen=True)
class ReaderRow:
    name: str
    unit: str  # 代表团 or region, or the role for accounts without a deputy record
    user_id: int | None  # None: the deputy has no account yet, so cannot have read it
    read_at: dt.datetime | None


@dataclass(frozen=True)
class ReadReport:
    document: Document
    rows: list[ReaderRow]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def read(self) -> int:
        return sum(1 for r in self.rows if r.read_at is not None)

    @property
    def unread(self) -> int:
        return self.total - self.read


def _deputy_rows(deputies: Any, receipts: dict[int, dt.datetime]) -> list[ReaderRow]:
    rows = []
    for deputy in deputies:
        unit = deputy.delegation.name if deputy.delegation_id else deputy.region.name
        rows.append(ReaderRow(deputy.name, unit, deputy.user_id, receipts.get(deputy.user_id or 0)))
    return rows


def read_report(document: Document) -> ReadReport:
    """Who is on the document's release list and whether each has read it: read ones first
    (in the order they read), then the rest by name. A few queries, whatever the list's size."""
    receipts = dict(
        ReadReceipt.objects.filter(document=document).values_list("user_id", "first_read_at")
    )
    deputies = Deputy.objects.select_related("delegation", "region").order_by("name", "pk")
    if document.audience == Audience.MEETING:
        assert document.agenda_item is not None
        seats = MeetingMember.objects.filter(meeting_id=document.agenda_item.meeting_id)
        rows = _deputy_rows(deputies.filter(pk__in=seats.values("deputy_id")), receipts)
    elif document.audience == Audience.CHOSEN:
        chosen = document.recipient_rows.values("deputy_id")
        rows = _deputy_rows(deputies.filter(pk__in=chosen), receipts)
    else:
        roles = [Role.SC_MEMBER] if document.audience == Audience.SC_MEMBERS else list(READERS)
        users = get_user_model().objects.filter(role__in=roles, is_active=True).order_by("name")
        labels = dict(Role.choices)
        rows = [
            ReaderRow(u.name or u.username, str(labels.get(u.role, "")), u.pk, receipts.get(u.pk))
            for u in users
        ]
    rows.sort(
        key=lambda r: (r.read_at is None, r.read_at or dt.datetime.min.replace(tzinfo=dt.UTC))
    )
    return ReadReport(document, rows)
