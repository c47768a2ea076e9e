"""我的文件 on the phone: what is released to the reader, searchable, filtered by meeting, year
and kind, unread ones marked; a bounded number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from renda.documents import services
from renda.meetings.tests.factories import a_deputy

from .factories import docx_file, meeting_document, notified_item, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(world: Any) -> Any:
    a_deputy(world, user=world.deputy, name="李明")
    item = notified_item(world)
    report = publish(world, year=2026)
    budget = publish(world, title="2025年预算报告", kind="budget", year=2025, file=docx_file())
    draft = meeting_document(world, item, title="计划草案", kind="draft")
    return item, report, budget, draft


def titles(response: Any) -> list[str]:
    html = response.content.decode().split('data-testid="my-documents"', 1)[1]
    return [t for t in ("2026年市人民政府工作报告", "2025年预算报告", "计划草案") if t in html]


def test_list_search_and_filters(world: Any, client_for: Any, shelf: Any) -> None:
    item, report, budget, draft = shelf
    client = client_for("deputy")
    url = reverse("documents:mine")
    assert titles(client.get(url)) == ["2026年市人民政府工作报告", "2025年预算报告", "计划草案"]
    assert titles(client.get(url, {"q": "二十五亿"})) == ["2025年预算报告"]
    assert titles(client.get(url, {"meeting": item.meeting_id})) == ["计划草案"]
    assert titles(client.get(url, {"year": 2025})) == ["2025年预算报告"]
    assert titles(client.get(url, {"kind": "draft"})) == ["计划草案"]
    # Bad filters are ignored, not a 500.
    assert client.get(url, {"year": "²⁰²⁶", "meeting": "9" * 30, "kind": "x"}).status_code == 200


def test_unread_marks(world: Any, client_for: Any, shelf: Any) -> None:
    item, report, budget, draft = shelf
    client = client_for("deputy")
    html = client.get(reverse("documents:mine")).content.decode()
    assert html.count('data-testid="unread-mark"') == 3 and "3 份未读" in html
    services.record_read(actor=world.deputy, document=budget)
    html = client.get(reverse("documents:mine")).content.decode()
    assert html.count('data-testid="unread-mark"') == 2 and "2 份未读" in html


def test_queries_are_bounded(
    world: Any, client_for: Any, shelf: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(10):
        publish(world, title=f"通知{n}", kind="sc_notice")
    client = client_for("deputy")
    with django_assert_max_num_queries(20):
        assert client.get(reverse("documents:mine")).status_code == 200


def test_the_meeting_pages_lead_to_its_documents(world: Any, shelf: Any, client_for: Any) -> None:
    item, _report, _budget, draft = shelf
    meeting = item.meeting
    staff_page = client_for("staff").get(reverse("meetings:detail", args=[meeting.pk]))
    assert reverse("documents:meeting", args=[meeting.pk]) in staff_page.content.decode()
    member_page = client_for("deputy").get(reverse("meetings:my_detail", args=[meeting.pk]))
    link = f"{reverse('documents:mine')}?meeting={meeting.pk}"
    assert link in member_page.content.decode()
    # The link lists this meeting's documents: the draft on its agenda, not the library.
    assert titles(client_for("deputy").get(link)) == [draft.title]
