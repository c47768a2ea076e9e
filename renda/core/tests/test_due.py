"""The workbench's 待办 list: each item with its module, title, note and deadline (逾期 in red,
with the word, once past), a tap target to the page where it is done; 暂无待办 when empty."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from renda.core.selectors import Due
from renda.core.views.pages import due_rows

pytestmark = pytest.mark.django_db


def test_deadlines_in_words_and_overdue_once_past() -> None:
    now = timezone.make_aware(dt.datetime(2026, 12, 2, 10, 0))
    rows = due_rows(
        [
            Due("会议", "答复会议通知", "/a/", now + dt.timedelta(hours=2)),
            Due("建议", "评价办理答复", "/b/", now - dt.timedelta(minutes=1)),
            Due("述职", "今天述职", "/c/", dt.date(2026, 12, 2)),  # due until the day ends
            Due("述职", "昨天述职", "/d/", dt.date(2026, 12, 1)),
            Due("建议", "联名邀请", "/e/"),
        ],
        now,
    )
    assert [(r.deadline, r.overdue) for r in rows] == [
        ("2026-12-02 12:00", False),
        ("2026-12-02 09:59", True),
        ("2026-12-02", False),
        ("2026-12-01", True),
        ("", False),
    ]


def test_the_list_on_the_workbench(client_for: Any, monkeypatch: Any) -> None:
    past = timezone.now() - dt.timedelta(days=1)
    items = [
        Due("建议", "评价办理答复：排水管网", "/suggestions/1/#rate", past, "JY-001"),
        Due("会议", "答复会议通知：第三次会议", "/meetings/mine/1/", None, "12月05日 09:00"),
    ]
    monkeypatch.setattr("renda.core.views.pages.due_items", lambda user: items)
    html = client_for("deputy").get("/workbench/").content.decode()
    listed = html.split('data-testid="due-list"')[1]
    # Before the counts in the page, so a phone shows it first.
    assert html.index('data-testid="due-list"') < html.index('data-testid="workbench-cards"')
    assert listed.count('data-testid="due-item"') == 2
    assert 'href="/suggestions/1/#rate"' in listed and 'href="/meetings/mine/1/"' in listed
    first = listed.split('data-testid="due-item"')[1]
    assert "建议" in first and "评价办理答复：排水管网" in first and "JY-001" in first
    assert "text-danger" in first and "逾期" in first
    second = listed.split('data-testid="due-item"')[2]
    assert "逾期" not in second and 'data-testid="due-deadline"' not in second
    assert 'data-testid="due-count">2<' in listed


def test_nothing_due(client_for: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("renda.core.views.pages.due_items", lambda user: [])
    html = client_for("staff").get("/workbench/").content.decode()
    assert 'data-testid="due-empty"' in html and "暂无待办" in html
    assert 'data-testid="due-count"' not in html
