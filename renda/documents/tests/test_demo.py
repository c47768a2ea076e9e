"""The demo loader: the year's library as real files, meeting documents on the demo meetings'
agenda, some receipts; once only."""

from __future__ import annotations

from typing import Any

import pytest

from renda.documents.demo import seed_documents
from renda.documents.models import Document, ReadReceipt
from renda.documents.rules import Kind, ReleaseMode
from renda.meetings.tests.factories import a_deputy, deputy_user

from .factories import notified_item

pytestmark = pytest.mark.django_db


def test_seed_documents(world: Any) -> None:
    a_deputy(world, user=world.deputy)
    a_deputy(world, user=deputy_user(world, "wang"))
    item = notified_item(world)
    from renda.meetings import services as meeting_services

    meeting_services.put_on_agenda(
        actor=world.staff, meeting=item.meeting, title="审查计划", source=None
    )
    created = seed_documents(actor=world.staff)
    kinds = set(Document.objects.values_list("kind", flat=True))
    assert {
        Kind.GOVERNMENT_WORK,
        Kind.BUDGET,
        Kind.FINAL_ACCOUNTS,
        Kind.AUDIT,
        Kind.PLAN,
        Kind.SC_NOTICE,
    } <= kinds
    assert set(Document.objects.values_list("file_type", flat=True)) == {"pdf", "docx"}
    assert all(d.text for d in Document.objects.all())
    on_agenda = Document.objects.filter(agenda_item__meeting=item.meeting)
    assert {d.release_mode for d in on_agenda} == {ReleaseMode.AT_MEETING, ReleaseMode.NOW}
    assert Document.objects.filter(confidential=True).count() == 1
    assert created["知情知政文件"] == Document.objects.count()
    assert created["阅读回执"] == ReadReceipt.objects.count() > 0
    assert seed_documents(actor=world.staff) == {}
