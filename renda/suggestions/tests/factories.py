"""Test data for suggestions, built through the services (never with .create on our models)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from renda.accounts import services as account_services
from renda.accounts.models import User
from renda.conftest import PASSWORD
from renda.core.models import Organization
from renda.core.roles import Role
from renda.deputies.models import Deputy, Term
from renda.deputies.tests.factories import make_deputy, make_term
from renda.meetings.models import Meeting
from renda.suggestions import services
from renda.suggestions.models import Motion, Suggestion

NAMES = "王海李强张敏刘洋陈静杨帆黄磊赵刚吴军周平徐亮孙丽"


@dataclass
class Scene:
    term: Term
    me: Deputy  # linked to the `deputy` persona
    others: list[Deputy]
    unit: Organization  # the `handling_officer` persona's unit (住建局)
    other_unit: Organization  # 交通运输局, with its own officer
    other_officer: User
    world: Any


def make_unit(world: Any, code: str, name: str) -> Organization:
    return Organization.objects.create(
        name=name,
        code=code,
        kind=Organization.Kind.GOVERNMENT_DEPARTMENT,
        region=world.county,
        is_handling_unit=True,
    )


def make_officer(unit: Organization, username: str) -> User:
    return account_services.create_user(
        actor=None,
        username=username,
        name=f"{unit.name}经办人",
        role=Role.HANDLING_OFFICER,
        password=PASSWORD,
        organization=unit,
        must_change_password=False,
    )


def scene(world: Any, *, others: int = 3) -> Scene:
    term = make_term(world)
    me = make_deputy(world, name="张建国", user=world.deputy)
    rest = []
    for i in range(others):
        name = NAMES[2 * i % len(NAMES)] + NAMES[(2 * i + 1) % len(NAMES)]
        user = account_services.create_user(
            actor=None,
            username=f"deputy{i}",
            name=name,
            role=Role.DEPUTY,
            password=PASSWORD,
            must_change_password=False,
        )
        rest.append(make_deputy(world, name=name, mobile="", user=user))
    other_unit = make_unit(world, "JTJ", "冷水江市交通运输局")
    return Scene(
        term, me, rest, world.department, other_unit, make_officer(other_unit, "jtj_officer"), world
    )


def draft(
    sc: Scene,
    *,
    title: str = "关于改造冷水江街道老旧小区排水管网的建议",
    content: str = "",
    **kw: Any,
) -> Suggestion:
    return services.create_suggestion(
        actor=sc.world.deputy,
        deputy=sc.me,
        title=title,
        content=content
        or "冷水江街道多个老旧小区排水管网老化，雨季积水严重，建议列入改造计划并尽快实施。",
        **kw,
    )


def submitted(sc: Scene, **kw: Any) -> Suggestion:
    s = draft(sc, **kw)
    return services.submit_suggestion(actor=sc.world.deputy, suggestion=s)


def registered(sc: Scene, **kw: Any) -> Suggestion:
    s = submitted(sc, **kw)
    return services.register_suggestion(actor=sc.world.staff, suggestion=s, field="urban")


def assigned(sc: Scene, *, co: bool = False, **kw: Any) -> Suggestion:
    s = registered(sc, **kw)
    return services.assign_suggestion(
        actor=sc.world.staff,
        suggestion=s,
        mode="lead",
        lead_unit=sc.unit,
        co_units=[sc.other_unit] if co else [],
    )


def replied(sc: Scene, *, reply_class: str = "A", **kw: Any) -> Suggestion:
    s = assigned(sc, **kw)
    services.reply_suggestion(
        actor=sc.world.handling_officer,
        suggestion=s,
        reply_class=reply_class,
        content="经研究，已将该小区排水管网改造列入今年城建计划，预计年底前完工。",
        signer="刘局长",
    )
    s.refresh_from_db()
    return s


def open_sitting(sc: Scene, *, deadline_hours: int = 48) -> Meeting:
    today = timezone.localdate()
    return services.create_sitting(
        actor=sc.world.staff,
        term=sc.term,
        number=3,
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=3),
        motion_deadline=timezone.now() + dt.timedelta(hours=deadline_hours),
    )


def motion_with_signers(sc: Scene, confirmed: int) -> Motion:
    """A draft motion with `confirmed` confirmed co-signers (lead not counted)."""
    motion = services.create_motion(
        actor=sc.world.deputy,
        deputy=sc.me,
        title="关于制定城区扬尘污染防治规定的议案",
        cause="城区扬尘污染严重。",
        basis="大气污染防治法相关规定。",
        plan="制定本市扬尘污染防治规定。",
    )
    for deputy in sc.others[:confirmed]:
        signature = services.invite_cosigner(actor=sc.world.deputy, subject=motion, deputy=deputy)
        services.respond_signature(actor=deputy.user, signature=signature, accept=True)
    return motion
