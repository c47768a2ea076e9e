"""No ballot can be joined to a deputy: the obvious joins are tried and find nothing.

- schema: no key, time, IP or device on a ballot; no key between ballot and participation;
  random uuid4 keys;
- order: while the round is open its ballots are one row (the box) whose object keeps them
  in tracker order, so on PostgreSQL they share one row version (xmin) and no Ballot row
  exists; at close they become Ballot rows whose physical order (SQLite rowid, PostgreSQL
  ctid) is tracker order, written with the participations (in deputy order) by the closing
  transaction, so neither says who cast when;
- logs and audit: casting through the page writes no log line and no audit event that names
  a ballot, a tracker or a choice.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
from django.db import connection, models

from renda.core.models import AuditEvent
from renda.livelihood import services
from renda.livelihood.models import Ballot, BallotBox, Participation

from .factories import make_hall, marks

pytestmark = pytest.mark.django_db


def test_the_schema_has_nothing_that_links_a_ballot_to_a_deputy() -> None:
    ballot_fields = {f.name: f for f in Ballot._meta.get_fields()}
    relations = [f.name for f in ballot_fields.values() if f.is_relation]
    assert relations == ["round"]
    assert not any(
        isinstance(f, models.DateField | models.DateTimeField | models.TimeField)
        for f in ballot_fields.values()
    )
    for word in ("ip", "device", "user", "deputy", "agent", "session", "created", "cast_at"):
        assert not any(word in name for name in ballot_fields), word
    assert sorted(f.name for f in BallotBox._meta.get_fields()) == ["entries", "round", "sealed"]
    participation = [f.name for f in Participation._meta.get_fields()]
    assert sorted(participation) == ["deputy", "id", "round"]
    assert isinstance(Ballot._meta.pk, models.UUIDField)
    assert isinstance(Participation._meta.pk, models.UUIDField)


def _physical(table: str, column: str, round_id: int) -> list[Any]:
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE round_id = %s ORDER BY {order}",  # noqa: S608
            [round_id],
        )
        return [row[0] for row in cursor.fetchall()]


def assert_stored_in_order(table: str, column: str, round_id: int, expected: list[Any]) -> None:
    """The round's rows were written in `expected` order, by one statement.

    SQLite: the rowid order is the order of writing. PostgreSQL puts each row wherever its
    free-space map finds room (a rolled-back earlier test leaves room in earlier pages), so
    rows written in order by one INSERT may lie out of order in the heap: the heap order is
    the free-space map's, never the casting's. What is checked there is that every row has
    the same transaction and command id (one statement wrote them all, nothing tells one
    write from another) and that the rows are the expected ones."""
    if connection.vendor != "postgresql":
        assert _physical(table, column, round_id) == expected
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(DISTINCT (xmin::text, cmin::text)) FROM {table} "  # noqa: S608
            "WHERE round_id = %s",
            [round_id],
        )
        (writes,) = cursor.fetchone()
    assert writes == 1
    assert sorted(_physical(table, column, round_id)) == sorted(expected)


def _box_keys(round_id: int) -> list[str]:
    """The box's trackers in the order the database stores them."""
    if connection.vendor == "postgresql":
        sql = "SELECT jsonb_object_keys(entries) FROM livelihood_ballotbox WHERE round_id = %s"
    else:
        sql = "SELECT j.key FROM livelihood_ballotbox, json_each(entries) j WHERE round_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [round_id])
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def cast(world: Any) -> Any:
    hall = make_hall(world, deputies=6, seats=2, candidates=3)
    services.open_round(actor=world.staff, round_=hall.round)
    in_cast_order = []
    # Cast in an order that is not deputy order.
    for i in (3, 0, 5, 1, 4, 2):
        receipt = services.cast_ballot(
            actor=hall.users[i], round_=hall.round, marks=marks(hall, i % 3)
        )
        in_cast_order.append(receipt.tracker)
        assert _box_keys(hall.round.pk) == sorted(in_cast_order)
        assert not Ballot.objects.filter(round=hall.round).exists()
    return hall, in_cast_order


def test_physical_order_is_tracker_order_after_every_cast_and_at_close(
    world: Any, cast: Any
) -> None:
    hall, in_cast_order = cast
    services.close_round(actor=world.staff, round_=hall.round)
    assert_stored_in_order("livelihood_ballot", "tracker", hall.round.pk, sorted(in_cast_order))
    assert_stored_in_order(
        "livelihood_participation",
        "deputy_id",
        hall.round.pk,
        sorted(d.pk for d in hall.deputies),
    )
    assert list(Ballot.objects.filter(round=hall.round).values_list("position", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    assert all(uuid.UUID(str(b.pk)).version == 4 for b in Ballot.objects.all())
    assert all(uuid.UUID(str(p.pk)).version == 4 for p in Participation.objects.all())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ctid and xmin are PostgreSQL's")
def test_on_postgresql_heap_order_and_row_versions_say_nothing(world: Any, cast: Any) -> None:
    hall, in_cast_order = cast

    def xmins(table: str) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT xmin::text FROM {table} WHERE round_id = %s",  # noqa: S608
                [hall.round.pk],
            )
            return {row[0] for row in cursor.fetchall()}

    # While open: every ballot is in the one box row, so all share its xmin.
    assert len(xmins("livelihood_ballotbox")) == 1
    assert not Ballot.objects.filter(round=hall.round).exists()
    services.close_round(actor=world.staff, round_=hall.round)
    assert_stored_in_order("livelihood_ballot", "tracker", hall.round.pk, sorted(in_cast_order))
    # After close: ballots and participations all written by the closing transaction.
    assert xmins("livelihood_ballot") == xmins("livelihood_participation")
    assert len(xmins("livelihood_ballot")) == 1


def test_logs_and_audit_events_never_name_a_ballot(
    world: Any, client_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    hall = make_hall(world, deputies=3, seats=1, candidates=2)
    services.open_round(actor=world.staff, round_=hall.round)
    caplog.set_level(logging.DEBUG)
    response = client_for("deputy").post(
        f"/livelihood/rounds/{hall.round.pk}/ballot/",
        {"step": "cast", f"c_{hall.candidates[0].pk}": "yes"},
    )
    assert response.status_code == 200
    assert "Cache-Control" in response and "no-store" in response["Cache-Control"]
    services.close_round(actor=world.staff, round_=hall.round)
    ballot = Ballot.objects.get(round=hall.round)
    assert ballot.tracker in response.content.decode()  # shown once, to the voter
    secrets = [ballot.tracker, str(ballot.pk), ballot.digest, ballot.nonce, ballot.choices]
    for record in caplog.records:
        line = record.getMessage()
        assert not any(s in line for s in secrets), line
    # (The close event's fingerprint is the last ballot's chain value: public, and it names
    # no one.)
    for event in AuditEvent.objects.all():
        text = f"{event.target_type} {event.target_id} {event.target_repr} {event.details}"
        assert not any(s in text for s in secrets), event.action
        assert event.target_type != "livelihood.ballot"
    cast_events = AuditEvent.objects.filter(action="livelihood.ballot_cast")
    assert [sorted(e.details) for e in cast_events] == [["deputy", "round"]]
    assert cast_events[0].target_type == "livelihood.vote"
    # The session keeps no tracker either.
    from django.contrib.sessions.models import Session

    assert not any(ballot.tracker in str(s.get_decoded()) for s in Session.objects.all())
