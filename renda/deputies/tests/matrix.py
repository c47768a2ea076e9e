from __future__ import annotations

from typing import Any

from renda.core.tests.matrix_support import Entry, expect


def a_deputy(world: Any) -> list[int]:
    from renda.deputies.tests.factories import make_deputy

    return [make_deputy(world).pk]


def own_deputy(world: Any) -> list[int]:
    from renda.deputies.tests.factories import make_deputy

    return [make_deputy(world, user=world.deputy).pk]


MATRIX = {
    "deputies:list": Entry(expect(["staff", "sc_member"])),
    "deputies:export": Entry(expect(["staff", "sc_member"])),
    # Another deputy's record: staff and SC members only; a deputy gets 404, not a hint.
    "deputies:detail": Entry({**expect(["staff", "sc_member"]), "deputy": 404}, args=a_deputy),
}
