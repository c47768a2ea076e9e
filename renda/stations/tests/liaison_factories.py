"""Test data for 双联, built through the services."""

from __future__ import annotations

import itertools
from typing import Any

from renda.accounts import services as account_services
from renda.accounts.models import User
from renda.conftest import PASSWORD, confirm_totp
from renda.core.roles import Role
from renda.deputies.models import Deputy
from renda.deputies.services import update_deputy
from renda.deputies.tests.factories import make_deputy, make_id_number
from renda.stations.models.liaison import Constituent

_serial = itertools.count(500)


def a_deputy(world: Any, **fields: Any) -> Deputy:
    n = next(_serial)
    return make_deputy(
        world,
        name=fields.pop("name", f"联系代表{n}"),
        id_number=make_id_number(serial=n),
        mobile=f"1365555{n:04d}",
        **fields,
    )


def the_deputy_persona(world: Any) -> Deputy:
    """The deputy record behind the `deputy` persona's account."""
    existing = Deputy.objects.filter(user=world.deputy).first()
    if existing:
        return existing
    deputy = a_deputy(world, name="李代表")
    return update_deputy(actor=None, deputy=deputy, user=world.deputy)


def another_sc_member(world: Any, username: str = "sc_other") -> User:
    user = account_services.create_user(
        actor=None,
        username=username,
        name="王委员",
        role=Role.SC_MEMBER,
        password=PASSWORD,
        organization=world.office,
        mobile=f"1377777{next(_serial):04d}",
        must_change_password=False,
    )
    confirm_totp(user)
    return user


def a_constituent(world: Any, deputy: Deputy, **fields: Any) -> Constituent:
    from renda.stations.services import liaison

    n = next(_serial)
    return liaison.add_constituent(
        actor=None,
        deputy=deputy,
        name=fields.pop("name", f"群众{n}"),
        phone=fields.pop("phone", f"1351234{n:04d}"),
        community=fields.pop("community", "城东社区"),
        **fields,
    )
