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


def a_call(world: Any) -> list[int]:
    from renda.livelihood.tests.factories import a_call as make

    return [make(world).pk]


def a_draft_call(world: Any) -> list[int]:
    from renda.livelihood.tests.factories import a_call as make

    return [make(world, publish=False).pk]


def _proposal(world: Any) -> Any:
    from renda.livelihood.tests.factories import a_call as make
    from renda.livelihood.tests.factories import a_proposal

    return a_proposal(world, make(world))


def a_proposal(world: Any) -> list[int]:
    return [_proposal(world).pk]


def a_tracking_code(world: Any) -> list[str]:
    return [_proposal(world).tracking_code]


def an_opinion(world: Any) -> list[int]:
    from renda.stations.tests.factories import make_opinion

    return [make_opinion(world).pk]


def a_suggestion(world: Any) -> list[int]:
    from renda.suggestions.tests.factories import scene, submitted

    return [submitted(scene(world, others=0)).pk]


def a_counted_vote(world: Any) -> list[int]:
    from renda.livelihood import services

    hall = _hall(world)
    services.open_round(actor=world.staff, round_=hall.round)
    services.cast_ballot(actor=world.deputy, round_=hall.round, marks={})
    services.close_round(actor=world.staff, round_=hall.round)
    services.count_round(actor=world.staff, round_=hall.round)
    return [hall.vote.pk]


def a_rectification(world: Any) -> list[int]:
    """A 测评 graded 不满意: its rectification, for the lead unit (the officer persona's)."""
    from renda.livelihood import services
    from renda.livelihood.models import Rectification
    from renda.livelihood.tests.factories import cast_grades, grades, make_evaluation

    ev = make_evaluation(world, deputies=3, chosen=1)
    services.open_round(actor=world.staff, round_=ev.round)
    cast_grades(ev, [grades(ev, "dissatisfied")] * 3)
    services.close_round(actor=world.staff, round_=ev.round)
    services.count_round(actor=world.staff, round_=ev.round)
    return [Rectification.objects.get(vote=ev.vote).pk]


RECTIFIERS = ["staff", "sc_member", "handling_officer"]


def deputy_record(world: Any) -> list[int]:
    """The deputy persona with its deputy record, as a deputy who proposes has."""
    from renda.meetings.tests.factories import a_deputy

    a_deputy(world, user=world.deputy)
    return []


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
    "livelihood:vote_reserve": Entry(expect(["staff"], ok=302), args=a_vote, method="post"),
    # 满意度测评 (run on the vote's own pages) and 整改: the lead unit's officer reads and
    # reports on its own rectification.
    "livelihood:satisfaction": Entry(expect(READERS)),
    "livelihood:satisfaction_create": Entry(expect(["staff"])),
    "livelihood:rectifications": Entry(expect(RECTIFIERS)),
    "livelihood:rectification_detail": Entry(expect(RECTIFIERS), args=a_rectification),
    "livelihood:rectification_reply": Entry(
        expect(["staff", "handling_officer"], ok=302),
        args=a_rectification,
        method="post",
        data={"reply": "已完成整改，路面全部重铺。"},
    ),
    "livelihood:rectification_deadline": Entry(
        expect(["staff"], ok=302), args=a_rectification, method="post"
    ),
    "livelihood:rectification_reevaluate": Entry(
        expect(["staff"], ok=302), args=a_rectification, method="post"
    ),
    # Collection and screening: staff manage, SC members read.
    "livelihood:calls": Entry(expect(READERS)),
    "livelihood:call_create": Entry(expect(["staff"])),
    "livelihood:call_detail": Entry(expect(READERS), args=a_call),
    "livelihood:call_publish": Entry(expect(["staff"], ok=302), args=a_draft_call, method="post"),
    "livelihood:call_close": Entry(expect(["staff"], ok=302), args=a_call, method="post"),
    "livelihood:proposal_create": Entry(expect(["staff"]), args=a_call),
    "livelihood:list_build": Entry(expect(["staff"]), args=a_call),
    "livelihood:proposal_detail": Entry(expect(READERS), args=a_proposal),
    "livelihood:proposal_screen": Entry(expect(["staff"]), args=a_proposal),
    "livelihood:proposal_accept": Entry(expect(["staff"], ok=302), args=a_proposal, method="post"),
    "livelihood:proposal_reject": Entry(expect(["staff"], ok=302), args=a_proposal, method="post"),
    "livelihood:proposal_reserve": Entry(expect(["staff"], ok=302), args=a_proposal, method="post"),
    "livelihood:proposal_merge": Entry(expect(["staff"], ok=302), args=a_proposal, method="post"),
    "livelihood:proposal_carry": Entry(expect(["staff"], ok=302), args=a_proposal, method="post"),
    "livelihood:reserve": Entry(expect(READERS)),
    "livelihood:convert": Entry(expect(["staff"])),
    "livelihood:opinion_convert": Entry(expect(["staff"]), args=an_opinion),
    "livelihood:suggestion_convert": Entry(expect(["staff"]), args=a_suggestion),
    # A deputy proposes from the phone (an SC member without a deputy record may not).
    "livelihood:propose": Entry(expect(["deputy"]), args=deputy_record),
    "livelihood:my_proposals": Entry(expect(VOTERS)),
    # 人大之家: no log-in; a draft call and an uncounted vote are not there at all.
    "livelihood:public_calls": Entry(everyone()),
    "livelihood:public_call": Entry(everyone(), args=a_call),
    "livelihood:public_propose": Entry(everyone(), args=a_call),
    "livelihood:public_proposals": Entry(everyone(), args=a_call),
    "livelihood:public_track": Entry(everyone()),
    "livelihood:public_track_detail": Entry(everyone(), args=a_tracking_code),
    "livelihood:public_results": Entry(everyone(), args=a_counted_vote),
    "livelihood:public_satisfaction": Entry(everyone()),
    # Public once the ballot box is sealed.
    "livelihood:trackers": Entry(everyone(), args=a_closed_round),
    "livelihood:verify": Entry(everyone(), args=a_closed_round),
}
