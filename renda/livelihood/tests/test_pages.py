"""The pages of a sitting: the deputy's ballot on the phone (review step warning of too many
赞成, receipt), the staff desk (tallies hidden while voting, results after the count), the big
screen, the printable report with the fingerprint, and the paper count reconciled."""

from __future__ import annotations

from typing import Any

import pytest

from renda.livelihood import chain, services

from .factories import ballot_count, box_ballots, cast_all, make_hall, marks

pytestmark = pytest.mark.django_db


def test_the_deputy_votes_on_the_phone(world: Any, client_for: Any) -> None:
    hall = make_hall(world, deputies=3, seats=1, candidates=2)
    client = client_for("deputy")
    url = f"/livelihood/rounds/{hall.round.pk}/ballot/"
    assert "票决尚未开始" in client.get(url).content.decode()
    services.open_round(actor=world.staff, round_=hall.round)
    assert hall.vote.title in client.get("/livelihood/mine/").content.decode()
    page = client.get(url).content.decode()
    assert 'data-testid="ballot-form"' in page and "赞成不能超过 1 个" in page
    a, b = (c.pk for c in hall.candidates)
    review = client.post(url, {"step": "review", f"c_{a}": "yes", f"c_{b}": "yes"})
    assert 'data-testid="invalid-warning"' in review.content.decode()
    assert ballot_count() == 0  # reviewing casts nothing
    edit = client.post(url, {"step": "edit", f"c_{a}": "yes", f"c_{b}": "no"}).content.decode()
    assert f'name="c_{b}" id="n{b}" value="no" checked' in edit
    review = client.post(url, {"step": "review", f"c_{a}": "yes"}).content.decode()
    assert "invalid-warning" not in review and "弃权" in review  # b unmarked = 弃权
    receipt = client.post(url, {"step": "cast", f"c_{a}": "yes", f"c_{b}": "abstain"})
    (tracker,) = box_ballots()
    assert tracker in receipt.content.decode() and tracker not in receipt.get("Location", "")
    assert "您已投票" in client.get(url).content.decode()


def test_staff_see_no_tally_until_the_count(world: Any, client_for: Any) -> None:
    hall = make_hall(world, deputies=3, seats=1, candidates=2)
    staff = client_for("staff")
    services.open_round(actor=world.staff, round_=hall.round)
    cast_all(hall, [marks(hall, 0), marks(hall, 0), marks(hall, 1)])
    detail = staff.get(f"/livelihood/votes/{hall.vote.pk}/").content.decode()
    screen = staff.get(f"/livelihood/rounds/{hall.round.pk}/screen/").content.decode()
    for page in (detail, screen):
        assert 'data-testid="results"' not in page and "已投票" in page
    closed = services.close_round(actor=world.staff, round_=hall.round)
    report = staff.get(f"/livelihood/rounds/{closed.pk}/report/").content.decode()
    assert chain.grouped(closed.fingerprint) in report and "总监票人（签名）" in report
    assert 'data-testid="results"' not in report
    services.count_round(actor=world.staff, round_=closed)
    detail = staff.get(f"/livelihood/votes/{hall.vote.pk}/").content.decode()
    assert 'data-testid="results"' in detail and 'data-testid="chosen"' in detail
    screen = staff.get(f"/livelihood/rounds/{closed.pk}/screen/").content.decode()
    assert "当选" in screen


def test_paper_counts_are_reconciled(world: Any, client_for: Any) -> None:
    hall = make_hall(world, deputies=3, seats=1, candidates=2)
    services.open_round(actor=world.staff, round_=hall.round)
    cast_all(hall, [marks(hall, 0), marks(hall, 0), marks(hall, 0, 1)])
    counted = services.count_round(
        actor=world.staff, round_=services.close_round(actor=world.staff, round_=hall.round)
    )
    a, b = (c.pk for c in hall.candidates)
    staff = client_for("staff")
    url = f"/livelihood/rounds/{counted.pk}/paper/"
    bad = {
        "issued": 3,
        "returned": 3,
        "invalid": 1,
        f"yes_{a}": 2,
        f"no_{a}": 0,
        f"abstain_{a}": 1,
        f"yes_{b}": 0,
        f"no_{b}": 0,
        f"abstain_{b}": 2,
    }
    assert "有效票数 2" in staff.post(url, bad).content.decode()
    good = {**bad, f"abstain_{a}": 0}
    assert staff.post(url, good).status_code == 302
    detail = staff.get(f"/livelihood/votes/{hall.vote.pk}/").content.decode()
    assert 'data-testid="reconcile-ok"' in detail
    services.enter_paper_counts(
        actor=world.staff,
        round_=counted,
        issued=3,
        returned=3,
        invalid=1,
        counts={a: (1, 1, 0), b: (0, 0, 2)},
    )
    detail = staff.get(f"/livelihood/votes/{hall.vote.pk}/").content.decode()
    assert 'data-testid="reconcile-diff"' in detail


def test_the_staff_desk_builds_a_list_and_puts_it_to_the_vote(world: Any, client_for: Any) -> None:
    hall = make_hall(world, deputies=2, seats=1, candidates=2)
    staff = client_for("staff")
    home = staff.get("/livelihood/").content.decode()
    assert hall.candidate_list.title in home and hall.vote.title in home
    page = staff.get(f"/livelihood/lists/{hall.candidate_list.pk}/").content.decode()
    assert "主席团第二次会议通过" in page
    response = staff.post(
        "/livelihood/projects/new/",
        {
            "title": "坪石公路改造",
            "level": "township",
            "region": world.other_township.pk,
            "year": 2027,
            "estimated_cost": "3200000",
            "lead_unit": world.department.pk,
        },
    )
    assert response.status_code == 302


def test_the_casting_post_is_lean_and_a_repeat_is_told_it_has_voted(
    world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    """A whole session casts within seconds: the cast reads no candidate rows and draws a
    receipt page of its own without the site's menu (no notification count); a second POST
    gets the ballot page with 您已投票 and casts nothing."""
    hall = make_hall(world, deputies=3, seats=1, candidates=2)
    services.open_round(actor=world.staff, round_=hall.round)
    client = client_for("deputy")
    url = f"/livelihood/rounds/{hall.round.pk}/ballot/"
    a, b = (c.pk for c in hall.candidates)
    client.get("/livelihood/mine/")  # the session's once-a-minute refresh is behind us
    # session, user, deputy, round with membership, round lock, participation check and
    # insert, box (PostgreSQL: one UPDATE; SQLite: read and write), audit lock (PostgreSQL),
    # chain head, audit insert; and the savepoint pair, since a test runs in a transaction
    # (the 22 of before the lean cast fail this)
    with django_assert_max_num_queries(13):
        receipt = client.post(url, {"step": "cast", f"c_{a}": "yes", f"c_{b}": "no"})
    page = receipt.content.decode()
    (tracker,) = box_ballots()
    assert receipt.status_code == 200 and "投票成功" in page and tracker in page
    assert "/livelihood/mine/" in page and "站内消息" not in page  # one link, no menu
    again = client.post(url, {"step": "cast", f"c_{a}": "no"}).content.decode()
    assert "您已投票" in again and 'data-testid="ballot-error"' in again
    assert list(box_ballots()) == [tracker]
