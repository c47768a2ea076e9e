"""Suggestions on the 待办 list: the lead deputy's replies to rate (满意度测评) with their
deadline and invitations to co-sign; a handling unit's items to answer and co-handling
opinions it owes. Nobody sees another deputy's or another unit's."""

from __future__ import annotations

from typing import Any

import pytest

from renda.suggestions import services
from renda.suggestions.workbench import due

from .factories import assigned, draft, replied, scene

pytestmark = pytest.mark.django_db


def test_the_lead_deputy_rates_the_reply_by_its_deadline(world: Any) -> None:
    sc = scene(world, others=1)
    s = replied(sc)
    [item] = due(world.deputy)
    assert (item.kind, item.title) == ("建议", f"评价办理答复：{s.title}")
    assert item.due == s.due_at and s.due_at is not None
    assert item.url == f"/suggestions/{s.pk}/#rate"
    # Another deputy has nothing to rate; nor does the officer once the reply is sent.
    assert due(sc.others[0].user) == []
    assert due(world.handling_officer) == []
    services.rate_suggestion(actor=world.deputy, suggestion=s, rating="satisfied", comment="")
    assert due(world.deputy) == []


def test_an_invitation_to_co_sign_until_answered(world: Any) -> None:
    sc = scene(world, others=2)
    s = draft(sc)
    invited = sc.others[0]
    signature = services.invite_cosigner(actor=world.deputy, subject=s, deputy=invited)
    [item] = due(invited.user)
    assert item.title == f"联名邀请：{s.title}" and item.due is None
    assert due(sc.others[1].user) == []
    assert due(world.deputy) == []  # the lead deputy is not invited to their own item
    services.respond_signature(actor=invited.user, signature=signature, accept=True)
    assert due(invited.user) == []


def test_the_lead_unit_answers_and_the_co_unit_gives_its_opinion(world: Any) -> None:
    sc = scene(world, others=1)
    s = assigned(sc, co=True)
    [item] = due(world.handling_officer)
    assert item.title == f"答复建议：{s.title}" and item.due == s.due_at
    assert "办理中" in item.note
    [opinion] = due(sc.other_officer)
    assert opinion.title == f"协办意见：{s.title}"
    assert opinion.due is not None
    # Replied: nothing left for the lead unit.
    services.reply_suggestion(
        actor=world.handling_officer,
        suggestion=s,
        reply_class="A",
        content="已列入计划，年底前完工。",
        signer="刘局长",
    )
    assert due(world.handling_officer) == []
    assert due(world.staff) == [] and due(world.sc_member) == []
