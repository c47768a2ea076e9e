"""The 测评's pages: the member's phone ballot with 满意 / 基本满意 / 不满意 per project, the
staff's creation form and desk, the public results (only after the count, with the
rectification it opened), and the rectification pages of staff and of the lead unit's
officer (another unit's officer gets 404)."""

from __future__ import annotations

from typing import Any

import pytest

from renda.accounts import services as account_services
from renda.core.roles import Role
from renda.livelihood import services
from renda.livelihood.models import Ballot, Rectification, Vote

from .factories import (
    ballot_count,
    box_ballots,
    cast_grades,
    committee_meeting,
    counted_selection,
    grades,
    make_evaluation,
)

pytestmark = pytest.mark.django_db

S, B, D = "satisfied", "basic", "dissatisfied"


def test_staff_create_a_satisfaction_vote_and_the_member_votes_on_the_phone(
    world: Any, client_for: Any
) -> None:
    hall = counted_selection(world, deputies=3, chosen=2)
    meeting = committee_meeting(world, hall.deputies)
    staff = client_for("staff")
    form = staff.get("/livelihood/satisfaction/new/").content.decode()
    assert meeting.title in form and hall.vote.title in form
    answer = staff.post(
        "/livelihood/satisfaction/new/", {"meeting": meeting.pk, "evaluates": hall.vote.pk}
    )
    vote = Vote.objects.get(kind="satisfaction")
    assert answer.status_code == 302 and answer["Location"] == f"/livelihood/votes/{vote.pk}/"
    assert vote.title in staff.get("/livelihood/satisfaction/").content.decode()
    desk = staff.get(f"/livelihood/votes/{vote.pk}/").content.decode()
    assert 'data-testid="satisfaction-rules"' in desk and "参加测评人数以此计" in desk
    assert "录入纸质计票" not in desk and "赞成票须超过其半数" not in desk
    # The home page of 票决 lists candidate lists, not the 测评's list of projects.
    assert vote.candidate_list.title not in staff.get("/livelihood/").content.decode()
    round_ = vote.rounds.get()
    staff.post(f"/livelihood/rounds/{round_.pk}/open/")
    client = client_for("deputy")
    url = f"/livelihood/rounds/{round_.pk}/ballot/"
    page = client.get(url).content.decode()
    first, second = vote.candidate_list.candidates.order_by("order")
    for c in (first, second):
        for value, label in ((S, "满意"), (B, "基本满意"), (D, "不满意")):
            assert f'name="c_{c.pk}"' in page and f'value="{value}"' in page and label in page
    assert 'value="yes"' not in page and "赞成" not in page
    review = client.post(url, {"step": "review", f"c_{first.pk}": B}).content.decode()
    assert 'data-testid="unmarked-warning"' in review and "基本满意" in review
    assert ballot_count(round_) == 0  # reviewing casts nothing
    edit = client.post(url, {"step": "edit", f"c_{first.pk}": B}).content.decode()
    assert f'id="b{first.pk}" value="basic" checked' in edit
    receipt = client.post(url, {"step": "cast", f"c_{first.pk}": B, f"c_{second.pk}": S})
    (tracker,) = box_ballots(round_)
    assert tracker in receipt.content.decode()
    assert "您已投票" in client.get(url).content.decode()
    again = client.post(url, {"step": "cast", f"c_{first.pk}": D}).content.decode()
    assert "您已投票" in again and ballot_count(round_) == 1
    assert "测评" in client.get("/livelihood/mine/").content.decode()


def test_results_are_public_only_after_the_count(world: Any, client_for: Any) -> None:
    ev = make_evaluation(world, deputies=3, chosen=2)
    public = client_for("anonymous")
    url = f"/livelihood/public/votes/{ev.vote.pk}/"
    services.open_round(actor=world.staff, round_=ev.round)
    cast_grades(ev, [grades(ev, S, D), grades(ev, S, B), grades(ev, B, D)])
    assert public.get(url).status_code == 404
    assert ev.vote.title not in public.get("/livelihood/public/satisfaction/").content.decode()
    services.close_round(actor=world.staff, round_=ev.round)
    assert public.get(url).status_code == 404  # sealed, not yet counted
    desk = client_for("staff").get(f"/livelihood/votes/{ev.vote.pk}/").content.decode()
    assert 'data-testid="grades"' not in desk
    services.count_round(actor=world.staff, round_=ev.round)
    page = public.get(url).content.decode()
    assert "测评结果公告" in page and 'data-testid="grade-rows"' in page
    first, second = ev.candidates
    assert first.project.title in page and second.project.title in page
    assert "满意 <strong>2</strong>" in page and "不满意 <strong>2</strong>" in page
    rect = Rectification.objects.get()
    assert 'data-testid="rectification"' in page and rect.lead_unit.name in page
    assert ev.vote.title in public.get("/livelihood/public/satisfaction/").content.decode()
    assert ev.vote.title in public.get("/livelihood/public/").content.decode()
    # No tracker next to a choice anywhere public.
    for b in Ballot.objects.filter(round=ev.round):
        assert b.tracker not in page
    desk = client_for("staff").get(f"/livelihood/votes/{ev.vote.pk}/").content.decode()
    assert 'data-testid="grades"' in desk and 'data-testid="rectifications"' in desk
    report = client_for("staff").get(f"/livelihood/rounds/{ev.round.pk}/report/").content.decode()
    assert 'data-testid="grades"' in report


def test_rectification_pages_for_staff_and_the_lead_unit(world: Any, client_for: Any) -> None:
    ev = make_evaluation(world, deputies=3, chosen=1)
    services.open_round(actor=world.staff, round_=ev.round)
    cast_grades(ev, [grades(ev, D), grades(ev, D), grades(ev, S)])
    services.close_round(actor=world.staff, round_=ev.round)
    services.count_round(actor=world.staff, round_=ev.round)
    rect = Rectification.objects.get()
    url = f"/livelihood/rectifications/{rect.pk}/"
    officer = client_for("handling_officer")
    listing = officer.get("/livelihood/rectifications/").content.decode()
    assert rect.project.title in listing
    page = officer.get(url).content.decode()
    assert 'data-testid="reply-form"' in page and rect.deadline.strftime("%Y") in page
    stranger = account_services.create_user(
        actor=None,
        username="other_unit",
        name="其他单位",
        role=Role.HANDLING_OFFICER,
        password="Passw0rd!Passw0rd",
        organization=world.finance,
        mobile="13900000001",
        must_change_password=False,
    )
    other = client_for("anonymous")
    other.force_login(stranger)
    assert other.get(url).status_code == 404
    assert rect.project.title not in other.get("/livelihood/rectifications/").content.decode()
    assert other.post(f"{url}reply/", {"reply": "别的单位写的整改情况报告内容"}).status_code == 404
    done = officer.post(f"{url}reply/", {"reply": "已完成整改：路面全部重铺，排水畅通。"})
    assert done.status_code == 302
    rect.refresh_from_db()
    assert rect.state == "replied" and rect.replied_by == world.users["handling_officer"]
    staff = client_for("staff")
    page = staff.get(url).content.decode()
    assert 'data-testid="reevaluate-form"' in page and "路面全部重铺" in page
    assert officer.post(f"{url}reevaluate/", {"meeting": ev.meeting.pk}).status_code == 403
    staff.post(f"{url}reevaluate/", {"meeting": ev.meeting.pk})
    rect.refresh_from_db()
    assert rect.state == "reevaluating" and rect.reevaluation is not None
    assert rect.reevaluation.title in staff.get(url).content.decode()
