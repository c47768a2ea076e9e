"""Who may read what, and from when (selectors.released_to, the one rule): the release list,
the release time, 会议开始时 before and after the start, confidential documents never to
anybody off their list — not by the list, the search, the reader, the file or the download."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from renda.documents import services
from renda.documents.rules import Audience, ReleaseMode
from renda.documents.selectors import my_documents, released_to
from renda.meetings.tests.factories import a_deputy, deputy_user

from .factories import docx_file, meeting_document, notified_item, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world: Any) -> Any:
    """Two deputies with accounts who sit in the meeting; a third added after it was made."""
    me = a_deputy(world, user=world.deputy, name="李明")
    colleague = a_deputy(world, user=deputy_user(world, "wang"), name="王芳")
    item = notified_item(world)
    outsider = a_deputy(world, user=deputy_user(world, "zhao"), name="赵强")
    return me, colleague, outsider, item


def ids(user: Any, **kw: Any) -> set[int]:
    return set(released_to(user, **kw).values_list("pk", flat=True))


def test_library_audiences(world: Any, people: Any) -> None:
    me, colleague, outsider, _ = people
    everyone = publish(world)
    committee = publish(
        world, title="常委会会议通知", kind="sc_notice", audience=Audience.SC_MEMBERS
    )
    chosen = publish(world, title="专题材料", audience=Audience.CHOSEN, recipients=[colleague])
    assert ids(world.deputy) == {everyone.pk}
    assert ids(colleague.user) == {everyone.pk, chosen.pk}
    assert ids(world.sc_member) == {everyone.pk, committee.pk}
    # Other roles read nothing, whatever the audience.
    for persona in ("handling_officer", "data_provider", "nominee", "audit_admin"):
        assert ids(world.users[persona]) == set()


def test_meeting_documents_go_to_the_meetings_members_only(world: Any, people: Any) -> None:
    me, colleague, outsider, item = people
    doc = meeting_document(world, item)
    assert doc.pk in ids(me.user) and doc.pk in ids(colleague.user)
    assert doc.pk not in ids(outsider.user)
    assert doc.pk not in ids(world.sc_member)  # not a member of this meeting


def test_a_draft_meetings_documents_wait_for_the_notice(world: Any) -> None:
    from renda.meetings import services as meeting_services
    from renda.meetings.tests.factories import make_meeting

    a_deputy(world, user=world.deputy)
    meeting = make_meeting(world)
    item = meeting_services.put_on_agenda(
        actor=world.staff, meeting=meeting, title="议题", source=None
    )
    doc = meeting_document(world, item)
    assert doc.pk not in ids(world.deputy)
    meeting_services.notify_members(actor=world.staff, meeting=meeting)
    assert doc.pk in ids(world.deputy)


def test_release_at_a_time(world: Any, people: Any) -> None:
    later = timezone.now() + dt.timedelta(days=2)
    doc = publish(world, mode=ReleaseMode.AT_TIME, at=later)
    assert doc.pk not in ids(world.deputy)
    assert doc.pk not in ids(world.deputy, now=later - dt.timedelta(seconds=1))
    assert doc.pk in ids(world.deputy, now=later)


def test_released_at_the_meeting_is_not_readable_before_it_starts(
    world: Any, people: Any, client_for: Any
) -> None:
    me, colleague, outsider, item = people
    doc = meeting_document(world, item, mode=ReleaseMode.AT_MEETING, confidential=True)
    start = item.meeting.start_at
    client = client_for("deputy")
    # Before the start: not listed, not searchable, the reader, file and download are 404.
    assert doc.pk not in ids(me.user)
    assert not my_documents(me.user, q="工作报告").exists()
    for name in ("documents:read", "documents:raw", "documents:download"):
        assert client.get(reverse(name, args=[doc.pk])).status_code == 404
    assert "审议稿" not in client.get(reverse("documents:mine")).content.decode()
    # The meeting is moved one hour later: the release follows it.
    from renda.meetings.models import Meeting

    Meeting.objects.filter(pk=item.meeting_id).update(start_at=start + dt.timedelta(hours=1))
    with time_machine.travel(start + dt.timedelta(minutes=1)):
        assert doc.pk not in ids(me.user)
    with time_machine.travel(start + dt.timedelta(hours=1, minutes=1)):
        assert doc.pk in ids(me.user)
        assert doc.pk not in ids(outsider.user)
        client = client_for("deputy")  # a new session: the first one has timed out by now
        assert client.get(reverse("documents:read", args=[doc.pk])).status_code == 200
        assert "审议稿" in client.get(reverse("documents:mine")).content.decode()


def test_a_confidential_document_is_never_shown_off_its_list(
    world: Any, people: Any, client_for: Any
) -> None:
    me, colleague, outsider, item = people
    secret = publish(
        world,
        title="审计发现问题通报",
        audience=Audience.CHOSEN,
        recipients=[colleague],
        confidential=True,
    )
    client = client_for("deputy")  # 李明, not on the list
    listing = client.get(reverse("documents:mine")).content.decode()
    assert "审计发现问题通报" not in listing
    found = client.get(reverse("documents:mine"), {"q": "政府"}).content.decode()
    assert "审计发现问题通报" not in found
    for name in ("documents:read", "documents:raw", "documents:download"):
        assert client.get(reverse(name, args=[secret.pk])).status_code == 404
    sc = client_for("sc_member")
    assert sc.get(reverse("documents:read", args=[secret.pk])).status_code == 404
    # Nor can a reader off the list record a read of it through the service.
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.record_read(actor=me.user, document=secret)
    # The one on the list reads it.
    assert secret.pk in ids(colleague.user)


def test_withdrawn_documents_disappear(world: Any, people: Any) -> None:
    doc = publish(world)
    services.withdraw_document(actor=world.staff, document=doc, reason="版本有误")
    assert doc.pk not in ids(world.deputy)


def test_search_finds_words_in_the_text(world: Any, people: Any) -> None:
    doc = publish(world)  # the PDF says 地区生产总值
    other = publish(world, title="审计工作报告", kind="audit", file=docx_file())
    assert list(my_documents(world.deputy, q="生产总值").values_list("pk", flat=True)) == [doc.pk]
    assert list(my_documents(world.deputy, q="审计").values_list("pk", flat=True)) == [other.pk]
    assert not my_documents(world.deputy, q="生产总值 审计").exists()
