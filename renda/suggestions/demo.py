"""Demo data for the 代表履职服务 module, created through the services: a past sitting with a
few motions, ~100 suggestions in every state, ratings, public items, score rules and duty
records. Called by `seed_demo` (`load_demo_suggestions(actor=None)`); idempotent — it does
nothing once any suggestion exists.

Most demo deputies have no log-in account, so their items are paper submissions entered by
the demo staff member, and their ratings are paper 征询意见表 entered by staff (both real
paths). The `deputy` demo account submits and rates its own items online.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from renda.accounts import services as account_services
from renda.accounts.models import User
from renda.core.models import Organization
from renda.core.roles import Role
from renda.core.workflow import apply_transition
from renda.deputies.models import Deputy, ScoreRule, Term
from renda.deputies.services import create_score_rule, record_duty

from . import services
from .models import Suggestion
from .rules import RULES

SEED = 20260318
UNITS = ("ZF-ZJJ", "ZF-JTJ", "ZF-JYJ", "ZF-WJJ", "ZF-NYNCJ", "ZF-CGJ", "ZF-SLJ", "ZF-RSJ")
TOPICS: tuple[tuple[str, str, str], ...] = (
    (
        "urban",
        "关于改造{place}老旧小区排水管网的建议",
        "{place}多个老旧小区排水管网建于上世纪九十年代，管径偏小、破损严重，雨季积水，群众出行困难。建议列入城市更新计划，分批改造。",
    ),
    (
        "urban",
        "关于在{place}增设停车位的建议",
        "{place}商业区停车位严重不足，车辆占道停放，影响通行和消防安全。建议利用闲置地块建设公共停车场。",
    ),
    (
        "transport",
        "关于修缮{place}通村公路的建议",
        "{place}部分通村公路路面破损、坑洼不平，雨天泥泞，群众出行和农产品运输不便。建议安排资金修缮。",
    ),
    (
        "transport",
        "关于增开{place}至市区公交线路的建议",
        "{place}到市区的公交班次少、末班车早，学生和务工人员出行不便。建议增开班次、延长运营时间。",
    ),
    (
        "education",
        "关于改善{place}中小学校园周边交通安全的建议",
        "{place}学校门口上下学时段车流量大，缺少信号灯和护学岗，存在安全隐患。建议增设交通设施。",
    ),
    (
        "education",
        "关于解决{place}农村学校教师不足的建议",
        "{place}农村学校教师年龄老化，音体美教师紧缺。建议加大招聘和轮岗交流力度。",
    ),
    (
        "health",
        "关于提升{place}卫生院服务能力的建议",
        "{place}卫生院设备陈旧、专业人员少，群众小病也要往市区跑。建议更新设备、引进人才。",
    ),
    (
        "agriculture",
        "关于加强{place}农田水利设施建设的建议",
        "{place}部分山塘渠道淤塞、年久失修，灌溉困难。建议纳入高标准农田建设项目。",
    ),
    (
        "environment",
        "关于治理{place}河道污染的建议",
        "{place}河段有生活污水直排和垃圾堆放，水质变差。建议加强截污和日常保洁。",
    ),
    (
        "social",
        "关于完善{place}居家养老服务的建议",
        "{place}老年人口多，日间照料中心服务内容少。建议引入专业机构，增加助餐、助医服务。",
    ),
    (
        "economy",
        "关于支持{place}特色农产品品牌建设的建议",
        "{place}特色农产品品质好但知名度低。建议扶持品牌创建和电商销售。",
    ),
    (
        "law",
        "关于加强{place}电信诈骗防范宣传的建议",
        "{place}近年电信诈骗案件多发，老年人受骗较多。建议进村入户开展宣传。",
    ),
)
PLACES = (
    "冷水江街道",
    "锡矿山街道",
    "沙塘湾街道",
    "布溪街道",
    "禾青镇",
    "铎山镇",
    "金竹山镇",
    "渣渡镇",
    "三尖镇",
    "中连乡",
)
REPLIES = {
    "A": "经研究，该问题已解决。我局已安排专项资金完成整改，并于近日会同代表现场查看，群众反映良好。",
    "B": "我局高度重视，已将该事项列入今年工作计划，目前正在开展前期设计和资金筹措，预计年底前实施。",
    "C": "经调查，该事项确有必要，但受资金和规划条件限制，近期难以实施。我局已将其列入储备项目，条件具备后优先安排。",
    "D": "感谢代表的意见。该建议涉及的事项我局将在今后制定相关政策时研究参考。",
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
        self.units = [u for u in (Organization.objects.filter(code=c).first() for c in UNITS) if u]
        self.officers = {u.pk: self._officer(u) for u in self.units}
        self.deputies = list(
            Deputy.objects.filter(term=self.term, status=Deputy.Status.ACTIVE).select_related(
                "user"
            )[:80]
        )
        self.score_rules()
        self.motions()
        plan = (
            ["draft"] * 5
            + ["submitted"] * 8
            + ["registered"] * 10
            + ["assigned"] * 22
            + ["returned"] * 3
            + ["extension"] * 2
            + ["replied"] * 15
            + ["rehandling"] * 4
            + ["tracking"] * 8
            + ["closed"] * 17
            + ["merged"] * 3
            + ["withdrawn"] * 1
            + ["not_accepted"] * 2
        )
        for index, target in enumerate(plan):
            self.suggestion(index, target)
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

    def _author(self, index: int) -> tuple[Deputy, User, str]:
        """(deputy, actor, source): the demo deputy writes every fifth item online."""
        demo = self.demo_deputy
        if demo is not None and demo.user is not None and index % 5 == 0:
            return demo, demo.user, Suggestion.Source.ONLINE
        deputy = self.deputies[index % len(self.deputies)]
        return deputy, self.desk, Suggestion.Source.PAPER

    # --- items -------------------------------------------------------------------------

    def suggestion(self, index: int, target: str) -> Suggestion:
        """One item taken through the stages up to `target` (a state of the demo mix)."""
        # Withdrawal is the deputy's own act: the demo deputy withdraws one of his.
        deputy, actor, source = self._author(0 if target == "withdrawn" else index)
        s = self._draft(index, deputy, actor, source)
        if target == "draft" or self._intake(index, s, actor, target):
            return s
        lead, co = self._assign(index, s, target)
        if target == "assigned":
            return s
        officer = self.officers[lead.pk]
        klass = self._handle(index, s, officer, target)
        if klass is None or target == "replied":
            return s
        rater = actor if actor.role == Role.DEPUTY else self.desk
        if self._rate(index, s, rater, officer, klass, target):
            self._publish(s)
        return s

    def _draft(self, index: int, deputy: Deputy, actor: User, source: str) -> Suggestion:
        field, title, content = TOPICS[index % len(TOPICS)]
        place = PLACES[(index * 7) % len(PLACES)]
        cosigners = (
            [d for d in self.rng.sample(self.deputies, 2) if d.pk != deputy.pk]
            if index % 3 == 0
            else []
        )
        s = services.create_suggestion(
            actor=actor,
            deputy=deputy,
            title=title.format(place=place),
            content=content.format(place=place),
            allow_public=index % 11 != 0,
            channel=source,
            cosigners=cosigners if source == Suggestion.Source.PAPER else (),
        )
        self.created["代表建议"] += 1
        return s

    def _intake(self, index: int, s: Suggestion, actor: User, target: str) -> bool:
        """Submitted, then withdrawn, not accepted, registered or merged; True when `target`
        is reached here."""
        services.submit_suggestion(actor=actor, suggestion=s)
        if target == "submitted":
            return True
        if target == "withdrawn":
            if actor.role == Role.DEPUTY:
                apply_transition(
                    actor=actor, obj=s, transition="withdraw", note="已通过其他渠道解决"
                )
            return True
        if target == "not_accepted":
            apply_transition(
                actor=self.desk,
                obj=s,
                transition="reject",
                note="属于个人诉求，已引导通过信访渠道反映",
            )
            return True
        field = TOPICS[index % len(TOPICS)][0]
        services.register_suggestion(actor=self.desk, suggestion=s, field=field)
        if target == "merged":
            main = Suggestion.objects.filter(
                state__in=("assigned", "replied", "closed"), field=field
            ).first()
            if main is not None:
                services.merge_suggestion(actor=self.desk, suggestion=s, into=main)
        return target in ("registered", "merged")

    def _assign(
        self, index: int, s: Suggestion, target: str
    ) -> tuple[Organization, list[Organization]]:
        lead = self.units[index % len(self.units)]
        co = [self.units[(index + 3) % len(self.units)]] if index % 4 == 0 else []
        services.assign_suggestion(
            actor=self.desk, suggestion=s, mode="lead", lead_unit=lead, co_units=co
        )
        if index % 6 == 0:
            services.set_key_supervision(
                actor=self.desk, suggestion=s, is_key=True, reason="涉及民生重点问题"
            )
        if target == "assigned" and co and index % 8 == 0:
            services.submit_co_opinion(
                actor=self.officers[co[0].pk],
                suggestion=s,
                opinion="同意主办单位意见，我单位将配合做好相关工作。",
            )
        return lead, co

    def _handle(self, index: int, s: Suggestion, officer: User, target: str) -> str | None:
        """The unit returns it, asks for more time, or handles and answers it: the class of
        the answer, or None when it stops before answering."""
        if target == "returned":
            services.return_assignment(
                actor=officer, suggestion=s, reason="该事项不属于本单位职责，建议交由属地乡镇办理。"
            )
            return None
        if target == "extension":
            apply_transition(
                actor=officer,
                obj=s,
                transition="request_extension",
                note="涉及多个部门协调和资金安排，需延期办理。",
            )
            return None
        services.add_handling_note(
            actor=officer,
            suggestion=s,
            kind="contact",
            method="site",
            occurred_on=timezone.localdate(),
            content="与代表一同实地察看，听取代表和群众意见。",
        )
        klass = {"tracking": "B", "rehandling": "C"}.get(target, "ABCDA"[index % 5])
        services.reply_suggestion(
            actor=officer,
            suggestion=s,
            reply_class=klass,
            content=REPLIES[klass],
            signer="主要负责人",
        )
        return klass

    def _rate(
        self, index: int, s: Suggestion, rater: User, officer: User, klass: str, target: str
    ) -> bool:
        """The deputy's rating (a B or C answer is tracked, then answered again); True when
        the item may be published."""
        if target == "rehandling":
            services.rate_suggestion(
                actor=rater,
                suggestion=s,
                rating="dissatisfied",
                comment="答复过于笼统，未提出具体措施。",
            )
            return False
        if target == "tracking":
            services.rate_suggestion(
                actor=rater, suggestion=s, rating="basic", comment="希望加快进度。"
            )
            return True
        if klass in ("B", "C"):  # tracked first, then solved
            services.rate_suggestion(actor=rater, suggestion=s, rating="basic")
            services.reply_suggestion(
                actor=officer,
                suggestion=s,
                reply_class="A",
                content=REPLIES["A"],
                signer="主要负责人",
            )
        services.rate_suggestion(
            actor=rater, suggestion=s, rating="satisfied" if index % 3 else "basic"
        )
        return True

    def _publish(self, s: Suggestion) -> None:
        if s.allow_public:
            services.publish_suggestion(
                actor=self.desk,
                suggestion=s,
                title=s.title,
                content=services.redact(s.content),
                reply="\n".join(r.content for r in s.replies.all()),
            )
            self.created["公开建议"] += 1

    def motions(self) -> None:
        """A past sitting with three motions filed during it."""
        start = dt.date(timezone.localdate().year, 1, 6)
        sitting = services.create_sitting(
            actor=self.desk,
            term=self.city_term,
            number=5,
            start_date=start,
            end_date=start + dt.timedelta(days=3),
            motion_deadline=dt.datetime.combine(
                start + dt.timedelta(days=1), dt.time(17, 0), tzinfo=timezone.get_default_timezone()
            ),
        )
        when = dt.datetime.combine(start, dt.time(15, 0), tzinfo=timezone.get_default_timezone())
        need = RULES.min_signers(self.city_term.level)
        lead = self.demo_deputy or self.deputies[0]
        for number, (title, decision) in enumerate(
            (
                ("关于制定城区扬尘污染防治规定的议案", "place_on_agenda"),
                ("关于加强饮用水水源地保护的议案", "convert"),
                ("关于规范农村建房管理的议案", "refer"),
            ),
        ):
            signers = [d for d in self.deputies if d.pk != lead.pk][
                number * need : number * need + need - 1
            ]
            author = lead.user
            if author is None:
                return
            motion = services.create_motion(
                actor=author,
                deputy=lead,
                title=title,
                cause="该问题群众反映强烈，影响城区生态环境和群众健康。",
                basis="依据《中华人民共和国大气污染防治法》《中华人民共和国水污染防治法》等法律法规。",
                plan="建议由市人大常委会制定相关规定或作出决定，明确部门职责和监管措施。",
            )
            for deputy in signers:
                signature = services.invite_cosigner(actor=author, subject=motion, deputy=deputy)
                if deputy.user is not None:
                    services.respond_signature(actor=deputy.user, signature=signature, accept=True)
            if motion.signatures.filter(confirmed_at__isnull=False).count() < need:
                continue  # demo deputies without accounts cannot confirm: it stays a draft
            services.submit_motion(actor=author, motion=motion, now=when)
            committee = Organization.objects.filter(code="RD-HZW").first()
            services.decide_motion(
                actor=self.desk,
                motion=motion,
                decision=decision,
                committee=committee,
                note="主席团第二次会议决定",
            )
            self.created["议案"] += 1
        self.created["会议"] += 1 if sitting.pk else 0

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
        today = timezone.localdate()
        for i, deputy in enumerate(self.deputies):
            for j in range(1 + i % 4):
                kind = kinds[(i + j) % len(kinds)]
                record_duty(
                    actor=self.desk,
                    deputy=deputy,
                    kind=kind,
                    occurred_on=today - dt.timedelta(days=7 * (i % 20) + 30 * j),
                    title={
                        "meeting_attendance": "出席市人大常委会会议",
                        "inspection": "视察城区道路建设",
                        "research": "参加农村饮水安全专题调研",
                        "training": "参加代表履职培训班",
                        "group_activity": "参加代表小组活动",
                        "station_duty": "进站接待选民",
                    }[kind],
                )
                self.created["履职记录"] += 1


def load_demo_suggestions(*, actor: User | None = None) -> dict[str, int]:
    with transaction.atomic():
        return DemoLoader(actor).run()
