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


def a_closed_satisfaction_round(world: Any) -> list[int]:
    """A 测评 round sealed with one electronic ballot, waiting for its paper count."""
    from renda.livelihood import services
    from renda.livelihood.tests.factories import cast_grades, grades, make_evaluation

    ev = make_evaluation(world, deputies=3, chosen=1)
    services.open_round(actor=world.staff, round_=ev.round)
    cast_grades(ev, [grades(ev, "satisfied")])
    services.close_round(actor=world.staff, round_=ev.round)
    return [ev.round.pk]


RECTIFIERS = ["staff", "sc_member", "handling_officer"]


def deputy_record(world: Any) -> list[int]:
    """The deputy persona with its deputy record, as a deputy who proposes has."""
    from renda.meetings.tests.factories import a_deputy

    a_deputy(world, user=world.deputy)
    return []


# --- 实施监督 ------------------------------------------------------------------------------
# The officer persona's unit (world.department) owns the plan's first item; the deputy
# persona supervises the plan.

PLAN_ROLES = ["staff", "sc_member", "handling_officer", "deputy"]


def _plan(world: Any, *, publish: bool = True) -> Any:
    from renda.livelihood.tests.implementation_factories import a_plan, supervisor

    scene = a_plan(world, publish=publish)
    if publish:
        supervisor(world, scene)
    return scene


def a_plan(world: Any) -> list[int]:
    return [_plan(world).plan.pk]


def a_draft_plan(world: Any) -> list[int]:
    return [_plan(world, publish=False).plan.pk]


def an_item(world: Any) -> list[int]:
    return [_plan(world).road.pk]


def a_milestone(world: Any) -> list[int]:
    import datetime as dt

    from renda.livelihood.services import implementation as services

    item = _plan(world).road
    return [
        services.add_milestone(
            actor=world.staff, item=item, title="招标", due_on=dt.date(2099, 1, 1)
        ).pk
    ]


def an_inspection(world: Any) -> list[int]:
    from renda.livelihood.services import implementation as services

    scene = _plan(world)
    return [
        services.record_inspection(
            actor=world.deputy, plan=scene.plan, kind="comment", text="意见", item=scene.road
        ).pk
    ]


def no_photo(world: Any) -> list[int]:
    return [999999]


def supervised(ok: int = 200) -> dict[str, int]:
    """The deputy persona supervises; an SC member without a deputy record gets 404."""
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
    "livelihood:vote_reserve": Entry(expect(["staff"], ok=302), args=a_vote, method="post"),
    # 满意度测评 (run on the vote's own pages) and 整改: the lead unit's officer reads and
    # reports on its own rectification.
    "livelihood:satisfaction": Entry(expect(READERS)),
    "livelihood:satisfaction_create": Entry(expect(["staff"])),
    # 纸质测评票: staff with the livelihood duty, between the close and the count.
    "livelihood:satisfaction_paper": Entry(expect(["staff"]), args=a_closed_satisfaction_round),
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
    # 实施监督: staff manage; SC members read; the owner unit reports on its items; the
    # supervising deputy inspects and comments; 人大之家 shows a published plan.
    "livelihood:plans": Entry(expect(PLAN_ROLES)),
    "livelihood:plan_create": Entry(expect(["staff"])),
    "livelihood:statuses": Entry(expect(["staff"])),
    "livelihood:plan_detail": Entry(expect(PLAN_ROLES), args=a_plan),
    "livelihood:plan_publish": Entry(expect(["staff"], ok=302), args=a_draft_plan, method="post"),
    "livelihood:plan_complete": Entry(expect(["staff"], ok=302), args=a_plan, method="post"),
    "livelihood:item_create": Entry(expect(["staff"]), args=a_plan),
    "livelihood:supervisor_assign": Entry(expect(["staff"], ok=302), args=a_plan, method="post"),
    "livelihood:funding_link": Entry(expect(["staff"], ok=302), args=a_plan, method="post"),
    "livelihood:milestone_create": Entry(expect(["staff"], ok=302), args=a_plan, method="post"),
    "livelihood:item_edit": Entry(expect(["staff"]), args=an_item),
    "livelihood:item_report": Entry(expect(["staff", "handling_officer"]), args=an_item),
    "livelihood:milestone_done": Entry(
        expect(["staff", "handling_officer"], ok=302), args=a_milestone, method="post"
    ),
    "livelihood:inspection_reply": Entry(
        expect(["staff", "handling_officer"], ok=302),
        args=an_inspection,
        method="post",
        data={"reply": "已加强围挡。"},
    ),
    # A report's photo is public once published (files: test_implementation_pages.py).
    "livelihood:progress_photo": Entry(everyone(404), args=no_photo),
    "livelihood:my_supervision": Entry(expect(VOTERS)),
    "livelihood:supervise_plan": Entry(supervised(), args=a_plan),
    "livelihood:public_plans": Entry(everyone()),
    "livelihood:public_plan": Entry(everyone(), args=a_plan),
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
