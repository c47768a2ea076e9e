from __future__ import annotations

from typing import Any

from renda.core.tests.matrix_support import Entry, everyone, expect

READERS = ["staff", "sc_member"]
VOTERS = ["deputy", "sc_member"]


def _hall(world: Any) -> Any:
    from renda.livelihood.tests.factories import make_hall

    return make_hall(world, deputies=3, seats=1, candidates=2)


def a_list(world: Any) -> list[int]:
    return [_hall(world).candidate_list.pk]


def a_candidate(world: Any) -> list[int]:
    from renda.livelihood import services
    from renda.livelihood.tests.factories import a_project
    from renda.meetings.models import Meeting

    meeting = Meeting.objects.get(pk=_hall(world).meeting.pk)
    lst = services.create_candidate_list(actor=world.staff, meeting=meeting, title="名单", seats=1)
    return [
        services.add_candidate(actor=world.staff, candidate_list=lst, project=a_project(world)).pk
    ]


def a_vote(world: Any) -> list[int]:
    return [_hall(world).vote.pk]


def a_round(world: Any) -> list[int]:
    return [_hall(world).round.pk]


def a_closed_round(world: Any) -> list[int]:
    from renda.livelihood import services

    hall = _hall(world)
    services.open_round(actor=world.staff, round_=hall.round)
    services.cast_ballot(actor=world.deputy, round_=hall.round, marks={})
    services.close_round(actor=world.staff, round_=hall.round)
    return [hall.round.pk]


def own(ok: int = 200) -> dict[str, int]:
    """The deputy persona is a member of the session; an SC member without a deputy record
    gets 404."""
    return {**expect(["deputy"], ok=ok), "sc_member": 404}


MATRIX = {
    "livelihood:home": Entry(expect(READERS)),
    "livelihood:project_create": Entry(expect(["staff"])),
    "livelihood:list_create": Entry(expect(["staff"])),
    "livelihood:list_detail": Entry(expect(READERS), args=a_list),
    "livelihood:candidate_add": Entry(expect(["staff"], ok=302), args=a_list, method="post"),
    "livelihood:candidate_remove": Entry(
        expect(["staff"], ok=302), args=a_candidate, method="post"
    ),
    "livelihood:list_confirm": Entry(expect(["staff"], ok=302), args=a_list, method="post"),
    "livelihood:vote_create": Entry(expect(["staff"], ok=302), args=a_list, method="post"),
    "livelihood:vote_detail": Entry(expect(READERS), args=a_vote),
    "livelihood:vote_rules": Entry(expect(["staff"], ok=302), args=a_vote, method="post"),
    "livelihood:round_open": Entry(expect(["staff"], ok=302), args=a_round, method="post"),
    "livelihood:round_close": Entry(expect(["staff"], ok=302), args=a_round, method="post"),
    "livelihood:round_count": Entry(expect(["staff"], ok=302), args=a_round, method="post"),
    "livelihood:round_screen": Entry(expect(READERS), args=a_round),
    "livelihood:round_report": Entry(expect(READERS), args=a_closed_round),
    "livelihood:round_paper": Entry(expect(["staff"]), args=a_closed_round),
    "livelihood:my_votes": Entry(expect(VOTERS)),
    "livelihood:ballot": Entry(own(), args=a_round),
    # Public once the ballot box is sealed.
    "livelihood:trackers": Entry(everyone(), args=a_closed_round),
    "livelihood:verify": Entry(everyone(), args=a_closed_round),
}
