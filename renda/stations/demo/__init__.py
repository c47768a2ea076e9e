"""A year of station work for the demo data set (called by ``seed_demo``):

``load_demo_station_work(actor=None)`` fills the 20 demo stations with a plausible year —
reception days with deputies on duty (rotating, most attended, some upcoming ones announced),
550 constituents received, 322 opinions collected (from receptions, the web form and QR
codes) and followed to every state of the workflow, 120 problems solved — reproducing the
county's published figures (issue 4: received 550, collected 322, solved 120).

Everything is written through the services. Only the clock is simulated: each step runs with
``timezone.now()`` of the services and the workflow set to the day it "happened" (so due
dates, overdue flags and the timeline look like a real year), and the workflow event rows get
that day as their time. Audit rows keep the real time of loading (the audit log says when
things were written, and must not be back-dated).

Idempotent: if any reception exists it does nothing. Deterministic (fixed random seed).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from unittest import mock

from django.db import transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core.models import Organization, WorkflowEvent
from renda.deputies.models import Deputy

from .. import effects, services
from ..models import ChecklistItem, DutySlot, Opinion, Reception, Station
from ..rules import rules

RECEIVED = 550
COLLECTED = 322
SOLVED = 120
FROM_RECEPTIONS = 250  # of the 322; the rest came through the web form and QR codes
# Duty days planned per deputy, as a multiple of the yearly minimum.
MINIMUM_SHARE = 1.1

# What happens to the 322 opinions (sums to COLLECTED; the first two lines are the solved).
OUTCOMES: tuple[tuple[str, int], ...] = (
    ("solved_on_spot", 30),  # 当场答复, class A, rated
    ("solved_closed", 75),  # assigned, replied A, rated satisfied/basic → closed
    ("solved_awaiting", 15),  # replied A, not yet rated
    ("other_closed", 80),  # replied B/C/D, rated → closed
    ("other_awaiting", 30),  # replied B/C/D, not yet rated
    ("rejected", 25),  # 不予受理 with the right channel
    ("converted", 12),  # 转为代表建议
    ("reopened", 10),  # rated dissatisfied → re-handling
    ("assigned", 30),  # with the unit now (the oldest are overdue)
    ("submitted", 15),  # waiting for triage
)
IN_PROGRESS = ("submitted", "assigned")

MATTERS: dict[str, tuple[str, ...]] = {
    "construction": (
        "小区楼道灯长期不亮，老人晚上上下楼不安全，希望物业和社区尽快维修。",
        "老旧小区雨污管网堵塞，下雨天污水漫到路面，请求纳入改造计划。",
        "村里危桥年久失修，桥面开裂，村民和学生每天通行担惊受怕。",
    ),
    "transport": (
        "学校门口上下学时段车辆乱停乱放，建议设置临时停车区并安排交警疏导。",
        "通往镇上的公交车班次太少，早上七点前没有车，希望增加早班车。",
        "村道转弯处没有反光镜和减速带，已经发生过几次险情。",
    ),
    "environment": (
        "附近企业夜间排放刺鼻气体，居民晚上不敢开窗，请环保部门查处。",
        "河道两岸垃圾堆积，夏天气味很大，希望定期清理并增设垃圾桶。",
    ),
    "education": (
        "片区幼儿园学位紧张，适龄儿童报名困难，建议增加公办学位。",
        "乡村学校缺少英语和音乐老师，希望加强师资配置。",
    ),
    "health": (
        "村卫生室药品品种少，慢性病老人拿药要跑到镇上，希望增加常用药。",
        "社区医院周末不看门诊，希望安排周末值班医生。",
    ),
    "social": (
        "高龄津贴发放时间不固定，老人经常跑银行查询，希望按时发放并短信提醒。",
        "残疾人两项补贴申请材料太多，希望简化流程、就近办理。",
    ),
    "agriculture": (
        "灌溉水渠年久失修漏水严重，春耕用水紧张，请求修缮。",
        "希望镇里组织农技培训，帮助种植户提高油茶产量。",
    ),
    "economy": ("个体工商户办理营业执照变更来回跑，希望在镇便民服务中心能直接办理。",),
    "safety": ("夜市周边治安较乱，时有争吵斗殴，希望增加巡逻。",),
    "governance": ("不动产登记窗口排队时间长，希望增加窗口或开通网上预约。",),
    "other": ("希望在社区建一个老年人活动室，丰富老年人文化生活。",),
}
# The unit that handles each kind of matter (a school-gate traffic jam is the traffic
# police's; the rest of "transport" is the transport bureau's).
UNIT_FOR_CATEGORY = {
    "construction": "ZF-ZJJ",
    "transport": "ZF-JTJ",
    "environment": "ZF-STHJ",
    "education": "ZF-JYJ",
    "health": "ZF-WJJ",
    "social": "ZF-MZJ",
    "agriculture": "ZF-NYNCJ",
    "economy": "ZF-XZSPJ",
    "safety": "ZF-GAJ",
    "governance": "ZF-ZRZYJ",
    "other": "ZF-MZJ",
}
UNIT_FOR_MATTER = {
    MATTERS["transport"][0]: "ZF-GAJ",
    MATTERS["agriculture"][0]: "ZF-SLJ",
    MATTERS["social"][1]: "TT-CL",
}
REPLIES = {
    "A": "经现场核查，问题已于近日整改到位，后续将加强日常巡查维护。",
    "B": "该问题已列入今年整改计划，预计下季度完成，届时将再次告知。",
    "C": "受资金和规划条件限制，目前暂时难以解决，已记录在案并向上级争取支持。",
    "D": "感谢您的建议，相关情况已向主管部门通报，供决策参考。",
}
REJECT_NOTE = "该事项已进入诉讼程序，属于涉法涉诉事项，请通过法院或信访渠道依法反映。"


class _Clock:
    """Stands in for ``django.utils.timezone`` in the modules that read the time."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def now(self) -> dt.datetime:
        return self.moment

    def __getattr__(self, name: str) -> Any:
        return getattr(timezone, name)


