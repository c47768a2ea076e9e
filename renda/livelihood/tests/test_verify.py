"""The sealed ballot box: closing prints the fingerprint; verify_ballots (and the public
page) recompute it; a tampered, deleted, added or reordered ballot row breaks verification,
and a full rewrite of the chain is caught by the fingerprint the 总监票人 signed. The database
refuses such changes first: these tests drop the triggers as a database owner could."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from renda.livelihood import chain, services
from renda.livelihood.models import Ballot
from renda.livelihood.selectors import verify_round

from .factories import cast_all, make_hall, marks

pytestmark = pytest.mark.django_db


@contextmanager
def triggers_off() -> Iterator[None]:
    """What an attacker with the database owner's rights does first (undone by the test's
    rollback)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Fire the deferred foreign-key checks first: ALTER TABLE refuses to run while
            # they are pending in the transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE livelihood_ballot DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE livelihood_round DISABLE TRIGGER USER")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            for (name,) in cursor.fetchall():
                if name.startswith(("livelihood_ballot", "livelihood_round")):
                    cursor.execute(f"DROP TRIGGER {name}")
    yield


@pytest.fixture
def sealed(world: Any) -> Any:
    hall = make_hall(world, deputies=4, seats=1, candidates=2)
    services.open_round(actor=world.staff, round_=hall.round)
    cast_all(hall, [marks(hall, 0), marks(hall, 1), marks(hall, 0), {}])
    closed = services.close_round(actor=world.staff, round_=hall.round)
    assert verify_round(closed).ok
    return hall, closed


def run(vote_id: int, *args: str) -> str:
    out = StringIO()
    call_command("verify_ballots", str(vote_id), *args, stdout=out)
    return out.getvalue()


def test_the_command_passes_and_prints_the_fingerprint(sealed: Any) -> None:
    hall, closed = sealed
    text = run(hall.vote.pk)
    assert "第1轮：通过，4 张选票" in text and chain.grouped(closed.fingerprint) in text
    assert "通过" in run(hall.vote.pk, "--fingerprint", chain.grouped(closed.fingerprint))
    with pytest.raises(CommandError):
        run(hall.vote.pk, "--fingerprint", "0" * 64)


def test_the_database_refuses_changes_to_a_sealed_box(sealed: Any) -> None:
    hall, closed = sealed
    for attempt in (
        lambda: Ballot.objects.filter(round=closed).update(valid=False),
        lambda: Ballot.objects.filter(round=closed).first().delete(),  # type: ignore[union-attr]
        lambda: Ballot.objects.create(
            round=closed, tracker="AAAAAAAAAA", digest="0", choices="{}", nonce="0", valid=True
        ),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()


def _tamper_choice(closed: Any, hall: Any) -> None:
    b = Ballot.objects.filter(round=closed).order_by("position").first()
    assert b is not None
    flipped = {k: ("no" if v == "yes" else "yes") for k, v in json.loads(b.choices).items()}
    Ballot.objects.filter(pk=b.pk).update(choices=chain.canonical(flipped))


def _delete(closed: Any, hall: Any) -> None:
    Ballot.objects.filter(round=closed, position=2).delete()


def _reorder(closed: Any, hall: Any) -> None:
    first, second = Ballot.objects.filter(round=closed).order_by("position")[:2]
    Ballot.objects.filter(pk=first.pk).update(position=2)
    Ballot.objects.filter(pk=second.pk).update(position=1)


def _swap_chain(closed: Any, hall: Any) -> None:
    first, second = Ballot.objects.filter(round=closed).order_by("position")[:2]
    Ballot.objects.filter(pk=first.pk).update(chain_hash=second.chain_hash)
    Ballot.objects.filter(pk=second.pk).update(chain_hash=first.chain_hash)


def _stuff(closed: Any, hall: Any) -> None:
    """A forged ballot with a correct hash and tracker, appended at the end."""
    choices = chain.choices_text(
        {c.pk: "yes" if i == 1 else "no" for i, c in enumerate(hall.candidates)}
    )
    digest = chain.ballot_hash(manifest_digest=closed.manifest_hash, choices=choices, nonce="ff")
    last = Ballot.objects.filter(round=closed).order_by("-position").first()
    assert last is not None
    tracker = chain.tracker_of(digest)
    link = chain.Link(5, tracker, digest, choices, "ff", True)
    Ballot.objects.create(
        round=closed,
        tracker=tracker,
        digest=digest,
        choices=choices,
        nonce="ff",
        valid=True,
        position=5,
        chain_hash=chain.link_hash(last.chain_hash, link),
    )


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (_tamper_choice, ("内容与其哈希不符",)),
        (_delete, ("序号不符",)),
        (_reorder, ("链值不符", "核验码顺序")),
        (_swap_chain, ("链值不符",)),
        # A forged ballot with a right hash: the count no longer matches the sealed count (or,
        # if its tracker sorts before the last, the order breaks).
        (_stuff, ("张数", "核验码顺序")),
    ],
)
def test_tampering_breaks_verification(sealed: Any, tamper: Any, reason: tuple[str, ...]) -> None:
    hall, closed = sealed
    with triggers_off():
        tamper(closed, hall)
    report = verify_round(closed)
    assert not report.ok and any(r in report.reason for r in reason), report.reason
    with pytest.raises(CommandError):
        run(hall.vote.pk)
    with pytest.raises(Exception, match="票箱核验未通过"):
        services.count_round(actor=None, round_=closed)


