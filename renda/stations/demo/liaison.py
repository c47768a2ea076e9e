"""Demo data for 双联 (issue 15 item 3): every standing-committee member linked to the city
deputies of one or two delegations, every serving deputy's constituents (some below the
minimum), and contacts over this quarter and the last (some links left without one, so the
coverage page has something to show). Through the services, actor None (the system).

Idempotent: if any link or constituent exists it does nothing. Deterministic (fixed seed).
Call after the deputies and stations demo: ``seed_liaison(actor=None)``."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core.roles import Role
from renda.deputies.models import Deputy

from ..models import Constituent, LiaisonContact, SCLiaison
from ..selectors.liaison import Quarter
from ..services import liaison

SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗"
GIVEN = [
    "建国",
    "秀英",
    "志强",
    "桂兰",
    "春生",
    "玉梅",
    "国庆",
    "冬梅",
    "海波",
    "丽华",
    "德明",
    "小红",
]
COMMUNITIES = ["城东社区", "城西社区", "锑都社区", "禾青村", "三尖村", "铎山村", "渣渡村", "金竹村"]
RAISED = [
    "村里到镇上的公交车一天只有两班，老人看病很不方便，希望增加班次。",
    "小区雨污管网老化，一下大雨就倒灌，希望尽快改造。",
    "学校门口上下学时段车辆乱停，存在安全隐患，希望设置临时停车区。",
    "农村饮水工程水压不足，高处几户常年停水，希望加装增压设备。",
    "",
]


def _day_in(rng: random.Random, quarter: Quarter, today: dt.date) -> dt.date:
    last = min(quarter.end, today)
    span = (last - quarter.start).days
    return quarter.start + dt.timedelta(days=rng.randint(0, max(span, 0)))


@transaction.atomic
def seed_liaison(*, actor: User | None = None, today: dt.date | None = None) -> dict[str, int]:
    if SCLiaison.objects.exists() or Constituent.objects.exists():
        return {}
    rng = random.Random(2027)
    today = today or timezone.localdate()
    quarters = [Quarter.of(today), Quarter.of(today).previous]
    deputies = list(
        Deputy.objects.filter(status=Deputy.Status.ACTIVE, term__is_current=True)
        .select_related("term", "delegation")
        .order_by("pk")
    )
    city = [d for d in deputies if d.term.level == "city"] or deputies
    members = list(User.objects.filter(role=Role.SC_MEMBER, is_active=True).order_by("pk"))
    links: list[SCLiaison] = []
    for i, member in enumerate(members):
        # About eight deputies each, in turn, so that every city deputy has a member.
        chosen = city[i * 8 % max(len(city), 1) :][:8] if city else []
        if chosen:
            links += liaison.link_deputies(actor=actor, member=member, deputies=chosen)
    for link in links:
        for quarter in quarters:
            if rng.random() < 0.7 and quarter.start <= today:
                liaison.log_sc_contact(
                    actor=actor,
                    link=link,
                    contacted_on=_day_in(rng, quarter, today),
                    way=rng.choice(["visit", "phone", "forum", "wechat"]),
                    raised=rng.choice(RAISED),
                )
    serial = 0
    for deputy in deputies:
        people = []
        for _ in range(rng.choice([3, 4, 5, 5, 6, 7, 8])):
            serial += 1
            people.append(
                liaison.add_constituent(
                    actor=actor,
                    deputy=deputy,
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    phone=f"1357{serial:07d}",
                    community=rng.choice(COMMUNITIES),
                )
            )
        for quarter in quarters:
            met = [p for p in people if rng.random() < 0.6]
            if met and quarter.start <= today:
                liaison.log_constituent_contact(
                    actor=actor,
                    deputy=deputy,
                    contacted_on=_day_in(rng, quarter, today),
                    way=rng.choice(["visit", "forum", "phone", "reception"]),
                    constituents=met,
                    raised=rng.choice(RAISED),
                )
    return {
        "links": len(links),
        "constituents": serial,
        "contacts": LiaisonContact.objects.count(),
    }
