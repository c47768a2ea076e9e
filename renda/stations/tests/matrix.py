"""Who may open each stations URL (renda/core/tests/test_permission_matrix.py).

The fixed personas: ``staff`` is county staff (no station assignment: every station);
station clerks (staff confined to their stations) and an officer of another unit are tested
in test_view_registry.py, test_view_opinions.py, test_view_rosters.py and test_view_stats.py,
since the matrix has one persona per role. POST-only views are declared with
``method="post"`` and an empty form: the allowed personas get the redirect back with an error
message (302), nobody writes anything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from renda.core.tests.matrix_support import Entry, everyone, expect

LOGIN = 302


def a_station(world: Any) -> list[int]:
    from .factories import make_station

    return [make_station(world).pk]


def a_clerk(world: Any) -> list[int]:
    from renda.stations.models import StationClerk

    from .factories import make_clerk, make_station

    station = make_station(world)
    make_clerk(world, station, username="clerk_m")
    return [StationClerk.objects.get(station=station).pk]


def a_station_deputy(world: Any) -> list[int]:
    from .factories import make_station, make_station_deputy

    station = make_station(world)
    return [station.pk, make_station_deputy(world, station).pk]


def a_checklist_item(world: Any) -> list[int]:
    from .factories import make_station

    return [make_station(world).checklist.first().pk]  # type: ignore[union-attr]


def a_slot(world: Any) -> list[int]:
    from django.utils import timezone

    from .factories import make_slot, make_station, make_station_deputy

    station = make_station(world)
    deputy = make_station_deputy(world, station)
    date = timezone.localdate() + dt.timedelta(days=10)
    return [make_slot(world, station, [deputy], date=date).pk]


def an_assignment(world: Any) -> list[int]:
    """Today's duty of the deputy persona (check-in/out are theirs alone)."""
    from django.utils import timezone

    from renda.deputies.services import update_deputy

    from .factories import make_slot, make_station, make_station_deputy

    station = make_station(world)
    deputy = make_station_deputy(world, station)
    update_deputy(actor=None, deputy=deputy, user=world.deputy)
    slot = make_slot(world, station, [deputy], date=timezone.localdate())
    return [slot.assignments.get().pk]


def a_reception(world: Any) -> list[int]:
    from renda.stations import services

    from .factories import CONTENT, make_station

    reception = services.record_reception(
        actor=None, station=make_station(world), matter=CONTENT, category="transport"
    )
    return [reception.pk]


def an_assigned_opinion(world: Any) -> list[int]:
    from .factories import assigned_opinion, make_station

    return [assigned_opinion(world, make_station(world)).pk]


def an_opinion_converted_to_the_deputy(world: Any) -> list[int]:
    """The deputy persona drafts a suggestion from it (theirs alone: others 404 or 403)."""
    from renda.deputies.services import update_deputy
    from renda.stations import services

    from .factories import make_opinion, make_station, make_station_deputy

    station = make_station(world)
    deputy = make_station_deputy(world, station)
    update_deputy(actor=None, deputy=deputy, user=world.deputy)
    opinion = make_opinion(world, station)
    services.convert_opinion(actor=None, opinion=opinion, deputy=deputy)
    return [opinion.pk]


def a_tracking_code(world: Any) -> list[str]:
    from .factories import make_opinion, make_station

    return [make_opinion(world, make_station(world)).tracking_code]


def a_replied_code(world: Any) -> list[str]:
    from .factories import make_station, replied_opinion

    return [replied_opinion(world, make_station(world)).tracking_code]


def missing(world: Any) -> list[int]:
    return [999_999]


STAFF_SIDE = expect(["staff", "sc_member"])
STAFF_ONLY = expect(["staff"])
STAFF_POST = expect(["staff"], ok=302)
OPINION_SIDE = expect(["staff", "sc_member", "handling_officer"])


def post(expected: dict[str, int], args: Any = None) -> Entry:
    return Entry(expected, args=args, method="post")


