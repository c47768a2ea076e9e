"""Demo data for the 代表履职服务 module: a year of 议案 and 建议 written through the services,
each step at the moment it happened (core.demo_clock). Called by `seed_demo`
(`load_demo_suggestions(actor=None)`); idempotent — it does nothing once any suggestion exists.

The year: the city congress sits in January (议案 filed before the presidium's deadline and
decided by it; most 建议 come in during the sitting and are assigned at one 交办会), more
建议 arrive between sittings. Units answer within the three months or late, ask for an
extension, return a mis-assigned item that staff then give to the right unit; deputies rate
the answers, B/C answers are tracked, 不满意 sends an item back for re-handling. Whatever is
still open on the day of loading is in the state a real office would see: some items are
overdue, some wait for registration, some drafts are unfinished.

Every step of every item is planned first, then all steps of all items run in time order, so
serial numbers, codes and every timestamp follow the calendar. Most demo deputies have no
log-in account: their items and ratings are paper forms entered by the demo staff member
(both real paths). The `deputy` demo account submits and rates its own items online, and the
ten deputies of the sitting's motions get accounts to sign them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.utils import timezone

from renda.accounts import services as account_services
from renda.accounts.models import User
from renda.core.demo_clock import real_now, simulated_clock
from renda.core.models import Organization
from renda.core.roles import Role
from renda.core.workflow import apply_transition
from renda.deputies import services as deputy_services
from renda.deputies.models import Deputy, ScoreRule, Term
from renda.deputies.services import create_score_rule, record_duty
from renda.lib import workdays

from . import services
from .demo_topics import HANDLING_UNITS, MOTION_REFUSAL, MOTIONS, TOPICS, Topic, places
from .models import Motion, Suggestion
from .rules import RULES

SEED = 20260318
TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

REPLIES = {
    "A": "经研究，该问题已解决。我单位已安排专项资金完成整改，并会同代表现场查看，群众反映良好。",
    "B": "我单位高度重视，已将该事项列入今年工作计划，目前正在开展前期设计和资金筹措，预计年底前实施。",
    "C": "经调查，该事项确有必要，但受资金和规划条件限制，近期难以实施。已列入储备项目，条件具备后优先安排。",
    "D": "感谢代表的意见。该建议涉及的事项我单位将在今后制定相关政策时研究参考。",
}
DEFAULT_RULES = {
    "meeting_attendance": ("2", None),
    "meeting_leave": ("-1", None),
    "inspection": ("3", "30"),
    "research": ("3", "30"),
    "training": ("2", "20"),
    "group_activity": ("2", "24"),
    "station_duty": ("2", "24"),
    "suggestion": ("3", "30"),
    "motion": ("5", "20"),
    "report_to_constituents": ("5", "10"),
    "commendation": ("5", None),
    "other": ("1", "10"),
}

# The stories of the year: (story, how many, when it starts). "sitting": filed during the
# January sitting; (lo, hi): that many calendar days before the day of loading.
STORIES: tuple[tuple[str, int, str | tuple[int, int]], ...] = (
    ("closed", 18, "sitting"),
    ("tracked_then_solved", 5, "sitting"),
    ("tracking", 5, "sitting"),
    ("rehandled", 4, "sitting"),
    ("returned_then_closed", 4, "sitting"),
    ("late_reply", 4, "sitting"),
    ("extended_reply", 3, "sitting"),
    ("overdue", 4, "sitting"),
    ("merged", 3, "sitting"),
    ("not_accepted", 2, "sitting"),
    ("withdrawn", 1, "sitting"),
    ("closed", 8, (100, 280)),
    ("tracking", 2, (150, 280)),
    ("rehandling", 2, (90, 150)),
    ("returned_then_closed", 1, (60, 120)),
    ("returned", 1, (20, 40)),
    ("extended", 1, (115, 125)),
    ("extension_requested", 1, (90, 120)),
    ("overdue", 2, (110, 200)),
    ("replied", 4, (40, 70)),
    ("assigned", 10, (10, 75)),
    ("registered", 4, (5, 15)),
    ("submitted", 4, (2, 4)),
    ("draft", 5, (1, 10)),
)
# Stories that end waiting for someone: their last step happened in the last few days.
RECENT = ("returned", "extension_requested", "replied", "rehandling", "registered", "submitted")


def demo_year(today: dt.date) -> int:
    """The sitting of this year opened the demo year; early in a year the demo shows last
    year (a year needs a few months for anything to be overdue)."""
    return today.year if today.timetuple().tm_yday > 150 else today.year - 1


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(
        day, dt.time(rng.randint(8, 16), rng.randint(0, 59), rng.randint(0, 59)), tzinfo=TZ
    )


def _back_workdays(day: dt.date, n: int) -> dt.date:
    while n:
        day -= dt.timedelta(days=1)
        if workdays.is_workday(day):
            n -= 1
    return day


@dataclass
class Item:
    """One suggestion being planned: its topic, author and the steps of its story."""

    index: int
    story: str
    topic: Topic
    place: str
    deputy: Deputy
    online: bool
    pk: int | None = None
    steps: list[tuple[dt.datetime, Callable[[], None]]] = field(default_factory=list)


class DemoLoader:
    def __init__(self, actor: User | None) -> None:
        self.rng = random.Random(SEED)
        self.created: Counter[str] = Counter()
        staff = actor if getattr(actor, "role", None) == Role.STAFF else None
        self.staff: User | None = (
            staff
            or User.objects.filter(role=Role.STAFF, username="staff").first()
            or User.objects.filter(role=Role.STAFF).first()
        )
        self.term = (
            Term.objects.filter(is_current=True, level="city").select_related("congress").first()
        )
        self.demo_deputy = Deputy.objects.filter(user__username="deputy").first()

    def run(self) -> dict[str, int]:
        if self.term is None or self.staff is None or Suggestion.objects.exists():
            return {}
        self.city_term: Term = self.term
        self.desk: User = self.staff
        self.now = timezone.localtime(real_now())
        self.today = self.now.date()
        self.year = demo_year(self.today)
        self.sitting_start = workdays.next_workday(dt.date(self.year, 1, 6))
        units = Organization.objects.filter(code__in=HANDLING_UNITS, is_handling_unit=True)
        self.units = {u.code: u for u in units}
        self.officers = {code: self._officer(u) for code, u in self.units.items()}
        self.deputies = list(
            Deputy.objects.filter(term=self.term, status=Deputy.Status.ACTIVE)
            .select_related("user", "region")
            .order_by("pk")
        )
        self.by_place: dict[str, list[Deputy]] = {}
        for deputy in self.deputies:
            if deputy.user_id is None:
                self.by_place.setdefault(deputy.region.name, []).append(deputy)
        self.score_rules()
        plan: list[tuple[dt.datetime, int, Callable[[], None]]] = []
        self.motions(plan)
        items = self.plan_items()
        for item in items:
            plan += [(at, n, step) for n, (at, step) in enumerate(item.steps)]
        # Every step of every item in calendar order (steps not yet due today are dropped).
        plan = [p for p in plan if p[0] < self.now - dt.timedelta(hours=1)]
        plan.sort(key=lambda p: p[0])
        with simulated_clock(plan[0][0]) as clock:
            for at, _, step in plan:
                clock.move_to(at)
                step()
        self.duty_records()
        return dict(self.created)

    # --- people ------------------------------------------------------------------------

    def _officer(self, unit: Organization) -> User:
        found = User.objects.filter(role=Role.HANDLING_OFFICER, organization=unit).first()
        if found:
            return found
        self.created["承办单位账号"] += 1
        return account_services.create_user(
            actor=None,
            username=f"officer_{unit.code.lower().replace('-', '_')}",
            name=f"{unit.short_name or unit.name}经办人",
            role=Role.HANDLING_OFFICER,
            organization=unit,
        )

    def _deputy_account(self, deputy: Deputy, n: int) -> User:
        """An account for a deputy who signs motions online (linked to the deputy's record)."""
        if deputy.user_id is not None:
            assert deputy.user is not None
            return deputy.user
        user = account_services.create_user(
            actor=None,
            username=f"deputy{n:02d}",
            name=deputy.name,
            role=Role.DEPUTY,
            mobile=deputy.mobile,
        )
        deputy_services.update_deputy(actor=None, deputy=deputy, user=user)
        deputy.user = user
        self.created["代表账号"] += 1
        return user

    # --- planning ----------------------------------------------------------------------

    def plan_items(self) -> list[Item]:
        items: list[Item] = []
        index = 0
        for story, count, start in STORIES:
            for _ in range(count):
                item = self._item(index, story)
                self._plan(item, start)
                if story in RECENT:
                    self._end_recently(item)
                items.append(item)
                index += 1
        return items

    def _end_recently(self, item: Item) -> None:
        """Move a story that ends in a waiting state by whole weeks (weekdays stay weekdays)
        so that its last step happened in the last few days."""
        last = item.steps[-1][0]
        target = self.now - dt.timedelta(days=self.rng.randint(1, 5))
        weeks = -((target - last) // dt.timedelta(weeks=1))
        if weeks:
            shift = dt.timedelta(weeks=weeks)
            item.steps = [(at - shift, step) for at, step in item.steps]

    def _item(self, index: int, story: str) -> Item:
        """Topic, place and author: a deputy writes about the township he was elected in;
        the demo deputy (冷水江街道) writes every fifth item online."""
        online = self.demo_deputy is not None and self.demo_deputy.user_id and index % 5 == 0
        if story == "withdrawn":
            online = self.demo_deputy is not None and bool(self.demo_deputy.user_id)
        # A returned item is one a hurried 交办 could get wrong.
        topics = [t for t in TOPICS if t.wrong] if story.startswith("returned") else TOPICS
        if online:
            assert self.demo_deputy is not None
            home = self.demo_deputy.region.name
            topic = self.rng.choice([t for t in topics if home in places(t.places)])
            return Item(index, story, topic, home, self.demo_deputy, True)
        topic = topics[index % len(topics)]
        place = self.rng.choice(places(topic.places))
        pool = self.by_place.get(place) or self.deputies
        return Item(index, story, topic, place, self.rng.choice(pool), False)

    def _plan(self, item: Item, start: str | tuple[int, int]) -> None:
        rng = self.rng
        if isinstance(start, str):  # "sitting"
            day = self.sitting_start + dt.timedelta(days=rng.randint(0, 2))
        else:
            lo, hi = start
            day = self.today - dt.timedelta(days=rng.randint(lo, hi))
            day = max(day, self.sitting_start + dt.timedelta(days=20))
        day = workdays.next_workday(day)
        t = _moment(day, rng)
        item.steps.append((t, lambda: self._create(item)))
        if item.story == "draft":
            return
        t = self._later(t, 0, 1)
        item.steps.append((t, lambda: self._submit(item)))
        if item.story == "submitted":
            return
        t = self._later(t, 2, 5)
        if item.story in ("not_accepted", "withdrawn", "merged"):
            item.steps.append((t, lambda: self._intake_end(item)))
            return
        item.steps.append((t, lambda: self._register(item)))
        if item.story == "registered":
            return
        if isinstance(start, str):  # the 交办会 after the sitting
            t = _moment(workdays.add_workdays(self.sitting_start, 12), rng)
        else:
            t = self._later(t, 2, 4)
        self._plan_handling(item, t)

    def _later(self, t: dt.datetime, lo: int, hi: int) -> dt.datetime:
        """A moment `lo`–`hi` working days after `t`, in office hours."""
        day = workdays.add_workdays(t.date(), self.rng.randint(lo, hi))
        later = _moment(day, self.rng)
        return later if later > t else t + dt.timedelta(minutes=self.rng.randint(20, 90))

    def _plan_handling(self, item: Item, t: dt.datetime) -> None:
        story = item.story
        steps = item.steps
        if story.startswith("returned"):
            steps.append((t, lambda: self._assign(item, wrong=True)))
            t = self._later(t, 1, 4)
            steps.append((t, lambda: self._return(item)))
            if story == "returned":
                return
            t = self._later(t, 1, 3)
        steps.append((t, lambda: self._assign(item)))
        assigned = t
        if item.topic.co:
            steps.append((self._later(t, 8, 18), lambda: self._co_opinion(item)))
        steps.append((self._later(t, 5, 15), lambda: self._note(item)))
        if story == "assigned" or story == "overdue":
            return
        if story in ("extended", "extended_reply", "extension_requested"):
            t = self._later(assigned, 55, 58)
            steps.append((t, lambda: self._request_extension(item)))
            if story == "extension_requested":
                return
            steps.append((self._later(t, 1, 2), lambda: self._approve_extension(item)))
            if story == "extended":
                return
            t = self._later(assigned, 85, 105)
        elif story == "late_reply":
            t = self._later(assigned, 66, 76)
        else:
            t = self._later(assigned, 18, 55)
        first = {"tracking": "B", "tracked_then_solved": "B", "rehandled": "C", "rehandling": "D"}
        klass = first.get(story, "AAAB"[item.index % 4])
        steps.append((t, lambda: self._reply(item, klass)))
        if story == "replied":
            return
        self._plan_rating(item, story, klass, self._later(t, 4, 16))

    def _plan_rating(self, item: Item, story: str, klass: str, t: dt.datetime) -> None:
        steps = item.steps
        if story in ("rehandled", "rehandling"):
            steps.append((t, lambda: self._rate(item, "dissatisfied")))
            if story == "rehandling":
                return
            t = self._later(t, 15, 35)
            steps.append((t, lambda: self._reply(item, "A")))
            t = self._later(t, 4, 12)
            steps.append((t, lambda: self._rate(item, "basic")))
        elif klass in ("B", "C"):
            steps.append((t, lambda: self._rate(item, "basic")))
            if story == "tracking":
                return
            t = self._later(t, 40, 80)
            steps.append((t, lambda: self._reply(item, "A")))
            t = self._later(t, 4, 12)
            steps.append((t, lambda: self._rate(item, "satisfied")))
        else:
            steps.append((t, lambda: self._rate(item, "satisfied" if item.index % 3 else "basic")))
        steps.append((self._later(t, 3, 10), lambda: self._publish(item)))

    # --- steps (each runs at its own simulated moment) ------------------------------------

    def _s(self, item: Item) -> Suggestion:
        assert item.pk is not None
        return Suggestion.objects.select_related("lead_deputy", "term", "sitting").get(pk=item.pk)

    def _actor(self, item: Item) -> User:
        if item.online:
            assert item.deputy.user is not None
            return item.deputy.user
        return self.desk

    def _create(self, item: Item) -> None:
        topic = item.topic
        cosigners: list[Deputy] = []
        if not item.online and item.index % 3 == 0:
            others = [d for d in self.by_place.get(item.place, []) if d.pk != item.deputy.pk]
            cosigners = self.rng.sample(others, min(2, len(others)))
        s = services.create_suggestion(
            actor=self._actor(item),
            deputy=item.deputy,
            title=topic.title.format(place=item.place),
            content=topic.content.format(place=item.place),
            allow_public=item.index % 11 != 0,
            channel=Suggestion.Source.ONLINE if item.online else Suggestion.Source.PAPER,
            cosigners=cosigners,
        )
        item.pk = s.pk
        self.created["代表建议"] += 1

    def _submit(self, item: Item) -> None:
        services.submit_suggestion(actor=self._actor(item), suggestion=self._s(item))

    def _intake_end(self, item: Item) -> None:
        s = self._s(item)
        if item.story == "withdrawn":
            apply_transition(
                actor=self._actor(item), obj=s, transition="withdraw", note="已通过其他渠道解决"
            )
        elif item.story == "not_accepted":
            apply_transition(
                actor=self.desk,
                obj=s,
                transition="reject",
                note="属于个人诉求，已引导通过信访渠道反映",
            )
        else:
            main = (
                Suggestion.objects.filter(
                    state__in=("submitted", "registered", "assigned"), field=item.topic.field
                )
                .exclude(pk=s.pk)
                .order_by("pk")
                .first()
            )
            if main is None:
                services.register_suggestion(actor=self.desk, suggestion=s, field=item.topic.field)
                return
            services.merge_suggestion(actor=self.desk, suggestion=s, into=main)

    def _register(self, item: Item) -> None:
        services.register_suggestion(
            actor=self.desk, suggestion=self._s(item), field=item.topic.field
        )

    def _assign(self, item: Item, *, wrong: bool = False) -> None:
        s = self._s(item)
        topic = item.topic
        if wrong:
            lead, co = self.units[topic.wrong], []
        else:
            lead = self.units[topic.lead]
            co = [self.units[c] for c in topic.co]
        services.assign_suggestion(
            actor=self.desk, suggestion=s, mode="lead", lead_unit=lead, co_units=co
        )
        if not wrong and item.index % 6 == 0 and not s.is_key:
            services.set_key_supervision(
                actor=self.desk, suggestion=s, is_key=True, reason="涉及民生重点问题"
            )

    def _return(self, item: Item) -> None:
        topic = item.topic
        wrong = self.units[topic.wrong]
        services.return_assignment(
            actor=self.officers[wrong.code],
            suggestion=self._s(item),
            reason=f"该事项属于{self.units[topic.lead].short_name or self.units[topic.lead].name}"
            "的职责，本单位不是主管部门，建议改交主管部门办理。",
        )

    def _co_opinion(self, item: Item) -> None:
        s = self._s(item)
        if s.state not in ("assigned", "extension_requested"):
            return
        for code in item.topic.co:
            services.submit_co_opinion(
                actor=self.officers[code],
                suggestion=s,
                opinion="同意主办单位意见，我单位将在职责范围内配合做好相关工作。",
            )

    def _note(self, item: Item) -> None:
        services.add_handling_note(
            actor=self.officers[item.topic.lead],
            suggestion=self._s(item),
            kind="contact",
            method="site",
            occurred_on=timezone.localdate(),
            content="与代表一同实地察看，听取代表和群众意见。",
        )

    def _request_extension(self, item: Item) -> None:
        apply_transition(
            actor=self.officers[item.topic.lead],
            obj=self._s(item),
            transition="request_extension",
            note="涉及多个部门协调和资金安排，需延期办理。",
        )

    def _approve_extension(self, item: Item) -> None:
        apply_transition(
            actor=self.desk,
            obj=self._s(item),
            transition="approve_extension",
            note="同意延期，请在延长期限内答复代表。",
        )

    def _reply(self, item: Item, klass: str) -> None:
        services.reply_suggestion(
            actor=self.officers[item.topic.lead],
            suggestion=self._s(item),
            reply_class=klass,
            content=REPLIES[klass],
            signer="主要负责人",
        )

    def _rate(self, item: Item, rating: str) -> None:
        comment = {
            "dissatisfied": "答复过于笼统，未提出具体措施和时间安排。",
            "basic": "希望加快进度。",
        }.get(rating, "")
        services.rate_suggestion(
            actor=self._actor(item), suggestion=self._s(item), rating=rating, comment=comment
        )

    def _publish(self, item: Item) -> None:
        s = self._s(item)
        if s.allow_public:
            services.publish_suggestion(
                actor=self.desk,
                suggestion=s,
                title=s.title,
                content=services.redact(s.content),
                reply="\n".join(r.content for r in s.replies.all()),
            )
            self.created["公开建议"] += 1

    # --- the sitting and its motions ------------------------------------------------------

    def motions(self, plan: list[tuple[dt.datetime, int, Callable[[], None]]]) -> None:
        """The January sitting: motions filed with ten signers before the presidium's
        deadline, decided by the presidium; a converted motion is handled as a 建议."""
        start = self.sitting_start
        number = self.year - self.city_term.start_date.year + 1
        deadline = dt.datetime.combine(start + dt.timedelta(days=1), dt.time(17, 0), tzinfo=TZ)
        opening = dt.datetime.combine(start, dt.time(9, 30), tzinfo=TZ)

        def sitting() -> None:
            services.create_sitting(
                actor=self.desk,
                term=self.city_term,
                number=number,
                start_date=start,
                end_date=start + dt.timedelta(days=3),
                motion_deadline=deadline,
            )
            self.created["会议"] += 1

        plan.append((opening - dt.timedelta(days=14), 0, sitting))
        need = RULES.min_signers(self.city_term.level)
        demo = self.demo_deputy
        if demo is None or demo.user_id is None:
            return
        # The demo deputy and nine other deputies sign each other's motions online: the
        # deputies with accounts (seed_demo gives nine of them one), others get one here.
        online = [d for d in self.deputies if d.user_id is not None and d.pk != demo.pk]
        offline = [d for d in self.deputies if d.user_id is None]
        self.motion_group = [demo, *(online + offline)[: need - 1]]
        for n, (title, cause, decision, lead_unit, co_units) in enumerate(MOTIONS):
            topic = Topic("environment" if n < 2 else "urban", title, cause, lead_unit, co_units)
            item = Item(-1 - n, "closed", topic, "", self.motion_group[n], False)
            filed = opening + dt.timedelta(hours=2 + 2 * n)
            decided = dt.datetime.combine(start + dt.timedelta(days=2), dt.time(15, n), tzinfo=TZ)
            plan.append((filed, 0, partial(self._file_motion, item)))
            plan.append((decided, 1, partial(self._decide, item, decision)))
            if decision == "convert":
                item.steps.append((self._later(decided, 3, 5), partial(self._register, item)))
                self._plan_handling(item, _moment(workdays.add_workdays(start, 12), self.rng))
                plan += [(at, k, step) for k, (at, step) in enumerate(item.steps)]

    def _file_motion(self, item: Item) -> None:
        users = [self._deputy_account(d, n) for n, d in enumerate(self.motion_group, start=1)]
        lead, author = item.deputy, users[self.motion_group.index(item.deputy)]
        motion = services.create_motion(
            actor=author,
            deputy=lead,
            title=item.topic.title,
            cause=item.topic.content,
            basis="依据《中华人民共和国地方各级人民代表大会和地方各级人民政府组织法》及有关法律法规。",
            plan="建议由市人大常委会作出决定或由市人民政府制定具体办法，明确部门职责和监管措施。",
        )
        for deputy, user in zip(self.motion_group, users, strict=True):
            if deputy.pk != lead.pk:
                signature = services.invite_cosigner(actor=author, subject=motion, deputy=deputy)
                services.respond_signature(actor=user, signature=signature, accept=True)
        services.submit_motion(actor=author, motion=motion)
        item.pk = motion.pk  # the motion, until the presidium converts it into a suggestion
        self.created["议案"] += 1

    def _decide(self, item: Item, decision: str) -> None:
        assert item.pk is not None
        motion = Motion.objects.get(pk=item.pk)
        committee = Organization.objects.filter(code="RD-HZW").first()
        if decision == "place_on_agenda" and committee is not None:
            services.decide_motion(
                actor=self.desk,
                motion=motion,
                decision="refer",
                committee=committee,
                note="主席团第二次会议决定交环境与资源保护委员会审议",
            )
        services.decide_motion(
            actor=self.desk,
            motion=Motion.objects.get(pk=item.pk),
            decision=decision,
            note=MOTION_REFUSAL if decision == "refuse" else "主席团第三次会议决定",
        )
        if decision == "convert":
            item.pk = Suggestion.objects.get(motion_id=motion.pk).pk

    # --- score rules and the paper archive ------------------------------------------------

    def score_rules(self) -> None:
        if ScoreRule.objects.exists():
            return
        for kind, (points, cap) in DEFAULT_RULES.items():
            create_score_rule(
                actor=self.desk,
                kind=kind,
                points=Decimal(points),
                yearly_cap=Decimal(cap) if cap else None,
                valid_from=self.city_term.start_date,
                note="冷水江市人大代表履职积分办法（演示）",
            )
            self.created["积分规则"] += 1

    def duty_records(self) -> None:
        """Historical records from the paper archive (入档), a few per deputy."""
        kinds = (
            "meeting_attendance",
            "inspection",
            "research",
            "training",
            "group_activity",
            "station_duty",
        )
        titles = {
            "meeting_attendance": "出席市人大常委会会议",
            "inspection": "视察城区道路建设",
            "research": "参加农村饮水安全专题调研",
            "training": "参加代表履职培训班",
            "group_activity": "参加代表小组活动",
            "station_duty": "进站接待选民",
        }
        for i, deputy in enumerate(self.deputies[:80]):
            for j in range(1 + i % 4):
                kind = kinds[(i + j) % len(kinds)]
                record_duty(
                    actor=self.desk,
                    deputy=deputy,
                    kind=kind,
                    occurred_on=self.today - dt.timedelta(days=7 * (i % 20) + 30 * j + 1),
                    title=titles[kind],
                )
                self.created["履职记录"] += 1


def load_demo_suggestions(*, actor: User | None = None) -> dict[str, int]:
    with transaction.atomic():
        return DemoLoader(actor).run()
