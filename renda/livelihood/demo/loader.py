"""The livelihood demo's steps, through the services only, each at the moment it happened
(core.demo_clock): see the package docstring."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils import timezone

from renda.accounts.models import User
from renda.core.demo_clock import Clock
from renda.core.models import Organization, Region
from renda.core.roles import Role
from renda.deputies.models import Deputy, Level, Term
from renda.meetings import services as meeting_services
from renda.meetings.models import Meeting, MeetingMember
from renda.suggestions.demo import demo_year

from .. import services
from ..models import Call, Plan, ProgressStatus, Proposal, ProposerKind, Rectification, Round, Vote
from ..rules import Choice, SatisfactionChoice
from ..services import implementation, satisfaction
from .data import (
    CONTACTS,
    COUNTY_CODE,
    LAST_DUPLICATE,
    LAST_REJECTED,
    LAST_YEAR,
    PARKING,
    SEATS,
    THIS_REJECTED_REASON,
    THIS_YEAR,
    _at,
    _description,
)


@dataclass(frozen=True)
class _Terminal:
    """A deputy at the hall's voting terminal (表决器): what the casting service needs of an
    actor (authenticated, the deputy), with no account behind it."""

    deputy: Deputy
    pk: None = None
    is_authenticated: bool = True
    is_active: bool = True

    def get_username(self) -> str:
        return "会场表决器"


class _Loader:
    def __init__(self, actor: Any) -> None:
        # The workflow steps are staff's (a proposal's screening, merging...): without an
        # actor, the year was kept by a member of the 办公室, which holds the livelihood duty.
        self.actor = actor or (
            User.objects.filter(username__in=("staff01", "staff"), is_active=True)
            .order_by("-username")
            .first()
        )
        self.created: Counter[str] = Counter()
        self.county = Region.objects.get(code=COUNTY_CODE)
        self.term = Term.objects.get(level=Level.CITY, is_current=True)
        self.rng = random.Random(2025)
        self.today = timezone.localdate()
        self.year = demo_year(self.today)
        self.deputy_users = list(
            User.objects.filter(role=Role.DEPUTY, deputy__term=self.term, is_active=True)
            .select_related("deputy")
            .order_by("username")
        )

    def region(self, name: str) -> Region | None:
        return Region.objects.get(name=name) if name else None

    def org(self, code: str) -> Organization:
        return Organization.objects.get(code=code)

    def status(self, key: str) -> ProgressStatus:
        return ProgressStatus.objects.get(key=key)

    # --- proposals ------------------------------------------------------------------------

    def propose(
        self, call: Call, title: str, township: str, kind: str, proposer: str, n: int
    ) -> Proposal:
        where = self.region(township)
        text = _description(title, township)
        place = f"{township}辖区" if township else "全市"
        if kind == ProposerKind.PUBLIC:
            name, phone = CONTACTS[n % len(CONTACTS)]
            proposal, _ = services.submit_public_proposal(
                call=call,
                title=title,
                description=text,
                place=place,
                township=where,
                contact_name=name,
                contact_phone=phone,
            )
        elif kind == ProposerKind.DEPUTY and self.deputy_users:
            proposal = services.propose_as_deputy(
                actor=self.deputy_users[n % len(self.deputy_users)],
                call=call,
                title=title,
                description=text,
                place=place,
                township=where,
            )
        else:
            proposal = services.register_proposal(
                actor=self.actor,
                call=call,
                proposer_kind=kind if kind != ProposerKind.DEPUTY else ProposerKind.PUBLIC,
                title=title,
                description=text,
                proposer_name=proposer,
                place=place,
                township=where,
            )
        self.created["民生实事项目建议"] += 1
        return proposal

    def review(
        self, proposal: Proposal, lead: str, cost: int, done: dt.date, *, burden: str = ""
    ) -> None:
        services.review_proposal(
            actor=self.actor,
            proposal=proposal,
            assessment=(
                f"经{self.org(lead).short_name}现场踏勘和测算，项目建设条件具备，"
                "群众受益面广，可在年度内完成。"
            ),
            estimated_cost=Decimal(cost),
            funding_source="市级财政预算安排，积极争取上级专项资金",
            lead_unit=self.org(lead),
            completion_date=done,
            burden_ok=not burden,
            debt_ok=True,
            stability_ok=True,
            burden_reason=burden,
        )

    def new_call(self, clock: Clock, year: int, opens: dt.date, closes: dt.date) -> Call:
        clock.move_to(_at(opens - dt.timedelta(days=3), 10))
        call = services.create_call(
            actor=self.actor,
            year=year,
            level=Level.CITY,
            region=self.county,
            title=f"关于征集{year}年度冷水江市重大民生实事项目的公告",
            text=(
                f"为做好{year}年度市级重大民生实事项目人大代表票决工作，现面向社会公开征集项目建议。"
                "项目应面向全体群众、普惠公益，原则上当年实施、当年见效；不得增加群众和企业负担，"
                "不得新增政府债务风险，不得引发社会稳定风险。群众可登录“人大之家”提交，"
                "人大代表可通过手机提交，各部门、各乡镇（街道）和村（居）委会请书面报送。"
            ),
            opens_on=opens,
            closes_on=closes,
        )
        clock.move_to(_at(opens, 9))
        call = services.publish_call(actor=self.actor, call=call)
        self.created["民生实事征集公告"] += 1
        return call

    # --- last year ------------------------------------------------------------------------

    def last_year(self, clock: Clock) -> None:
        year = self.year - 1
        call = self.new_call(clock, year, dt.date(year - 1, 9, 1), dt.date(year - 1, 10, 31))
        accepted: list[Proposal] = []
        day = dt.date(year - 1, 9, 3)
        for n, idea in enumerate(LAST_YEAR):
            clock.move_to(_at(day + dt.timedelta(days=3 * n), 9 + n % 7, 13))
            accepted.append(
                self.propose(call, idea.title, idea.township, idea.kind, idea.proposer, n)
            )
        clock.move_to(_at(dt.date(year - 1, 10, 25), 15))
        dup = self.propose(call, LAST_DUPLICATE[0], LAST_DUPLICATE[1], ProposerKind.PUBLIC, "", 2)
        title, township, reason = LAST_REJECTED
        rejected = self.propose(
            call, title, township, ProposerKind.VILLAGE, "铎山镇红旗村村民委员会", 5
        )
        clock.move_to(_at(dt.date(year - 1, 11, 2), 10))
        services.close_call(actor=self.actor, call=call)
        services.merge_proposals(actor=self.actor, proposal=dup, into=accepted[5])
        for n, (proposal, idea) in enumerate(zip(accepted, LAST_YEAR, strict=True)):
            clock.move_to(_at(dt.date(year - 1, 11, 5) + dt.timedelta(days=n // 3), 10 + n % 3))
            self.review(proposal, idea.lead, idea.cost, dt.date(year, 12, 20))
            services.accept_proposal(
                actor=self.actor, proposal=proposal, note="可行性评估和负面清单审查通过"
            )
        self.review(rejected, "ZF-JTJ", 3_500_000, dt.date(year, 12, 20), burden=reason)
        services.reject_proposal(actor=self.actor, proposal=rejected, reason=reason)
        session = self.congress_session(clock, year)
        clock.move_to(_at(dt.date(year - 1, 12, 10), 15))
        lst = services.build_candidate_list(
            actor=self.actor,
            meeting=session,
            title=f"{year}年度冷水江市重大民生实事候选项目",
            seats=SEATS,
            proposals=accepted,
        )
        vote = self.hold_vote(clock, session, lst)
        clock.move_to(_at(session.end_at.date(), 17))
        meeting_services.close_meeting(actor=self.actor, meeting=session)
        clock.move_to(_at(session.end_at.date() + dt.timedelta(days=5), 10))
        services.reserve_not_chosen(actor=self.actor, vote=vote)
        plans = self.implement(clock, vote, year)
        self.evaluate(clock, vote, plans, year)

    def congress_session(self, clock: Clock, year: int) -> Meeting:
        number = year - self.term.start_date.year + 1
        start = _at(dt.date(year, 1, 8), 9)
        clock.move_to(_at(dt.date(year - 1, 12, 1), 10))
        meeting = meeting_services.create_meeting(
            actor=self.actor,
            kind=Meeting.Kind.CONGRESS,
            term=self.term,
            number=number,
            start_at=start,
            end_at=_at(dt.date(year, 1, 10), 12),
            venue="市会议中心大礼堂",
        )
        for title, kind in (
            ("听取和审议市人民政府工作报告", "report"),
            ("审查和批准财政预算执行情况与预算草案的报告", "review"),
        ):
            meeting_services.put_on_agenda(
                actor=self.actor, meeting=meeting, title=title, kind=kind, source=None
            )
        clock.move_to(_at(dt.date(year - 1, 12, 25), 10))
        meeting_services.notify_members(actor=self.actor, meeting=meeting)
        self.created["会议"] += 1
        return meeting

    def sign_in_and_open(self, clock: Clock, meeting: Meeting, absent: int) -> None:
        clock.move_to(meeting.start_at - dt.timedelta(minutes=20))
        members = list(MeetingMember.objects.filter(meeting=meeting).order_by("deputy_id"))
        away = set(self.rng.sample(range(len(members)), absent))
        for i, member in enumerate(members):
            if i not in away:
                meeting_services.mark_paper_sign_in(actor=self.actor, member=member)
        clock.move_to(meeting.start_at)
        meeting_services.open_meeting(actor=self.actor, meeting=meeting)

    def voters(self, round_: Round) -> list[Any]:
        import json

        roster = json.loads(round_.manifest)["roster"]
        deputies = Deputy.objects.filter(pk__in=roster).select_related("user").order_by("pk")
        return [
            d.user if d.user is not None and d.user.is_active else _Terminal(d) for d in deputies
        ]

    def hold_vote(self, clock: Clock, session: Meeting, lst: Any) -> Vote:
        self.sign_in_and_open(clock, session, absent=9)
        day = session.start_at.date()
        clock.move_to(_at(day + dt.timedelta(days=1), 16))
        services.confirm_candidate_list(
            actor=self.actor, candidate_list=lst, decision="大会主席团第二次会议通过"
        )
        vote = services.create_vote(actor=self.actor, candidate_list=lst)
        clock.move_to(_at(day + dt.timedelta(days=2), 10))
        round_ = services.open_round(actor=self.actor, round_=vote.rounds.get(number=1))
        ids = [int(i) for i in round_.candidate_ids]
        # Candidates 1–15 are popular, 16–17 much less; at most 15 赞成 a ballot (the least
        # popular dropped first), and one deputy ticks 16 (a void ballot, as on paper).
        popular = [
            0.93,
            0.9,
            0.88,
            0.86,
            0.9,
            0.8,
            0.84,
            0.87,
            0.85,
            0.8,
            0.86,
            0.83,
            0.78,
            0.82,
            0.88,
            0.42,
            0.4,
        ]
        for n, actor in enumerate(self.voters(round_)):
            clock.move_to(_at(day + dt.timedelta(days=2), 10, 5 + n // 30))
            marks: dict[int, str] = {}
            for cid, p in zip(ids, popular, strict=True):
                r = self.rng.random()
                marks[cid] = Choice.YES if r < p else Choice.NO if r < p + 0.06 else Choice.ABSTAIN
            yes = [c for c in reversed(ids) if marks[c] == Choice.YES]
            limit = SEATS + 1 if n == 40 else SEATS
            for cid in yes[: max(0, len(yes) - limit)]:
                marks[cid] = Choice.ABSTAIN
            if n == 40:
                marks = {c: str(Choice.YES) for c in ids[:16]} | {ids[16]: str(Choice.NO)}
            services.cast_ballot(
                actor=actor, round_=round_, marks={k: str(v) for k, v in marks.items()}
            )
            self.created["选票"] += 1
        clock.move_to(_at(day + dt.timedelta(days=2), 10, 40))
        services.close_round(actor=self.actor, round_=round_)
        clock.move_to(_at(day + dt.timedelta(days=2), 10, 55))
        services.count_round(actor=self.actor, round_=round_)
        self.created["民生实事票决"] += 1
        return vote

    # --- implementation -------------------------------------------------------------------

    def implement(self, clock: Clock, vote: Vote, year: int) -> dict[str, Plan]:
        ideas = {i.title: i for i in LAST_YEAR}
        plans: dict[str, Plan] = {}
        city = list(Deputy.objects.filter(term=self.term).select_related("region").order_by("pk"))
        demo_deputy = User.objects.filter(username="deputy").select_related("deputy").first()
        for n, project in enumerate(satisfaction.chosen_of(vote)):
            idea = ideas[project.title]
            clock.move_to(_at(dt.date(year, 2, 10) + dt.timedelta(days=n // 5), 9 + n % 5))
            plan = implementation.create_plan(actor=self.actor, project=project)
            items = []
            for k, (title, unit, share) in enumerate(idea.items):
                items.append(
                    implementation.add_item(
                        actor=self.actor,
                        plan=plan,
                        title=title,
                        owner_unit=self.org(unit),
                        budget=Decimal(idea.cost * share // 100),
                        start_on=dt.date(year, 3, 1),
                        deadline=dt.date(year, 10 if project.title != PARKING else 9, 30),
                        order=k,
                    )
                )
                for m, (label, month) in enumerate((("完成招标采购", 4), ("主体工程完工", 9))):
                    implementation.add_milestone(
                        actor=self.actor,
                        item=items[-1],
                        title=label,
                        due_on=dt.date(year, month, 20 + m),
                    )
            plan = implementation.publish_plan(actor=self.actor, plan=plan)
            # Two deputies of the project's township (any city deputy for a county-wide one),
            # never the demo deputy, who is added to two projects of the city centre below.
            place = [d for d in city if d.region.name == idea.township] if idea.township else []
            pool = [
                d for d in (place or city) if demo_deputy is None or d.user_id != demo_deputy.pk
            ]
            for k, d in enumerate(self.rng.sample(pool, 2)):
                implementation.assign_supervisor(
                    actor=self.actor, plan=plan, deputy=d, is_lead=k == 0
                )
            if demo_deputy is not None and project.title in (PARKING, "城区背街小巷路灯亮化"):
                implementation.assign_supervisor(
                    actor=self.actor, plan=plan, deputy=demo_deputy.deputy
                )
            self.report(clock, plan, items, year, lagging=project.title == PARKING)
            plans[project.title] = plan
            self.created["实施计划"] += 1
        if demo_deputy is not None:
            clock.move_to(_at(dt.date(year, 9, 18), 15))
            implementation.record_inspection(
                actor=demo_deputy,
                plan=plans[PARKING],
                kind="inspection",
                visited_on=dt.date(year, 9, 18),
                text="视察布溪街道立体停车场工地：征地拆迁尚未完成，主体未动工，"
                "建议住建局倒排工期，每月向监督代表通报进度。",
            )
        return plans

    def report(
        self, clock: Clock, plan: Plan, items: list[Any], year: int, *, lagging: bool
    ) -> None:
        steps = (
            (dt.date(year, 4, 25), "preparing", "已完成施工图设计和招标，施工单位进场。"),
            (dt.date(year, 7, 15), "building", "主体工程正在施工，形象进度过半。"),
            (dt.date(year, 11, 20), "accepted", "已完工并通过竣工验收，交付使用。"),
        )
        for day, key, text in steps[:2] if lagging else steps:
            for k, item in enumerate(items):
                step_text = text
                if lagging and k == 0 and key == "building":
                    step_text, key_used = (
                        "征地拆迁协调未完成，立体停车场主体尚未动工。",
                        "preparing",
                    )
                else:
                    key_used = key
                clock.move_to(_at(day + dt.timedelta(days=k), 16))
                implementation.file_report(
                    actor=None,
                    item=item,
                    report_date=day + dt.timedelta(days=k),
                    text=f"{item.title}：{step_text}",
                    status=self.status(key_used),
                )
                self.created["进展报告"] += 1
                if key == "preparing":
                    implementation.record_milestone(
                        actor=None,
                        milestone=item.milestones.order_by("due_on")[0],
                        done_on=day + dt.timedelta(days=k - 3),
                    )
                if key == "accepted":
                    implementation.record_milestone(
                        actor=None,
                        milestone=item.milestones.order_by("due_on")[1],
                        done_on=day + dt.timedelta(days=k - 2),
                    )
        if not lagging:
            clock.move_to(_at(dt.date(year, 12, 5), 10))
            implementation.complete_plan(actor=self.actor, plan=plan)

    # --- the satisfaction vote and the rectification ------------------------------------

    def evaluate(self, clock: Clock, vote: Vote, plans: dict[str, Plan], year: int) -> None:
        start = _at(dt.date(year, 12, 26), 9)
        clock.move_to(start - dt.timedelta(days=7))
        number = (
            Meeting.objects.filter(term=self.term, kind=Meeting.Kind.STANDING).aggregate(
                n=Max("number")
            )["n"]
            or 0
        ) + 1
        meeting = meeting_services.create_meeting(
            actor=self.actor,
            kind=Meeting.Kind.STANDING,
            term=self.term,
            number=number,
            start_at=start,
            end_at=start + dt.timedelta(hours=3),
            venue="市人大常委会机关三楼会议室",
        )
        evaluation = satisfaction.create_satisfaction_vote(
            actor=self.actor, meeting=meeting, evaluates=vote
        )
        meeting_services.notify_members(actor=self.actor, meeting=meeting)
        self.created["会议"] += 1
        self.sign_in_and_open(clock, meeting, absent=2)
        clock.move_to(start + dt.timedelta(minutes=40))
        round_ = services.open_round(actor=self.actor, round_=evaluation.rounds.get(number=1))
        ids = [int(i) for i in round_.candidate_ids]
        titles = dict(evaluation.candidate_list.candidates.values_list("pk", "project__title"))
        voters = self.voters(round_)
        for n, actor in enumerate(voters):
            marks = {}
            for cid in ids:
                title = titles[cid]
                r = self.rng.random()
                if title == PARKING:  # 3 满意, 5 基本满意, the rest 不满意
                    mark = (
                        SatisfactionChoice.SATISFIED
                        if n < 3
                        else SatisfactionChoice.BASIC
                        if n < 8
                        else SatisfactionChoice.DISSATISFIED
                    )
                elif title == "城乡公交一体化":  # 基本满意: 满意 not more than half
                    mark = SatisfactionChoice.SATISFIED if n % 3 == 0 else SatisfactionChoice.BASIC
                else:
                    mark = SatisfactionChoice.SATISFIED if r < 0.85 else SatisfactionChoice.BASIC
                marks[cid] = str(mark)
            clock.move_to(start + dt.timedelta(minutes=45 + n // 10))
            services.cast_ballot(actor=actor, round_=round_, marks=marks)
            self.created["测评票"] += 1
        clock.move_to(start + dt.timedelta(minutes=60))
        services.close_round(actor=self.actor, round_=round_)
        clock.move_to(start + dt.timedelta(minutes=70))
        services.count_round(actor=self.actor, round_=round_)
        clock.move_to(start + dt.timedelta(hours=3))
        meeting_services.close_meeting(actor=self.actor, meeting=meeting)
        self.created["满意度测评"] += 1
        rect = Rectification.objects.filter(vote=evaluation).select_related("lead_unit").first()
        officer = (
            User.objects.filter(
                role=Role.HANDLING_OFFICER, organization=rect.lead_unit, is_active=True
            )
            .order_by("username")
            .first()
            if rect is not None
            else None
        )
        if rect is not None and officer is not None:
            clock.move_to(_at(dt.date(year + 1, 3, 10), 15))
            satisfaction.reply_rectification(
                actor=officer,
                rectification=rect,
                reply=(
                    "布溪街道立体停车场已完成征地拆迁并于3月1日开工，预计6月底主体完工；"
                    "路内泊位已施划1200个，智慧停车平台已上线试运行。"
                    "我局已建立周调度制度，每月向监督代表通报进度。"
                ),
            )
            self.created["整改"] += 1

    # --- this year's call -----------------------------------------------------------------

    def this_year(self, clock: Clock) -> None:
        opens = self.today - dt.timedelta(days=70)
        call = self.new_call(clock, self.year + 1, opens, self.today + dt.timedelta(days=21))
        rows: list[tuple[Proposal, tuple[Any, ...]]] = []
        for n, row in enumerate(THIS_YEAR):
            title, township, kind, proposer, _, _, _ = row
            clock.move_to(_at(opens + dt.timedelta(days=2 + 5 * n), 9 + n % 8, 21))
            rows.append((self.propose(call, title, township, kind, proposer, n), row))
        reserved = (
            Proposal.objects.filter(state="reserved", call__year__lt=call.year)
            .order_by("pk")
            .last()
        )
        clock.move_to(_at(opens + dt.timedelta(days=30), 11))
        if reserved is not None:
            services.carry_reserved(actor=self.actor, proposal=reserved, call=call)
        for n, (proposal, row) in enumerate(rows):
            _, _, _, _, lead, cost, fate = row
            if fate == "-":
                continue
            clock.move_to(_at(opens + dt.timedelta(days=58 + n), 15))
            done = dt.date(call.year, 12, 20)
            if fate == "reject":
                self.review(proposal, lead, cost, done, burden=THIS_REJECTED_REASON)
                services.reject_proposal(
                    actor=self.actor, proposal=proposal, reason=THIS_REJECTED_REASON
                )
                continue
            self.review(proposal, lead, cost, done)
            if fate == "accept":
                services.accept_proposal(
                    actor=self.actor, proposal=proposal, note="审查通过，拟列入候选项目"
                )
            elif fate == "reserve":
                services.reserve_proposal(
                    actor=self.actor, proposal=proposal, note="项目前期工作不足，列入储备库"
                )
