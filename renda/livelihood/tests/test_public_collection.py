"""人大之家 pages of 民生实事 (no log-in): the proposal form handled as the opinion form is
(markup stripped, size limited, rate-limited per address, Chinese messages, nothing written
when refused), tracking by code (state, never contact), the public list, and the 公告 of a
vote, which exists only after the count and matches the ballots."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from renda.livelihood import services
from renda.livelihood.models import Proposal

from .factories import DESCRIPTION, a_call, a_proposal, accepted, cast_all, make_hall, marks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()  # rate-limit counters of one test must not leak into the next


def form_token(client: Client, url: str) -> str:
    html = client.get(url).content.decode()
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found, "the form carries a one-time token"
    return found.group(1)


def post(client: Client, url: str, **fields: Any) -> Any:
    data = {
        "title": "坪石公路加宽硬化",
        "description": DESCRIPTION,
        "form_token": form_token(client, url),
        **fields,
    }
    return client.post(url, data)


def test_a_proposal_from_the_public_gets_a_tracking_code(world: Any) -> None:
    call = a_call(world)
    client = Client()
    url = reverse("livelihood:public_propose", args=[call.pk])
    response = post(client, url, contact_name="李阿姨", contact_phone="13912345678")
    p = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("livelihood:public_track_detail", args=[p.tracking_code])
    assert p.proposer_kind == "public" and p.contact_phone == "13912345678"
    page = client.get(response["Location"]).content.decode()
    assert p.formatted_code in page and "提交成功" in page and "已收到" in page
    assert "13912345678" not in page and "李阿姨" not in page


def test_markup_is_stripped(world: Any) -> None:
    call = a_call(world)
    url = reverse("livelihood:public_propose", args=[call.pk])
    post(
        Client(),
        url,
        title="<script>alert(1)</script>路灯",
        description="<b>镇上</b>路灯<img src=x onerror=alert(1)>坏了很久，晚上出行很不安全，请修复。",
        place="<i>解放路</i>",
    )
    p = Proposal.objects.get()
    assert p.title == "路灯"
    assert p.description == "镇上路灯坏了很久，晚上出行很不安全，请修复。"
    assert p.place == "解放路"


def test_a_huge_body_is_refused_in_chinese_and_nothing_is_saved(world: Any) -> None:
    call = a_call(world)
    url = reverse("livelihood:public_propose", args=[call.pk])
    response = post(Client(), url, description="路" * 50_000)
    assert response.status_code == 200
    assert "内容不能超过 2000 个字" in response.content.decode()
    short = post(Client(), url, description="修路")
    assert "至少 10 个字" in short.content.decode()
    assert not Proposal.objects.exists()


def test_a_flood_from_one_address_is_limited_and_keeps_the_text(world: Any) -> None:
    call = a_call(world)
    url = reverse("livelihood:public_propose", args=[call.pk])
    client = Client(REMOTE_ADDR="10.0.0.7")
    with override_settings(LIVELIHOOD_SUBMIT_LIMIT=2):
        for _ in range(2):
            assert post(client, url).status_code == 302
        blocked = post(client, url, place="解放路口")
        assert blocked.status_code == 429
        body = blocked.content.decode()
        assert "提交过于频繁" in body and "解放路口" in body
        other = Client(REMOTE_ADDR="10.0.0.8")
        assert post(other, url).status_code == 302
    assert Proposal.objects.count() == 3


def test_a_double_submission_makes_one_proposal(world: Any) -> None:
    call = a_call(world)
    url = reverse("livelihood:public_propose", args=[call.pk])
    client = Client()
    token = form_token(client, url)
    data = {"title": "公厕", "description": DESCRIPTION, "form_token": token}
    first, second = client.post(url, data), client.post(url, data)
    assert first["Location"] == second["Location"] and Proposal.objects.count() == 1


def test_a_bot_and_a_closed_call_store_nothing(world: Any) -> None:
    call = a_call(world)
    url = reverse("livelihood:public_propose", args=[call.pk])
    assert post(Client(), url, website="http://spam").status_code == 200
    services.close_call(actor=world.staff, call=call)
    refused = post(Client(), url)
    assert "未开放或已截止" in refused.content.decode()
    assert not Proposal.objects.exists()
    draft = a_call(world, year=2028, publish=False)
    assert Client().get(reverse("livelihood:public_propose", args=[draft.pk])).status_code == 404


def test_tracking_shows_the_state_and_reason_but_never_the_contact(world: Any) -> None:
    call = a_call(world)
    p = a_proposal(world, call, contact_name="王大姐", contact_phone="13900001111")
    services.reject_proposal(actor=world.staff, proposal=p, reason="已列入交通部门年度计划")
    client = Client()
    response = client.post(reverse("livelihood:public_track"), {"code": p.formatted_code.lower()})
    assert response.status_code == 302
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "未采纳" in body and "已列入交通部门年度计划" in body
    assert "13900001111" not in body and "王大姐" not in body
    assert page["Cache-Control"] == "no-store"


def test_a_wrong_code_and_a_flood_of_guesses(world: Any) -> None:
    client = Client(REMOTE_ADDR="10.0.0.9")
    url = reverse("livelihood:public_track_detail", args=["AAAABBBBCCCC"])
    with override_settings(LIVELIHOOD_TRACK_LIMIT=3):
        for _ in range(3):
            assert client.get(url).status_code == 404
        blocked = client.get(url)
    assert blocked.status_code == 429 and "查询次数过多" in blocked.content.decode()


def test_the_public_list_shows_what_became_of_each_proposal(world: Any) -> None:
    call = a_call(world)
    kept = a_proposal(world, call, "坪石公路", contact_phone="13900002222")
    dup = a_proposal(world, call, "修坪石的路")
    gone = a_proposal(world, call, "建高尔夫球场")
    services.merge_proposals(actor=world.staff, proposal=dup, into=kept)
    services.reject_proposal(actor=world.staff, proposal=gone, reason="不属于普惠性公益项目")
    body = Client().get(reverse("livelihood:public_proposals", args=[call.pk])).content.decode()
    assert "坪石公路" in body and "2 人次提出" in body
    assert "并入“坪石公路”" in body
    assert "不予采纳理由：不属于普惠性公益项目" in body
    assert "13900002222" not in body


def test_the_announcement_exists_only_after_the_count_and_matches_the_ballots(
    world: Any,
) -> None:
    hall = make_hall(world, deputies=5, seats=1, candidates=2)
    url = reverse("livelihood:public_results", args=[hall.vote.pk])
    assert Client().get(url).status_code == 404
    services.open_round(actor=world.staff, round_=hall.round)
    cast_all(hall, [marks(hall, 0), marks(hall, 0), marks(hall, 0, no=(1,)), marks(hall, 1), {}])
    assert Client().get(url).status_code == 404
    services.close_round(actor=world.staff, round_=hall.round)
    assert Client().get(url).status_code == 404  # closed, not yet counted
    services.count_round(actor=world.staff, round_=hall.round)
    page = Client().get(url).content.decode()
    first, second = (c.project.title for c in hall.candidates)
    rows = re.findall(
        r'<div class="fw-semibold me-auto text-break">([^<]+)</div>.*?赞成 <strong>(\d+)</strong>'
        r".*?反对 <strong>(\d+)</strong>.*?弃权 <strong>(\d+)</strong>",
        page,
        re.S,
    )
    assert rows == [(first, "3", "0", "2"), (second, "1", "1", "3")]
    assert "入选" in page and "未入选" in page
    round_ = hall.round
    assert round_.fingerprint[:8] in page
    assert reverse("livelihood:trackers", args=[round_.pk]) in page


def test_candidates_not_chosen_go_to_the_reserve(world: Any) -> None:
    call = a_call(world)
    # The hall gives a session in progress with checked-in deputies; this list is built
    # from the call and voted in the same session.
    hall = make_hall(world, deputies=3, seats=1, candidates=2)
    ready = [accepted(world, call, t) for t in ("入选项目", "落选项目", "另一个")]
    lst = services.build_candidate_list(
        actor=world.staff, meeting=hall.meeting, title="候选", seats=1, proposals=ready
    )
    services.confirm_candidate_list(actor=world.staff, candidate_list=lst, decision="主席团通过")
    vote = services.create_vote(actor=world.staff, candidate_list=lst)
    round_ = vote.rounds.get()
    services.open_round(actor=world.staff, round_=round_)
    first = lst.candidates.order_by("order").first()
    assert first is not None
    for user in hall.users:
        services.cast_ballot(actor=user, round_=round_, marks={first.pk: "yes"})
    services.close_round(actor=world.staff, round_=round_)
    services.count_round(actor=world.staff, round_=round_)
    assert services.reserve_not_chosen(actor=world.staff, vote=vote) == 2
    states = dict(Proposal.objects.values_list("title", "state"))
    assert states == {"入选项目": "candidate", "落选项目": "reserved", "另一个": "reserved"}
    body = Client().get(reverse("livelihood:public_proposals", args=[call.pk])).content.decode()
    assert "票决获选" in body and "票决未获选" in body
