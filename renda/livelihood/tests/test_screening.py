"""筛选: the review and the negative-list checks (a fail needs its reason, in the service and
in the database), accepting only what passes, rejection with a public reason, and the
candidate list of N + k accepted proposals made into projects, which the presidium then
confirms through the existing service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings

from renda.core.models import AuditEvent
from renda.core.workflow import history
from renda.livelihood import services
from renda.livelihood.models import Candidate, Project, Proposal, Screening
from renda.meetings.tests.factories import make_meeting

from .factories import a_call, a_proposal, accepted, review

pytestmark = pytest.mark.django_db


def test_a_failed_check_needs_its_reason(world: Any) -> None:
    p = a_proposal(world, a_call(world))
    with pytest.raises(ValidationError) as refused:
        review(world, p, debt_ok=False, stability_ok=False)
    assert set(refused.value.message_dict) == {"debt_reason", "stability_reason"}
    assert not Screening.objects.exists()
    screening = review(world, p, debt_ok=False, debt_reason="需新增专项债务 3000 万元")
    p.refresh_from_db()
    assert p.state == "screening" and not screening.passes_negative_list
    assert screening.failed_checks() == [("不新增政府债务风险", "需新增专项债务 3000 万元")]
    # The database refuses it too, whatever code writes.
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.filter(pk=screening.pk).update(debt_reason="")


def test_only_a_proposal_that_passes_every_check_is_accepted(world: Any) -> None:
    call = a_call(world)
    p = a_proposal(world, call)
    with pytest.raises(ValidationError, match="请先填写"):
        services.accept_proposal(actor=world.staff, proposal=p)
    review(world, p, burden_ok=False, burden_reason="需向沿线商户收取配套费")
    with pytest.raises(ValidationError, match="不增加群众和企业负担"):
        services.accept_proposal(actor=world.staff, proposal=p)
    review(world, p)  # revised: the fee was dropped
    assert services.accept_proposal(actor=world.staff, proposal=p).state == "accepted"
    with pytest.raises(ValidationError, match="不能再修改"):
        review(world, p)


def test_a_rejection_needs_a_reason_that_is_kept_for_the_public(world: Any) -> None:
    p = a_proposal(world, a_call(world))
    with pytest.raises(ValidationError):
        services.reject_proposal(actor=world.staff, proposal=p, reason="  ")
    p.refresh_from_db()
    assert p.state == "submitted"
    services.reject_proposal(
        actor=world.staff, proposal=p, reason="<b>属于</b>企业经营事项，不属于政府民生实事范围"
    )
    p.refresh_from_db()
    assert p.state == "rejected"
    assert p.decision_note == "属于企业经营事项，不属于政府民生实事范围"
    assert [e.event.transition for e in history(p)] == ["reject"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=p.pk).update(decision_note="")


def _build(world: Any, proposals: list[Any], seats: int, **kw: Any) -> Any:
    return services.build_candidate_list(
        actor=world.staff,
        meeting=make_meeting(world),
        title="2027年市政府民生实事候选项目",
        seats=seats,
        proposals=proposals,
        **kw,
    )


def test_the_list_takes_n_plus_two_by_default(world: Any) -> None:
    call = a_call(world)
    ready = [accepted(world, call, f"项目{i}") for i in range(5)]
    with pytest.raises(ValidationError, match="须选 5 个"):
        _build(world, ready[:4], seats=3)
    lst = _build(world, ready, seats=3)
    cands = list(Candidate.objects.filter(candidate_list=lst).select_related("project"))
    assert [c.project.title for c in cands] == [f"项目{i}" for i in range(5)]
    project = cands[0].project
    assert (project.estimated_cost, project.lead_unit, project.year, project.region) == (
        Decimal("2000000.00"),
        world.department,
        2027,
        world.county,
    )
    for p in ready:
        p.refresh_from_db()
        assert p.state == "candidate" and p.project is not None
    assert AuditEvent.objects.filter(action="livelihood.list_build").count() == 1
    # The presidium's confirmation is the existing step, unchanged.
    confirmed = services.confirm_candidate_list(
        actor=world.staff, candidate_list=lst, decision="主席团第二次会议通过"
    )
    assert confirmed.confirmed_at is not None


def test_k_is_configurable_but_never_below_one(world: Any) -> None:
    call = a_call(world)
    ready = [accepted(world, call) for _ in range(4)]
    with pytest.raises(ValidationError, match="至少比应选数多 1"):
        _build(world, ready[:3], seats=3, extra=0)
    with override_settings(LIVELIHOOD_EXTRA_CANDIDATES=1):
        lst = _build(world, ready, seats=3)
    assert lst.candidates.count() == 4 and lst.seats == 3


def test_the_list_refuses_what_was_not_accepted_and_writes_nothing(world: Any) -> None:
    call = a_call(world)
    ready = [accepted(world, call) for _ in range(2)]
    pending = a_proposal(world, call, "未审查的项目")
    with pytest.raises(ValidationError, match="未审查通过：未审查的项目"):
        _build(world, [*ready, pending], seats=1)
    other = accepted(world, a_call(world, year=2028))
    with pytest.raises(ValidationError, match="同一次征集"):
        _build(world, [*ready, other], seats=1)
    with pytest.raises(ValidationError, match="选了两次"):
        _build(world, [ready[0], ready[0], ready[1]], seats=1)
    assert not Project.objects.exists()
    assert set(Proposal.objects.values_list("state", flat=True)) == {"accepted", "submitted"}
