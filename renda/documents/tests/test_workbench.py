"""The phone's 待办 hook: each released document the reader has not opened, gone once read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from renda.core.selectors import due_items
from renda.documents import services
from renda.documents.rules import ReleaseMode
from renda.documents.workbench import due
from renda.meetings.tests.factories import a_deputy

from .factories import meeting_document, notified_item, publish

pytestmark = pytest.mark.django_db


def test_unread_released_documents_are_due(world: Any) -> None:
    a_deputy(world, user=world.deputy)
    item = notified_item(world)
    report = publish(world)
    draft = meeting_document(world, item, title="计划草案", kind="draft")
    meeting_document(world, item, title="会上发", mode=ReleaseMode.AT_MEETING)  # not yet
    publish(
        world, title="明天发", mode=ReleaseMode.AT_TIME, at=timezone.now() + dt.timedelta(days=1)
    )
    items = {d.title: d for d in due(world.deputy)}
    assert set(items) == {f"阅读：{report.title}", "阅读：计划草案"}
    assert items["阅读：计划草案"].due == item.meeting.start_at
    assert items["阅读：计划草案"].url == reverse("documents:read", args=[draft.pk])
    assert (
        items[f"阅读：{report.title}"].due is None and items[f"阅读：{report.title}"].kind == "文件"
    )
    services.record_read(actor=world.deputy, document=draft)
    assert [d.title for d in due(world.deputy)] == [f"阅读：{report.title}"]
    # core collects it with every other app's.
    assert f"阅读：{report.title}" in [d.title for d in due_items(world.deputy)]
    # Staff keep the documents but have nothing to read.
    assert due(world.staff) == []
