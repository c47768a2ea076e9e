"""The whole loop through the services: submit, register, assign, return and reassign,
co-handle, reply, rate, re-handle, track, close — and the records it leaves."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from renda.core.models import AuditEvent, Notification, WorkflowEvent
from renda.core.workflow import TransitionNotAllowed, apply_transition
from renda.deputies.models import DutyRecord
from renda.suggestions import services
from renda.suggestions.models import Assignment, Evaluation, Reply

from .factories import assigned, draft, registered, replied, scene, submitted

pytestmark = pytest.mark.django_db


def test_it_runs_the_whole_loop(world: Any) -> None:
    sc = scene(world)
    s = draft(sc)
    services.submit_suggestion(actor=world.deputy, suggestion=s)
    assert s.state == "submitted" and s.due_at is not None
    services.register_suggestion(actor=world.staff, suggestion=s, field="urban")
    assert s.code == "第18届闭会期间第0001号"
    assert s.committee is None  # no special committee in the test world
    services.assign_suggestion(
        actor=world.staff, suggestion=s, mode="lead", lead_unit=sc.other_unit, co_units=[sc.unit]
    )
    # The lead unit returns it (not its remit); staff reassign with 住建局 leading.
    services.return_assignment(actor=sc.other_officer, suggestion=s, reason="排水管网属住建局职责")
    assert s.state == "returned"
    services.assign_suggestion(
        actor=world.staff, suggestion=s, mode="lead", lead_unit=sc.unit, co_units=[sc.other_unit]
    )
    assert s.state == "assigned"
    assert Assignment.objects.filter(suggestion=s, active=True).count() == 2
    services.submit_co_opinion(
        actor=sc.other_officer, suggestion=s, opinion="配合做好道路开挖审批。"
    )
    services.add_handling_note(
        actor=world.handling_officer,
        suggestion=s,
        kind="contact",
        method="site",
        occurred_on=timezone.localdate(),
        content="与代表实地察看小区排水情况。",
    )
    services.reply_suggestion(
        actor=world.handling_officer,
        suggestion=s,
        reply_class="B",
        content="已列入明年城建计划，正在做前期设计。",
        signer="刘局长",
    )
    assert s.state == "replied" and s.reply_class == "B"
    # Not satisfied: re-handling, key supervision, a new round.
    services.rate_suggestion(
        actor=world.deputy, suggestion=s, rating="dissatisfied", comment="进度太慢"
    )
    assert (s.state, s.round, s.is_key, s.rehandle_count) == ("rehandling", 2, True, 1)
    services.reply_suggestion(
        actor=world.handling_officer,
        suggestion=s,
        reply_class="B",
        content="已调整计划，本年内开工，施工期间每月向代表通报进展。",
        signer="刘局长",
    )
    # Basically satisfied with a B answer: tracked until solved.
    services.rate_suggestion(actor=world.deputy, suggestion=s, rating="basic")
    assert (s.state, s.round) == ("tracking", 3)
    services.reply_suggestion(
        actor=world.handling_officer,
        suggestion=s,
        reply_class="A",
        content="排水管网改造已完工，经验收合格，雨季未再出现积水。",
        signer="刘局长",
    )
    services.rate_suggestion(actor=world.deputy, suggestion=s, rating="satisfied")
    assert s.state == "closed" and s.satisfaction == "satisfied"

    transitions = list(
        WorkflowEvent.objects.filter(object_id=str(s.pk), workflow="suggestion").values_list(
            "transition", flat=True
        )
    )
    assert transitions == [
        "submit",
        "register",
        "assign",
        "return",
        "assign",
        "reply",
        "rate_dissatisfied",
        "reply",
        "rate_track",
        "reply",
        "rate_close",
    ]
    assert Reply.objects.filter(suggestion=s).count() == 3
    assert list(Evaluation.objects.filter(suggestion=s).values_list("rating", flat=True)) == [
        "dissatisfied",
        "basic",
        "satisfied",
    ]
    assert AuditEvent.objects.filter(action="suggestion.reply").count() == 3


def test_it_records_a_duty_record_for_each_signer_once(world: Any) -> None:
    sc = scene(world)
    s = draft(sc)
    signature = services.invite_cosigner(actor=world.deputy, subject=s, deputy=sc.others[0])
    services.respond_signature(actor=sc.others[0].user, signature=signature, accept=True)
    services.invite_cosigner(actor=world.deputy, subject=s, deputy=sc.others[1])  # never confirms
    services.submit_suggestion(actor=world.deputy, suggestion=s)
    records = DutyRecord.objects.filter(kind="suggestion", source_id=str(s.pk))
    assert {r.deputy_id for r in records} == {sc.me.pk, sc.others[0].pk}
    assert s.signatures.count() == 2  # the unconfirmed invitation lapsed
    assert getattr(s, "_lapsed_invitations", 0) == 1


def test_it_tells_the_invited_deputy(world: Any) -> None:
    sc = scene(world)
    s = draft(sc)
    services.invite_cosigner(actor=world.deputy, subject=s, deputy=sc.others[0])
    assert Notification.objects.filter(recipient=sc.others[0].user, title__contains="联名").exists()


def test_it_numbers_items_per_sitting_in_order(world: Any) -> None:
    sc = scene(world)
    codes = [registered(sc, title=f"建议{i}号关于道路修缮").code for i in range(3)]
    assert codes == [f"第18届闭会期间第000{i}号" for i in (1, 2, 3)]


def test_it_splits_handling_and_waits_for_every_unit(world: Any) -> None:
    sc = scene(world)
    s = registered(sc)
    services.assign_suggestion(
        actor=world.staff, suggestion=s, mode="split", split_units=[sc.unit, sc.other_unit]
    )
    services.reply_suggestion(
        actor=world.handling_officer,
        suggestion=s,
        reply_class="A",
        content="本局负责的管网部分已完成改造。",
        signer="刘局长",
    )
    s.refresh_from_db()
    assert s.state == "assigned"  # the other split unit has not answered
    services.reply_suggestion(
        actor=sc.other_officer,
        suggestion=s,
        reply_class="C",
        content="道路部分受资金限制，暂列入储备项目。",
        signer="王局长",
    )
    s.refresh_from_db()
    assert s.state == "replied" and s.reply_class == "C"  # counted as its least-solved part


def test_it_lets_a_co_unit_return_only_its_part(world: Any) -> None:
    sc = scene(world)
    s = assigned(sc, co=True)
    services.return_assignment(actor=sc.other_officer, suggestion=s, reason="不涉及交通")
    s.refresh_from_db()
    assert s.state == "assigned"
    assert not Assignment.objects.get(suggestion=s, unit=sc.other_unit).active


def test_it_merges_a_duplicate_and_answers_its_deputy_too(world: Any) -> None:
    sc = scene(world)
    main = registered(sc)
    other = sc.others[0]
    dup = services.create_suggestion(
        actor=other.user,
        deputy=other,
        title="关于老旧小区排水改造的建议",
        content="老旧小区雨污管网老化，请尽快改造排水管网。",
    )
    services.submit_suggestion(actor=other.user, suggestion=dup)
    services.merge_suggestion(actor=world.staff, suggestion=dup, into=main)
    assert dup.state == "merged" and dup.duplicate_of == main
    services.assign_suggestion(actor=world.staff, suggestion=main, mode="lead", lead_unit=sc.unit)
    services.reply_suggestion(
        actor=world.handling_officer,
        suggestion=main,
        reply_class="A",
        content="已完成改造，感谢代表关心。",
        signer="刘局长",
    )
    assert Notification.objects.filter(recipient=other.user, title__contains="已答复").exists()
    assert (
        Notification.objects.filter(recipient=world.deputy, title__contains="已答复").count() == 1
    )


def test_it_approves_an_extension_to_six_months_from_assignment(world: Any) -> None:
    sc = scene(world)
    s = assigned(sc)
    first_due = s.due_at
    apply_transition(
        actor=world.handling_officer, obj=s, transition="request_extension", note="涉及多个部门协调"
    )
    apply_transition(actor=world.staff, obj=s, transition="approve_extension")
    assert s.state == "assigned"
    assert s.due_at and first_due and (s.due_at - first_due).days >= 85  # three more months


def test_it_publishes_without_contact_data(world: Any) -> None:
    sc = scene(world)
    s = replied(sc, content="请联系我 13912345678，小区排水管网老化严重，建议尽快改造。")
    with pytest.raises(ValidationError) as error:
        services.publish_suggestion(
            actor=world.staff, suggestion=s, title=s.title, content=s.content, reply="已改造完成。"
        )
    assert "手机号" in str(error.value)
    s.refresh_from_db()
    assert s.published_at is None
    services.publish_suggestion(
        actor=world.staff,
        suggestion=s,
        title=s.title,
        content=services.redact(s.content),
        reply="已改造完成。",
    )
    assert s.published_at is not None and "13912345678" not in s.public_content


def test_it_refuses_to_publish_what_the_deputy_kept_private(world: Any) -> None:
    sc = scene(world)
    s = replied(sc, allow_public=False)
    with pytest.raises(ValidationError, match="不公开"):
        services.publish_suggestion(
            actor=world.staff, suggestion=s, title="t", content="c", reply="r"
        )


def test_it_lets_staff_enter_a_paper_rating(world: Any) -> None:
    sc = scene(world)
    s = replied(sc)
    services.rate_suggestion(actor=world.staff, suggestion=s, rating="satisfied")
    assert s.state == "closed"
    assert Evaluation.objects.get(suggestion=s).deputy == sc.me


def test_it_refuses_a_rating_by_another_deputy(world: Any) -> None:
    sc = scene(world)
    s = replied(sc)
    with pytest.raises(PermissionDenied):
        services.rate_suggestion(actor=sc.others[0].user, suggestion=s, rating="satisfied")
    s.refresh_from_db()
    assert s.state == "replied"


def test_it_refuses_an_illegal_transition_loudly(world: Any) -> None:
    sc = scene(world)
    s = submitted(sc)
    with pytest.raises(TransitionNotAllowed, match="不能执行“交办”"):
        services.assign_suggestion(actor=world.staff, suggestion=s, mode="lead", lead_unit=sc.unit)
    assert not Assignment.objects.filter(suggestion=s).exists()
