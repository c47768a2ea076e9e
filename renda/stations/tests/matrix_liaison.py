"""Who may open each 双联 URL (renda/tests/test_permission_matrix.py). Scoping inside a role
(another SC member's link, another deputy's list) is tested in test_liaison_views.py."""

from __future__ import annotations

from typing import Any

from renda.core.tests.matrix_support import Entry, expect


def _deputy(world: Any) -> Any:
    from .liaison_factories import the_deputy_persona

    return the_deputy_persona(world)


def the_sc_member(world: Any) -> list[int]:
    return [world.sc_member.pk]


def a_link(world: Any) -> list[int]:
    from renda.stations.services import liaison

    from .liaison_factories import a_deputy

    (link,) = liaison.link_deputies(actor=None, member=world.sc_member, deputies=[a_deputy(world)])
    return [link.pk]


def the_deputy_record(world: Any) -> list[int]:
    return [_deputy(world).pk]


def a_constituent_of_the_deputy(world: Any) -> list[int]:
    from .liaison_factories import a_constituent

    return [a_constituent(world, _deputy(world)).pk]


def a_contact_of_the_deputy(world: Any) -> list[int]:
    from django.utils import timezone

    from renda.stations.services import liaison

    from .liaison_factories import a_constituent

    deputy = _deputy(world)
    contact = liaison.log_constituent_contact(
        actor=None,
        deputy=deputy,
        contacted_on=timezone.localdate(),
        way="visit",
        constituents=[a_constituent(world, deputy)],
        raised="村里路灯坏了三个月，晚上出行很不安全，希望尽快修好。",
    )
    return [contact.pk]


STAFF_ONLY = expect(["staff"])
NOT_THEIRS = {"sc_member": 404}


def post(expected: dict[str, int], args: Any = None) -> Entry:
    return Entry(expected, args=args, method="post")


MATRIX = {
    "stations:liaison": Entry(expect(["staff", "sc_member", "deputy"], ok=302)),
    "stations:liaison_coverage": Entry(STAFF_ONLY),
    "stations:liaison_export": Entry(STAFF_ONLY),
    "stations:liaison_rule": Entry(STAFF_ONLY),
    "stations:liaison_member": Entry(STAFF_ONLY, args=the_sc_member),
    "stations:liaison_link_add": post(expect(["staff"], ok=302), the_sc_member),
    "stations:liaison_link_remove": post(expect(["staff"], ok=302), a_link),
    "stations:liaison_link_contact": Entry(expect(["staff", "sc_member"]), args=a_link),
    "stations:liaison_mine": Entry(expect(["sc_member", "deputy"])),
    "stations:liaison_deputy": Entry(STAFF_ONLY, args=the_deputy_record),
    "stations:liaison_constituent_add": Entry(expect(["staff", "deputy"]), args=the_deputy_record),
    "stations:liaison_contact_add": Entry(expect(["staff", "deputy"]), args=the_deputy_record),
    "stations:liaison_constituent_edit": Entry(
        expect(["staff", "deputy"]), args=a_constituent_of_the_deputy
    ),
    # Staff (asked before the deputy) take the constituent off the list, so the deputy then
    # finds no such constituent; the deputy's own removal: test_liaison_views.py.
    "stations:liaison_constituent_remove": post(
        {**expect(["staff"], ok=302), "deputy": 404}, a_constituent_of_the_deputy
    ),
    # An SC member may read contacts, but only those on their own links: this one is 404.
    "stations:liaison_contact": Entry(
        {**expect(["staff", "deputy"]), **NOT_THEIRS}, args=a_contact_of_the_deputy
    ),
    "stations:liaison_to_opinion": post(
        {**expect(["staff", "deputy"], ok=302), **NOT_THEIRS}, a_contact_of_the_deputy
    ),
    "stations:liaison_to_suggestion": Entry(expect(["deputy"]), args=a_contact_of_the_deputy),
}
