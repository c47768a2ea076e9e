from __future__ import annotations

from typing import Any

from renda.core.tests.matrix_support import Entry, expect, logged_in

READERS = ["staff", "sc_member"]
MEMBERS = ["deputy", "sc_member"]


def a_meeting(world: Any) -> list[int]:
    """A notified congress session of which the deputy persona is a member."""
    from renda.meetings import services
    from renda.meetings.tests.factories import a_deputy, make_meeting

    a_deputy(world, user=world.deputy)
    meeting = make_meeting(world)
    services.notify_members(actor=world.staff, meeting=meeting)
    return [meeting.pk]


def an_item(world: Any) -> list[int]:
    from renda.meetings import services
    from renda.meetings.models import Meeting

    meeting = Meeting.objects.get(pk=a_meeting(world)[0])
    item = services.put_on_agenda(actor=world.staff, meeting=meeting, title="审议报告", source=None)
    return [item.pk]


def a_member(world: Any) -> list[int]:
    from renda.meetings.models import MeetingMember

    return [MeetingMember.objects.get(meeting_id=a_meeting(world)[0]).pk]


def own(ok: int = 200) -> dict[str, int]:
    """The deputy persona's own meeting; an SC member without a deputy record gets 404."""
    return {**expect(["deputy"], ok=ok), "sc_member": 404}


MATRIX = {
    "meetings:list": Entry(expect(READERS)),
    "meetings:create": Entry(expect(["staff"])),
    "meetings:detail": Entry(expect(READERS), args=a_meeting),
    "meetings:agenda_add": Entry(expect(["staff"]), args=a_meeting),
    "meetings:agenda_outcome": Entry(expect(["staff"]), args=an_item),
    "meetings:agenda_remove": Entry(expect(["staff"], ok=302), args=an_item, method="post"),
    "meetings:notify": Entry(expect(["staff"], ok=302), args=a_meeting, method="post"),
    "meetings:open": Entry(expect(["staff"], ok=302), args=a_meeting, method="post"),
    "meetings:close": Entry(expect(["staff"], ok=302), args=a_meeting, method="post"),
    "meetings:members": Entry(expect(READERS), args=a_meeting),
    "meetings:leave_decide": Entry(expect(["staff"], ok=302), args=a_member, method="post"),
    "meetings:paper_sign_in": Entry(expect(["staff"], ok=302), args=a_member, method="post"),
    "meetings:venue": Entry(expect(["staff"]), args=a_meeting),
    "meetings:venue_code": Entry(expect(["staff"]), args=a_meeting),
    "meetings:count": Entry(expect(READERS), args=a_meeting),
    "meetings:my_list": Entry(expect(MEMBERS)),
    "meetings:my_detail": Entry(own(), args=a_meeting),
    "meetings:my_confirm": Entry(own(302), args=a_meeting, method="post"),
    "meetings:my_leave": Entry(own(), args=a_meeting),
    # The venue code's page: any logged-in account may open it (a bad or missing code is
    # refused on the page); the public logs in first.
    "meetings:check_in": Entry(logged_in()),
    "meetings:check_in_done": Entry(logged_in()),
}