@contextlib.contextmanager
def _at(moment: dt.datetime) -> Iterator[None]:
    """Run service calls as if it were ``moment``; their workflow events carry that time."""
    from renda.core import workflow

    from ..services import intake, opinions, ratings, receptions, rosters

    before = WorkflowEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    clock = _Clock(moment)
    with contextlib.ExitStack() as stack:
        for module in (workflow, effects, intake, opinions, ratings, receptions, rosters):
            stack.enter_context(mock.patch.object(module, "timezone", clock))
        yield
    WorkflowEvent.objects.filter(pk__gt=before).update(created_at=moment)


def demo_year(today: dt.date) -> tuple[int, dt.date, dt.date]:
    """The calendar year to fill, and its first and last day of activity (before today)."""
    year = today.year if today.timetuple().tm_yday > 60 else today.year - 1
    start = dt.date(year, 1, 1)
    end = min(dt.date(year, 12, 31), today - dt.timedelta(days=1))
    return year, start, end


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _first_friday(year: int, month: int) -> dt.date:
    day = dt.date(year, month, 1)
    return day + dt.timedelta(days=(4 - day.weekday()) % 7)


def load_demo_station_work(*, actor: User | None) -> dict[str, int]:
    """Create the demo year; returns counts of what was created."""
    if Reception.objects.exists():
        return {}
    stations = list(Station.objects.filter(is_active=True).select_related("region"))
    units = list(Organization.objects.filter(is_handling_unit=True, is_active=True))
    if not stations or not units:
        return {}
    rng = random.Random(2026)
    today = timezone.localdate()
    year, start, end = demo_year(today)
    created: dict[str, int] = {}
    # A year in the past is not news: no inbox messages or text messages while loading it.
    with (
        transaction.atomic(),
        mock.patch("renda.core.notifications.notify", lambda **kwargs: []),
        mock.patch.object(effects, "sms_constituent", lambda *args: None),
    ):
        _describe_stations(actor, stations, rng, year)
        past_slots = _rosters(actor, stations, rng, year, start, end, today, created)
        opinions = _receptions_and_opinions(actor, stations, past_slots, rng, start, end, created)
        _lifecycles(actor, opinions, units, rng, today, created)
    # The lifecycle tallies are keyed by plan name; the summary line speaks Chinese.
    handled = sum(n for label, n in created.items() if label.isascii())
    summary = {label: n for label, n in created.items() if not label.isascii()}
    summary["办理中或已办结的意见"] = handled
    return summary


