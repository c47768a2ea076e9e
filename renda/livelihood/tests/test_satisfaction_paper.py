"""纸质测评票: the paper count of a satisfaction round, entered by staff with the livelihood
duty between the close and the count, kept apart from the electronic ballots, reconciled with
them, and counted together with them by the §4.6 rule (strict "more than half"); refused with
a Chinese message for every bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from renda.core.models import AuditEvent
from renda.livelihood import services
from renda.livelihood.models import Ballot, Rectification, SatisfactionPaperTally
from renda.livelihood.selectors import satisfaction_rows, verify_round
from renda.livelihood.services import paper

from .factories import cast_grades, counted_selection, grades, make_evaluation

pytestmark = pytest.mark.django_db

S, B, D = "satisfied", "basic", "dissatisfied"


def sealed(world: Any, *, deputies: int, ballots: list[dict[int, str]]) -> Any:
    """A 测评 of two projects, `deputies` members checked in, `ballots` cast electronically,
    the box sealed."""
    ev = make_evaluation(world, deputies=deputies, chosen=2)
    services.open_round(actor=world.staff, round_=ev.round)
    ev.ballots = ballots
    return ev


def close(world: Any, ev: Any, marks: list[tuple[str, str]]) -> Any:
    cast_grades(ev, [grades(ev, *m) for m in marks])
    return services.close_round(actor=world.staff, round_=ev.round)


def enter(
    world: Any, round_: Any, ev: Any, issued: int, returned: int, invalid: int, *rows: Any
) -> Any:
    counts = {c.pk: tuple(r) for c, r in zip(ev.candidates, rows, strict=True)}
    return paper.enter_satisfaction_paper_counts(
        actor=world.staff,
        round_=round_,
        issued=issued,
        returned=returned,
        invalid=invalid,
        counts=counts,
    )


def test_the_grade_is_taken_on_electronic_and_paper_ballots_together(world: Any) -> None:
    ev = sealed(world, deputies=5, ballots=[])
    closed = close(world, ev, [(S, S), (S, B), (D, B)])
    # Electronic alone: project 1 满意 (2 of 3). With two paper ballots graded 不满意 it has
    # 2 满意 of 5 voters and 满意 + 基本满意 = 2: 不满意.
    enter(world, closed, ev, 2, 2, 0, (0, 0, 2), (1, 0, 0))
    assert Ballot.objects.filter(round=closed).count() == 3  # the paper never touches the box
    rec = paper.satisfaction_reconcile(closed)
    assert rec is not None and rec["within"] and rec["cast"] == 5 and not rec["counted"]
    first, second = rec["rows"]
    assert first.electronic == (2, 0, 1, 0) and first.paper == (0, 0, 2, 0)
    assert first.combined == (2, 0, 3, 0) and first.grade == D
    assert second.paper == (1, 0, 0, 1) and second.combined == (2, 2, 0, 1)
    counted = services.count_round(actor=world.staff, round_=closed)
    assert verify_round(counted).ok
    result = counted.result
    assert (result["ballots"], result["valid"], result["base"]) == (5, 5, 5)
    assert result["electronic"] == {"ballots": 3, "valid": 3}
    assert result["paper"] == {"issued": 2, "returned": 2, "invalid": 0, "valid": 2}
    rows = satisfaction_rows(counted)
    assert [(r.satisfied, r.basic, r.dissatisfied, r.abstain, r.grade) for r in rows] == [
        (2, 0, 3, 0, D),
        (2, 2, 0, 1, B),
    ]
    # 不满意 on the combined count opens the rectification.
    assert Rectification.objects.get(vote=ev.vote).project == ev.candidates[0].project
    assert (
        "纸质票 2 张"
        in ev.vote.agenda_item.__class__.objects.get(pk=ev.vote.agenda_item_id).outcome
    )
    # After the count the paper entry is closed.
    with pytest.raises(ValidationError, match="已经计票"):
        enter(world, counted, ev, 2, 2, 0, (0, 0, 2), (1, 0, 0))


def test_exactly_half_is_not_more_than_half_on_the_combined_count(world: Any) -> None:
    ev = sealed(world, deputies=4, ballots=[])
    closed = close(world, ev, [(S, S), (S, S)])
    enter(world, closed, ev, 2, 2, 0, (0, 2, 0), (2, 0, 0))
    counted = services.count_round(actor=world.staff, round_=closed)
    first, second = satisfaction_rows(counted)
    assert (first.satisfied, first.grade) == (2, B)  # 2 of 4 is not more than half
    assert (second.satisfied, second.grade) == (4, S)


def test_everyone_on_paper_when_the_system_failed(world: Any) -> None:
    ev = sealed(world, deputies=3, ballots=[])
    closed = close(world, ev, [])
    assert paper.paper_room(closed) == 3
    enter(world, closed, ev, 3, 3, 1, (2, 0, 0), (0, 0, 1))
    counted = services.count_round(actor=world.staff, round_=closed)
    assert counted.result["ballots"] == 3 and counted.result["valid"] == 2
    first, second = satisfaction_rows(counted)
    assert (first.satisfied, first.abstain, first.grade) == (2, 0, S)
    assert (second.dissatisfied, second.abstain, second.grade) == (1, 1, D)


def test_bad_paper_counts_are_refused_in_chinese(world: Any) -> None:
    ev = sealed(world, deputies=5, ballots=[])
    with pytest.raises(ValidationError, match="请先结束投票"):
        enter(world, ev.round, ev, 1, 1, 0, (1, 0, 0), (1, 0, 0))
    closed = close(world, ev, [(S, S), (S, S), (S, S)])
    bad = [
        ((-1, 0, 0, (0, 0, 0), (0, 0, 0)), "不能为负数"),
        ((2, 2, 0, (0, -1, 0), (0, 0, 0)), "不能为负数"),
        # 5 checked in, 3 voted electronically: at most 2 paper ballots.
        ((3, 3, 0, (0, 0, 0), (0, 0, 0)), "超过可发张数"),
        ((1, 2, 0, (0, 0, 0), (0, 0, 0)), "多于发出"),
        ((2, 1, 2, (0, 0, 0), (0, 0, 0)), "废票数不能多于收回票数"),
        ((2, 2, 1, (1, 1, 0), (0, 0, 0)), "超过纸质有效票 1 张"),
    ]
    for (issued, returned, invalid, *rows), message in bad:
        with pytest.raises(ValidationError, match=message):
            enter(world, closed, ev, issued, returned, invalid, *rows)
    with pytest.raises(ValidationError, match="每个测评项目"):
        paper.enter_satisfaction_paper_counts(
            actor=world.staff,
            round_=closed,
            issued=1,
            returned=1,
            invalid=0,
            counts={ev.candidates[0].pk: (1, 0, 0)},
        )
    with pytest.raises(PermissionDenied):
        paper.enter_satisfaction_paper_counts(
            actor=world.sc_member, round_=closed, issued=0, returned=0, invalid=0, counts={}
        )
    assert not SatisfactionPaperTally.objects.exists()
    # Entered twice, the second entry replaces the first; both are in the audit log.
    enter(world, closed, ev, 2, 2, 0, (2, 0, 0), (1, 1, 0))
    enter(world, closed, ev, 2, 2, 0, (1, 1, 0), (1, 1, 0))
    tally = SatisfactionPaperTally.objects.get()
    assert [(c.satisfied, c.basic) for c in tally.counts.order_by("candidate__order")] == [
        (1, 1),
        (1, 1),
    ]
    events = AuditEvent.objects.filter(action="livelihood.satisfaction_paper_counts")
    assert [e.details["replaced"] for e in events.order_by("pk")] == [False, True]


def test_a_selection_vote_has_no_satisfaction_paper_count(world: Any) -> None:
    hall = counted_selection(world, deputies=3, chosen=1)
    with pytest.raises(ValidationError, match="这不是满意度测评"):
        paper.enter_satisfaction_paper_counts(
            actor=world.staff, round_=hall.round, issued=0, returned=0, invalid=0, counts={}
        )


def test_the_page(world: Any, client_for: Any) -> None:
    ev = sealed(world, deputies=5, ballots=[])
    staff = client_for("staff")
    url = f"/livelihood/rounds/{ev.round.pk}/satisfaction-paper/"
    assert 'data-testid="paper-closed"' in staff.get(url).content.decode()  # still open
    closed = close(world, ev, [(S, S), (S, B), (D, B)])
    desk = staff.get(f"/livelihood/votes/{ev.vote.pk}/").content.decode()
    assert url in desk
    page = staff.get(url).content.decode()
    assert 'data-testid="paper-room">2<' in page and "保存纸质测评票" in page
    first, second = ev.candidates
    form = {
        "issued": "2",
        "returned": "2",
        "invalid": "0",
        f"satisfied_{first.pk}": "0",
        f"basic_{first.pk}": "0",
        f"dissatisfied_{first.pk}": "-2",
        f"satisfied_{second.pk}": "1",
        f"basic_{second.pk}": "0",
        f"dissatisfied_{second.pk}": "0",
    }
    answer = staff.post(url, form).content.decode()
    assert "票数不能为负数" in answer and 'value="-2"' in answer  # what was typed is kept
    answer = staff.post(
        url, form | {"issued": "3", "returned": "3", f"dissatisfied_{first.pk}": "2"}
    )
    assert "超过可发张数" in answer.content.decode()
    done = staff.post(url, form | {f"dissatisfied_{first.pk}": "2"})
    assert done.status_code == 302 and done["Location"] == url
    page = staff.get(url).content.decode()
    assert 'data-testid="paper-reconcile"' in page and 'data-testid="paper-within"' in page
    assert page.count('data-testid="paper-row"') == 2 and "2/0/3/0" in page
    services.count_round(actor=world.staff, round_=closed)
    page = staff.get(url).content.decode()
    assert 'data-testid="paper-closed"' in page and "已经计票" in page
    assert "保存纸质测评票" not in page
    assert staff.post(url, form).status_code == 200
    assert SatisfactionPaperTally.objects.get().counts.get(candidate=first).dissatisfied == 2
    results = staff.get(f"/livelihood/votes/{ev.vote.pk}/").content.decode()
    assert "纸质票 2 张" in results
    # Another vote's round is not a 测评: 404; another role: 403.
    selection = ev.selection.round
    assert staff.get(f"/livelihood/rounds/{selection.pk}/satisfaction-paper/").status_code == 404
    assert client_for("sc_member").get(url).status_code == 403
