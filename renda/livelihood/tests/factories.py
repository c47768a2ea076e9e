"""Test data for 票决, built through the services: a congress session in progress with its
deputies (some with accounts), a confirmed candidate list, and a vote on its agenda."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from renda.accounts.models import User
from renda.deputies.models import Deputy
from renda.livelihood import services
from renda.livelihood.models import Ballot, BallotBox, Candidate, CandidateList, Round, Vote
from renda.meetings import services as meeting_services
from renda.meetings.models import Meeting, MeetingMember
from renda.meetings.tests.factories import a_deputy, deputy_user, make_meeting

_serial = itertools.count(1)


def box_ballots(round_: Round | None = None) -> dict[str, list[Any]]:
    """The ballots still in open boxes (tracker → [nonce, packed marks]), of one
    round or of all: a ballot is a `Ballot` row only once its round is closed."""
    boxes = BallotBox.objects.all() if round_ is None else BallotBox.objects.filter(round=round_)
    return {t: e for box in boxes for t, e in box.entries.items()}


def ballot_count(round_: Round | None = None) -> int:
    """Ballots cast, open (in the box) or sealed (Ballot rows)."""
    rows = Ballot.objects.all() if round_ is None else Ballot.objects.filter(round=round_)
    return rows.count() + len(box_ballots(round_))


@dataclass
class Hall:
    meeting: Meeting
    deputies: list[Deputy]
    users: list[User]  # users[i] is deputies[i]'s account
    candidate_list: CandidateList
    candidates: list[Candidate]
    vote: Vote
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def round(self) -> Round:
        return self.vote.rounds.order_by("-number").first()  # type: ignore[return-value]


def a_project(world: Any, title: str = "", cost: str = "1500000.00") -> Any:
    n = next(_serial)
    return services.create_project(
        actor=world.staff,
        title=title or f"民生项目{n:02d}",
        level="city",
        region=world.county,
        year=2027,
        estimated_cost=Decimal(cost),
        lead_unit=world.department,
    )


def make_hall(
    world: Any,
    *,
    deputies: int = 5,
    seats: int = 2,
    candidates: int = 4,
    pass_base: str = "all",
    check_in: int | None = None,
) -> Hall:
    """`deputies` members with accounts (the first is the deputy persona), the first
    `check_in` of them (all by default) checked in on paper, the session in progress."""
    users = [world.deputy] + [deputy_user(world, f"v{next(_serial)}") for _ in range(deputies - 1)]
    people = [a_deputy(world, user=u, name=f"代表{i:02d}") for i, u in enumerate(users)]
    meeting = make_meeting(world, start_at=timezone.now() + dt.timedelta(minutes=10))
    meeting_services.notify_members(actor=world.staff, meeting=meeting)
    for member in MeetingMember.objects.filter(meeting=meeting).order_by("deputy_id")[
        : deputies if check_in is None else check_in
    ]:
        meeting_services.mark_paper_sign_in(actor=world.staff, member=member)
    meeting_services.open_meeting(actor=world.staff, meeting=meeting)
    meeting.refresh_from_db()
    lst = services.create_candidate_list(
        actor=world.staff, meeting=meeting, title="2027年市政府民生实事候选项目", seats=seats
    )
    cands = [
        services.add_candidate(actor=world.staff, candidate_list=lst, project=a_project(world))
        for _ in range(candidates)
    ]
    services.confirm_candidate_list(
        actor=world.staff, candidate_list=lst, decision="主席团第二次会议通过"
    )
    vote = services.create_vote(actor=world.staff, candidate_list=lst, pass_base=pass_base)
    return Hall(meeting, people, users, lst, cands, vote)


def marks(hall: Hall, *yes: int, no: tuple[int, ...] = ()) -> dict[int, str]:
    """赞成 for the candidates at the given indexes, 反对 for `no`, the rest unmarked."""
    out = {hall.candidates[i].pk: "yes" for i in yes}
    out.update({hall.candidates[i].pk: "no" for i in no})
    return out


def cast_all(hall: Hall, ballots: list[dict[int, str]]) -> list[str]:
    return [
        services.cast_ballot(actor=hall.users[i], round_=hall.round, marks=m).tracker
        for i, m in enumerate(ballots)
    ]


# --- collection and screening --------------------------------------------------------------

DESCRIPTION = "坪石村到金竹山镇的公路路面破损严重，雨天无法通行，建议列入民生实事项目加宽硬化。"


def a_call(world: Any, *, year: int = 2027, publish: bool = True, **fields: Any) -> Any:
    from renda.livelihood.models import Call

    today = timezone.localdate()
    call = services.create_call(
        actor=world.staff,
        year=year,
        level=fields.pop("level", "city"),
        region=fields.pop("region", world.county),
        title=fields.pop("title", f"关于征集{year}年度市政府民生实事项目的公告"),
        text=fields.pop("text", "现面向社会公开征集民生实事项目建议。"),
        opens_on=fields.pop("opens_on", today - dt.timedelta(days=5)),
        closes_on=fields.pop("closes_on", today + dt.timedelta(days=25)),
    )
    if publish:
        call = services.publish_call(actor=world.staff, call=call)
    assert isinstance(call, Call)
    return call


def a_proposal(world: Any, call: Any, title: str = "", **fields: Any) -> Any:
    n = next(_serial)
    return services.register_proposal(
        actor=world.staff,
        call=call,
        proposer_kind=fields.pop("proposer_kind", "department"),
        proposer_name=fields.pop("proposer_name", "冷水江市交通运输局"),
        title=title or f"道路改造项目{n:02d}",
        description=fields.pop("description", DESCRIPTION),
        **fields,
    )


def review(world: Any, proposal: Any, *, cost: str = "2000000.00", **checks: Any) -> Any:
    values: dict[str, Any] = {
        "burden_ok": True,
        "debt_ok": True,
        "stability_ok": True,
        **checks,
    }
    return services.review_proposal(
        actor=world.staff,
        proposal=proposal,
        assessment="项目用地已落实，技术方案可行。",
        estimated_cost=Decimal(cost),
        funding_source="市本级财政预算",
        lead_unit=world.department,
        completion_date=dt.date(2027, 12, 31),
        **values,
    )


def accepted(world: Any, call: Any, title: str = "") -> Any:
    p = a_proposal(world, call, title)
    review(world, p)
    return services.accept_proposal(actor=world.staff, proposal=p)


# --- 满意度测评 ------------------------------------------------------------------------------


@dataclass
class Evaluation:
    """A counted 票决 (`selection`) and a 满意度测评 of its chosen projects at a 常委会会议
    in progress whose members are the selection's deputies (all checked in)."""

    selection: Hall
    meeting: Meeting
    vote: Vote
    users: list[User]
    candidates: list[Candidate]

    @property
    def round(self) -> Round:
        return self.vote.rounds.order_by("-number").first()  # type: ignore[return-value]


