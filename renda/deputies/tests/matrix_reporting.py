"""Permission matrix of the 代表述职 and 代表小组活动 pages: staff arrange and record, SC
members read the staff pages, a deputy writes their own report and signs up on the phone."""

from __future__ import annotations

from typing import Any

from renda.core.tests.matrix_support import Entry, expect


def a_plan(world: Any) -> list[int]:
    from renda.deputies.tests.reporting_factories import make_plan

    return [make_plan(world).pk]


def own_assignment(world: Any) -> list[int]:
    from renda.deputies.tests.factories import make_deputy
    from renda.deputies.tests.reporting_factories import make_assignment

    return [make_assignment(world, deputy=make_deputy(world, user=world.deputy)).pk]


def own_record(world: Any) -> list[int]:
    from renda.deputies.tests.factories import make_deputy

    make_deputy(world, user=world.deputy)
    return []


def an_activity(world: Any) -> list[int]:
    """An activity to come with the deputy persona invited."""
    from renda.deputies.tests.factories import make_deputy
    from renda.deputies.tests.reporting_factories import make_activity

    deputy = make_deputy(world, user=world.deputy)
    return [make_activity(world, invitees=[deputy]).pk]


READERS = expect(["staff", "sc_member"])
STAFF_ONLY = expect(["staff"])

MATRIX = {
    "deputies:reporting_plans": Entry(READERS),
    "deputies:reporting_plan_create": Entry(STAFF_ONLY),
    "deputies:reporting_plan": Entry(READERS, args=a_plan),
    "deputies:reporting_assign": Entry(STAFF_ONLY, args=a_plan),
    "deputies:reporting_assignment": Entry(READERS, args=own_assignment),
    # The deputy's own report; an SC member reads it on the staff page but does not write it.
    "deputies:reporting_write": Entry(expect(["staff", "deputy"]), args=own_assignment),
    "deputies:reporting_evaluate": Entry(STAFF_ONLY, args=own_assignment),
    "deputies:reporting_mine": Entry(expect(["deputy"]), args=own_record),
    "deputies:activities": Entry(READERS),
    "deputies:activity_create": Entry(STAFF_ONLY),
    "deputies:activities_mine": Entry(expect(["deputy"]), args=own_record),
    "deputies:activity": Entry(expect(["staff", "sc_member", "deputy"]), args=an_activity),
    "deputies:activity_attendance": Entry(STAFF_ONLY, args=an_activity),
    "deputies:activity_sign_up": Entry(expect(["deputy"], ok=302), args=an_activity, method="post"),
    "deputies:activity_cancel": Entry(expect(["deputy"], ok=302), args=an_activity, method="post"),
}