MATRIX = {
    # registry
    "stations:home": Entry({**STAFF_SIDE, "deputy": 302, "handling_officer": 302}),
    "stations:list": Entry(STAFF_SIDE),
    "stations:export": Entry(STAFF_SIDE),
    "stations:create": Entry(STAFF_ONLY),
    "stations:detail": Entry(STAFF_SIDE, args=a_station),
    "stations:edit": Entry(STAFF_ONLY, args=a_station),
    "stations:clerk_add": post(STAFF_POST, a_station),
    "stations:clerk_remove": post(STAFF_POST, a_clerk),
    "stations:deputy_add": post(STAFF_POST, a_station),
    "stations:deputy_remove": post(STAFF_POST, a_station_deputy),
    "stations:checklist_edit": Entry(STAFF_ONLY, args=a_checklist_item),
    # No evidence uploaded yet: the readers get 404 (file behaviour: test_view_registry.py).
    "stations:checklist_evidence": Entry(
        expect(["staff", "sc_member"], ok=404), args=a_checklist_item
    ),
    "stations:plan_edit": Entry(STAFF_ONLY, args=a_station),
    "stations:photo_add": post(STAFF_POST, a_station),
    # Station photos are public; an unknown one is 404 for all (files: test_view_registry.py).
    "stations:photo": Entry(everyone(404), args=missing),
    # rosters
    "stations:slot_create": Entry(STAFF_ONLY, args=a_station),
    "stations:rotation": Entry(STAFF_ONLY, args=a_station),
    "stations:slot_detail": Entry(STAFF_SIDE, args=a_slot),
    "stations:slot_publish": post(STAFF_POST, a_slot),
    "stations:slot_cancel": post(STAFF_POST, a_slot),
    "stations:attendance_confirm": post(STAFF_POST, an_assignment),
    "stations:duty_minimum": Entry(STAFF_SIDE),
    "stations:my_duties": Entry(expect(["deputy"])),
    "stations:check_in": post(expect(["deputy"], ok=302), an_assignment),
    "stations:check_out": post(expect(["deputy"], ok=302), an_assignment),
    # receptions and opinions
    "stations:reception_create": Entry(STAFF_ONLY, args=a_station),
    "stations:reception_list": Entry(STAFF_SIDE),
    "stations:reception_detail": Entry(STAFF_SIDE, args=a_reception),
    "stations:opinion_list": Entry(OPINION_SIDE),
    "stations:opinion_export": Entry(OPINION_SIDE),
    "stations:opinion_detail": Entry(OPINION_SIDE, args=an_assigned_opinion),
    "stations:opinion_step": post(
        expect(["staff", "sc_member", "handling_officer"], ok=302), an_assigned_opinion
    ),
    "stations:opinion_assign": post(STAFF_POST, an_assigned_opinion),
    "stations:opinion_reply": post(expect(["handling_officer"], ok=302), an_assigned_opinion),
    "stations:opinion_answer": post(STAFF_POST, an_assigned_opinion),
    "stations:opinion_convert": post(STAFF_POST, an_assigned_opinion),
    "stations:opinion_rate": post(STAFF_POST, an_assigned_opinion),
    "stations:opinion_draft_suggestion": Entry(
        expect(["deputy"]), args=an_opinion_converted_to_the_deputy
    ),
    "stations:opinion_attachment": Entry(
        expect(["staff", "sc_member", "handling_officer"], ok=404), args=missing
    ),
    # statistics
    "stations:stats": Entry(STAFF_SIDE),
    "stations:stats_export": Entry(STAFF_SIDE),
    # 人大之家: public, no log-in
    "stations:public_directory": Entry(everyone()),
    "stations:public_station": Entry(everyone(), args=a_station),
    "stations:public_qr": Entry(everyone(), args=a_station),
    "stations:public_station_opinion": Entry(everyone(), args=a_station),
    "stations:public_opinion": Entry(everyone()),
    "stations:public_track": Entry(everyone()),
    "stations:public_track_detail": Entry(everyone(), args=a_tracking_code),
    # An empty rating form on a replied opinion: the page again, with the error.
    "stations:public_rate": post(everyone(), a_replied_code),
}