def _describe_stations(
    actor: User | None, stations: list[Station], rng: random.Random, year: int
) -> None:
    """Coordinates (around Lengshuijiang, for the offline sketch map), head, phone, area,
    the checklist mostly met, and each station's annual plan."""
    regions = sorted({s.region.code for s in stations})
    for s in stations:
        index = regions.index(s.region.code)
        lat = (
            Decimal("27.60")
            + Decimal(index % 4) * Decimal("0.05")
            + Decimal(rng.randint(0, 200)) / 10000
        )
        lon = (
            Decimal("111.35")
            + Decimal(index // 4) * Decimal("0.07")
            + Decimal(rng.randint(0, 200)) / 10000
        )
        is_station = s.kind == Station.Kind.STATION
        services.update_station(
            actor=actor,
            station=s,
            latitude=lat.quantize(Decimal("0.000001")),
            longitude=lon.quantize(Decimal("0.000001")),
            area_m2=rng.randint(110, 260) if is_station else rng.randint(40, 90),
            head_name=s.head_name
            or ("人大主席" if s.region.level == "township" else "人大工委主任"),
            phone=s.phone or f"0738-52{rng.randint(10000, 99999)}",
        )
        for item in ChecklistItem.objects.filter(station=s):
            status = (
                ChecklistItem.Status.DONE
                if rng.random() < (0.9 if is_station else 0.6)
                else (ChecklistItem.Status.DOING)
            )
            services.update_checklist_item(
                actor=actor,
                item=item,
                status=status,
                note=f"{item.get_item_display()}：按标准建设。",
            )
        services.save_annual_plan(
            actor=actor,
            station=s,
            year=year,
            reception_days=12,
            content=(
                "一、每月固定接待日组织代表进站接待群众；\n二、每季度开展一次代表小组活动；\n"
                "三、群众意见10日内梳理交办，跟踪办理并及时反馈；\n四、年底开展代表述职和群众评议。"
            ),
        )


def _rosters(
    actor: User | None,
    stations: list[Station],
    rng: random.Random,
    year: int,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    created: dict[str, int],
) -> list[DutySlot]:
    past: list[DutySlot] = []
    for s in stations:
        if not Deputy.objects.filter(
            station_member__station=s, status=Deputy.Status.ACTIVE
        ).exists():
            continue
        is_station = s.kind == Station.Kind.STATION
        months = range(1, 13)
        if is_station:
            days = services.fixed_reception_days(year, days_of_month=[15], months=months)
        else:
            days = [_first_friday(year, m) for m in months]
        # This year's days so far, and the next two announced ones (next year's if need be).
        upcoming = [d for d in days if d >= today + dt.timedelta(days=3)][:2]
        if len(upcoming) < 2:
            nxt = (
                services.fixed_reception_days(year + 1, days_of_month=[15], months=[1, 2])
                if is_station
                else [_first_friday(year + 1, 1), _first_friday(year + 1, 2)]
            )
            upcoming += nxt[: 2 - len(upcoming)]
        held = [d for d in days if start <= d <= end]
        dates = held + upcoming
        # Enough deputies a day for each to be on duty a little over the yearly minimum
        # (a few miss their day, so most but not all reach it, as in a working county).
        members = Deputy.objects.filter(
            station_member__station=s, status=Deputy.Status.ACTIVE
        ).count()
        per_slot = max(
            3 if is_station else 2,
            math.ceil(MINIMUM_SHARE * rules().min_duty_days * members / max(1, len(held))),
        )
        slots = services.plan_rotation(
            actor=actor,
            station=s,
            dates=dates,
            start_time=dt.time(9, 0),
            end_time=dt.time(12, 0) if is_station else dt.time(11, 30),
            per_slot=per_slot,
            topic="代表接待日",
        )
        for slot in slots:
            services.publish_slot(actor=actor, slot=slot, today=slot.date - dt.timedelta(days=5))
            if slot.date > end:
                continue
            past.append(slot)
            for assignment in slot.assignments.select_related("slot", "slot__station", "deputy"):
                if rng.random() < 0.92:  # a few deputies miss their day
                    services.confirm_attendance(actor=actor, assignment=assignment)
        created["接待日"] = created.get("接待日", 0) + len(slots)
    return past


def _pick_matter(rng: random.Random) -> tuple[str, str]:
    category = rng.choice(list(MATTERS))
    return category, rng.choice(MATTERS[category])


def _receptions_and_opinions(
    actor: User | None,
    stations: list[Station],
    slots: list[DutySlot],
    rng: random.Random,
    start: dt.date,
    end: dt.date,
    created: dict[str, int],
) -> list[Opinion]:
    if not slots:
        return []
    as_opinion = set(rng.sample(range(RECEIVED), FROM_RECEPTIONS))
    codes: dict[int, str] = {}  # pk → the 评价码 the constituent was given
    for i in range(RECEIVED):
        slot = slots[i % len(slots)] if i < len(slots) else rng.choice(slots)
        deputies = [a.deputy for a in slot.assignments.select_related("deputy")]
        category, matter = _pick_matter(rng)
        reception = services.record_reception(
            actor=actor,
            station=slot.station,
            slot=slot,
            deputy=rng.choice(deputies) if deputies else None,
            received_at=_aware(slot.date, 9 + rng.randint(0, 2), rng.randint(0, 59)),
            matter=matter,
            category=category,
            constituent_name=rng.choice(["", "", "刘女士", "王师傅", "张大爷", "李先生"]),
            constituent_phone=f"13{rng.randint(500000000, 999999999)}"
            if rng.random() < 0.6
            else "",
            as_opinion=i in as_opinion,
        )
        if i in as_opinion:
            codes[reception.opinion.pk] = reception.opinion.rating_code
    span = (end - start).days or 1
    for i in range(COLLECTED - FROM_RECEPTIONS):
        station = rng.choice(stations)
        category, matter = _pick_matter(rng)
        day = start + dt.timedelta(days=rng.randint(0, span))
        opinion, _ = services.submit_opinion(
            actor=None,
            station=station if i % 5 else None,
            source=Opinion.Source.QR if i % 2 else Opinion.Source.WEB,
            category=category,
            content=matter,
            contact_phone=f"15{rng.randint(100000000, 999999999)}" if rng.random() < 0.7 else "",
            created_at=_aware(day, 8 + rng.randint(0, 12), rng.randint(0, 59)),
        )
        codes[opinion.pk] = opinion.rating_code
    created["接待群众"] = RECEIVED
    created["社情民意"] = COLLECTED
    opinions = list(Opinion.objects.filter(pk__in=codes).order_by("created_at", "pk"))
    for opinion in opinions:
        opinion.rating_code = codes[opinion.pk]
    return opinions


def _step(moment: dt.datetime, fn: Callable[[], Any]) -> None:
    with _at(moment):
        fn()


def _lifecycles(
    actor: User | None,
    opinions: list[Opinion],
    units: list[Organization],
    rng: random.Random,
    today: dt.date,
    created: dict[str, int],
) -> None:
    """Give each opinion its outcome: the newest are still in progress, the rest finished;
    the on-the-spot answers go to opinions raised at a reception."""
    counts = dict(OUTCOMES)
    n_progress = sum(counts[name] for name in IN_PROGRESS)
    finished, newest = (
        opinions[: len(opinions) - n_progress],
        opinions[len(opinions) - n_progress :],
    )
    plan: dict[int, str] = {}
    # Newest first: waiting for triage, then with the unit.
    for opinion, name in zip(
        reversed(newest),
        ["submitted"] * counts["submitted"] + ["assigned"] * counts["assigned"],
        strict=False,
    ):
        plan[opinion.pk] = name
    at_reception = [o for o in finished if o.source == Opinion.Source.RECEPTION]
    for opinion in rng.sample(at_reception, min(counts["solved_on_spot"], len(at_reception))):
        plan[opinion.pk] = "solved_on_spot"
    rest = [
        name
        for name, n in OUTCOMES
        if name not in IN_PROGRESS and name != "solved_on_spot"
        for _ in range(n)
    ]
    rest += ["solved_on_spot"] * (counts["solved_on_spot"] - len(at_reception))
    rng.shuffle(rest)
    for opinion in finished:
        if opinion.pk not in plan and rest:
            plan[opinion.pk] = rest.pop()
    now = timezone.now()
    for opinion in opinions:
        outcome = plan.get(opinion.pk, "submitted")
        _run(actor, opinion, outcome, units, rng, now)
        created[outcome] = created.get(outcome, 0) + 1


def _run(
    actor: User | None,
    opinion: Opinion,
    outcome: str,
    units: list[Organization],
    rng: random.Random,
    now: dt.datetime,
) -> None:
    t = opinion.created_at

    def later(days_low: int, days_high: int) -> dt.datetime:
        nonlocal t
        t = min(
            t + dt.timedelta(days=rng.randint(days_low, days_high), hours=rng.randint(1, 6)), now
        )
        return t

    if outcome == "submitted":
        return
    if outcome in STATION_OUTCOMES:
        _run_at_station(actor, opinion, outcome, later, rng)
    else:
        _run_with_unit(actor, opinion, outcome, later, units, rng)


STATION_OUTCOMES = ("solved_on_spot", "rejected", "converted")


def _run_at_station(
    actor: User | None,
    opinion: Opinion,
    outcome: str,
    later: Callable[[int, int], dt.datetime],
    rng: random.Random,
) -> None:
    """The outcomes the station settles itself: answered on the spot, rejected, converted."""
    if outcome == "solved_on_spot":
        _step(
            later(0, 0),
            lambda: services.answer_opinion(
                actor=actor,
                opinion=opinion,
                reply="值班代表当场联系社区，问题已现场解决。",
                reply_class="A",
            ),
        )
        _rate(actor, opinion, later(1, 5), rng.choice(["satisfied", "satisfied", "basic"]))
    elif outcome == "rejected":
        _step(
            later(1, 4),
            lambda: services.take_step(
                actor=actor,
                opinion=opinion,
                transition="reject",
                note=REJECT_NOTE,
                expected_state=None,
            ),
        )
    else:
        deputy = (
            Deputy.objects.filter(
                station_member__station=opinion.station, status=Deputy.Status.ACTIVE
            ).first()
            if opinion.station_id
            else None
        ) or Deputy.objects.filter(status=Deputy.Status.ACTIVE, term__level="city").first()
        if deputy is not None:
            _step(
                later(2, 8),
                lambda: services.convert_opinion(actor=actor, opinion=opinion, deputy=deputy),
            )


def _run_with_unit(
    actor: User | None,
    opinion: Opinion,
    outcome: str,
    later: Callable[[int, int], dt.datetime],
    units: list[Organization],
    rng: random.Random,
) -> None:
    """Assigned to the unit that handles the matter, which replies; then the constituent
    may rate."""
    code = UNIT_FOR_MATTER.get(opinion.content) or UNIT_FOR_CATEGORY.get(opinion.category, "")
    unit = next((u for u in units if u.code == code), None) or rng.choice(units)
    complex_case = rng.random() < 0.2
    _step(
        later(1, 8),
        lambda: services.assign_opinion(
            actor=actor, opinion=opinion, unit=unit, is_complex=complex_case
        ),
    )
    if outcome == "assigned":
        return
    reply_class = (
        "A" if outcome.startswith("solved") or outcome == "reopened" else rng.choice("BBCD")
    )
    _step(
        later(1, 9 if complex_case else 6),
        lambda: services.reply_opinion(
            actor=actor, opinion=opinion, reply=REPLIES[reply_class], reply_class=reply_class
        ),
    )
    if outcome in ("solved_awaiting", "other_awaiting"):
        return
    if outcome == "reopened":
        _rate(actor, opinion, later(1, 6), "dissatisfied")
        return
    _rate(actor, opinion, later(1, 10), rng.choice(["satisfied", "satisfied", "basic"]))


def _rate(actor: User | None, opinion: Opinion, moment: dt.datetime, rating: str) -> None:
    comment = "问题没有真正解决，希望再跟进。" if rating == "dissatisfied" else ""
    # A station's 回访 when the demo runs as a staff member; otherwise the constituent rates
    # online with the 评价码 the submission gave them.
    _step(
        moment,
        lambda: services.rate_opinion(
            actor=actor,
            opinion=opinion,
            rating=rating,
            comment=comment,
            rating_code=opinion.rating_code,
        ),
    )