def counted_selection(world: Any, *, deputies: int = 5, chosen: int = 2) -> Hall:
    """A 票决 of `chosen` + 1 candidates where every deputy votes 赞成 for the first `chosen`."""
    hall = make_hall(world, deputies=deputies, seats=chosen, candidates=chosen + 1)
    services.open_round(actor=world.staff, round_=hall.round)
    cast_all(hall, [marks(hall, *range(chosen)) for _ in range(deputies)])
    services.close_round(actor=world.staff, round_=hall.round)
    services.count_round(actor=world.staff, round_=hall.round)
    return hall


def committee_meeting(
    world: Any, deputies: list[Deputy], *, check_in: int | None = None
) -> Meeting:
    """A 常委会会议 in progress with `deputies` as its members, the first `check_in` (all by
    default) checked in on paper."""
    from renda.meetings.tests.factories import seat_on_committee

    for d in deputies:
        if not d.memberships.filter(organization__code="RD-CWH").exists():
            seat_on_committee(world, d)
    meeting = make_meeting(
        world, kind=Meeting.Kind.STANDING, start_at=timezone.now() + dt.timedelta(minutes=10)
    )
    meeting_services.notify_members(actor=world.staff, meeting=meeting)
    members = MeetingMember.objects.filter(meeting=meeting).order_by("deputy_id")
    for member in members[: len(deputies) if check_in is None else check_in]:
        meeting_services.mark_paper_sign_in(actor=world.staff, member=member)
    meeting_services.open_meeting(actor=world.staff, meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def make_evaluation(world: Any, *, deputies: int = 5, chosen: int = 2) -> Evaluation:
    from renda.livelihood.services import satisfaction

    hall = counted_selection(world, deputies=deputies, chosen=chosen)
    meeting = committee_meeting(world, hall.deputies)
    vote = satisfaction.create_satisfaction_vote(
        actor=world.staff, meeting=meeting, evaluates=hall.vote
    )
    cands = list(vote.candidate_list.candidates.order_by("order"))
    # users in deputy-id order, as the meeting's members are
    by_deputy = sorted(zip(hall.deputies, hall.users, strict=True), key=lambda p: p[0].pk)
    return Evaluation(hall, meeting, vote, [u for _, u in by_deputy], cands)


def grades(ev: Evaluation, *rows: str) -> dict[int, str]:
    """One 测评票: rows[i] is the mark for the i-th project ("" leaves it unmarked)."""
    return {c.pk: m for c, m in zip(ev.candidates, rows, strict=False) if m}


def cast_grades(ev: Evaluation, ballots: list[dict[int, str]]) -> list[str]:
    return [
        services.cast_ballot(actor=ev.users[i], round_=ev.round, marks=m).tracker
        for i, m in enumerate(ballots)
    ]
