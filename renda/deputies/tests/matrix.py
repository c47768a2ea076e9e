from __future__ import annotations

from typing import Any

from renda.core.tests.matrix_support import Entry, expect


def a_deputy(world: Any) -> list[int]:
    from renda.deputies.tests.factories import make_deputy

    return [make_deputy(world).pk]


def own_deputy(world: Any) -> list[int]:
    from renda.deputies.tests.factories import make_deputy

    return [make_deputy(world, user=world.deputy).pk]


def own_record(world: Any) -> list[int]:
    """`deputies:me` has no URL arguments, but the deputy persona needs a record to see."""
    own_deputy(world)
    return []


def a_membership(world: Any) -> list[int]:
    import datetime as dt

    from renda.deputies import services
    from renda.deputies.tests.factories import make_deputy

    deputy = make_deputy(world)
    membership = services.add_membership(
        actor=None,
        deputy=deputy,
        organization=world.congress,
        role="成员",
        start_date=dt.date(2022, 1, 1),
    )
    return [deputy.pk, membership.pk]


def own_report(world: Any) -> list[int]:
    import datetime as dt

    return [own_deputy(world)[0], dt.date.today().year]


# Staff change the registry; SC members read it (and get 403 on every change); a deputy
# reads only their own record.
STAFF_ONLY = expect(["staff"])

MATRIX = {
    "deputies:list": Entry(expect(["staff", "sc_member"])),
    "deputies:export": Entry(expect(["staff", "sc_member"])),
    # Another deputy's record: staff and SC members only; a deputy gets 404, not a hint.
    "deputies:detail": Entry({**expect(["staff", "sc_member"]), "deputy": 404}, args=a_deputy),
    "deputies:create": Entry(STAFF_ONLY),
    "deputies:edit": Entry(STAFF_ONLY, args=a_deputy),
    "deputies:end": Entry(STAFF_ONLY, args=a_deputy),
    "deputies:membership_add": Entry(STAFF_ONLY, args=a_deputy),
    "deputies:account_create": Entry(expect(["staff"], ok=302), args=a_deputy, method="post"),
    "deputies:accounts_issue": Entry(STAFF_ONLY),
    "deputies:membership_end": Entry(STAFF_ONLY, args=a_membership),
    "deputies:me": Entry(expect(["deputy"]), args=own_record),
    # duty records and scores (under /suggestions/duty/)
    "deputies:duty_me": Entry(expect(["deputy"]), args=own_record),
    "deputies:duty_add": Entry(STAFF_ONLY),
    "deputies:rankings": Entry(expect(["staff", "sc_member"])),
    "deputies:rankings_export": Entry(expect(["staff", "sc_member"])),
    "deputies:score_rules": Entry(STAFF_ONLY),
    "deputies:duty_report": Entry(expect(["staff", "sc_member", "deputy"]), args=own_report),
    "deputies:duty_report_docx": Entry(expect(["staff", "sc_member", "deputy"]), args=own_report),
}
