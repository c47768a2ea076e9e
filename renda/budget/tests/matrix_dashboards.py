"""Permission matrix of the dashboards, the big screen and the public budget page."""

from __future__ import annotations

from typing import Any

from renda.core.tests.matrix_support import Entry, everyone, expect

READERS = ["staff", "sc_member"]


def a_unit(world: Any) -> list[int]:
    from renda.budget.tests.world_data import make_unit

    return [make_unit(world).pk]


def a_class(world: Any) -> list[str]:
    from renda.budget.tests.world_data import make_unit

    make_unit(world)  # a year with units, so the class page has a treasury to show
    return ["205"]


MATRIX = {
    "budget:dashboard": Entry(expect(READERS)),
    "budget:dashboard_function": Entry(expect(READERS), args=a_class),
    "budget:dashboard_unit": Entry(expect(READERS), args=a_unit),
    "budget:bigscreen": Entry(expect(READERS)),
    "budget:bigscreen_data": Entry(expect(READERS)),
    # 人大之家 预算公开: everybody, logged in or not.
    "portal:budget": Entry(everyone()),
}