def test_a_rewritten_chain_is_caught_by_the_signed_fingerprint(sealed: Any) -> None:
    """An attacker who changes a ballot and recomputes every hash, the chain and the stored
    fingerprint passes the self-check, but not the fingerprint printed at close."""
    hall, closed = sealed
    printed = closed.fingerprint
    with triggers_off():
        rows = list(Ballot.objects.filter(round=closed).order_by("position"))
        target = rows[0]
        target.choices = chain.choices_text({c.pk: "no" for c in hall.candidates})
        target.digest = chain.ballot_hash(
            manifest_digest=closed.manifest_hash, choices=target.choices, nonce=target.nonce
        )
        # Keep its tracker (it is public and in the deputy's hand): then the tracker no longer
        # matches the digest, or, if the attacker re-derives it, the deputy's receipt is gone.
        target.tracker = chain.tracker_of(target.digest)
        rows.sort(key=lambda b: b.tracker)
        prev = chain.genesis(closed.manifest_hash)
        for i, b in enumerate(rows, 1):
            b.position = i
            prev = chain.link_hash(
                prev, chain.Link(i, b.tracker, b.digest, b.choices, b.nonce, b.valid)
            )
            b.chain_hash = prev
        Ballot.objects.filter(round=closed).delete()
        Ballot.objects.bulk_create(rows)
        type(closed).objects.filter(pk=closed.pk).update(fingerprint=prev)
    closed.refresh_from_db()
    assert verify_round(closed).ok  # the self-check alone is fooled
    assert not verify_round(closed, expected=printed).ok
    with pytest.raises(CommandError):
        run(hall.vote.pk, "--fingerprint", printed)


def test_the_public_pages(sealed: Any, client_for: Any) -> None:
    hall, closed = sealed
    public = client_for("anonymous")
    page = public.get(f"/livelihood/rounds/{closed.pk}/trackers/").content.decode()
    trackers = sorted(Ballot.objects.filter(round=closed).values_list("tracker", flat=True))
    assert all(t in page for t in trackers)
    assert "赞成" not in page.split("tracker-list")[1]  # the list carries no choices
    ok = public.get(f"/livelihood/rounds/{closed.pk}/verify/?fp={closed.fingerprint}")
    assert "核验通过" in ok.content.decode()
    bad = public.get(f"/livelihood/rounds/{closed.pk}/verify/?fp={'1' * 64}")
    assert "签字的指纹不符" in bad.content.decode()
    with triggers_off():
        _delete(closed, hall)
    assert "核验未通过" in public.get(f"/livelihood/rounds/{closed.pk}/verify/").content.decode()


def test_more_ballots_than_issued_voids_the_round(sealed: Any) -> None:
    """收回票数多于发出票数: the rule voids the round whatever the chain says."""
    from renda.livelihood.services.counting import compute_result

    hall, closed = sealed
    with triggers_off():
        _stuff(closed, hall)
    result = compute_result(closed)
    assert result["void"] and result["chosen"] == [] and result["ballots"] == 5
