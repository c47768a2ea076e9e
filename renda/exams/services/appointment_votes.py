"""The vote on an appointment list: 交付表决 only through the gate (services.appointments),
each nominee's result with its counts (赞成/反对/弃权, checked against the committee's
majority when the meeting lists its members), the appointment record (任免记录) an appointed
nominee gets, the 宪法宣誓 and the public 任免名单."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from renda.core import audit
from renda.core.models import AuditEvent
from renda.meetings import services as meeting_services
from renda.meetings.models import Meeting

from ..models import AppointmentList, AppointmentRecord, ListState, Nomination, VoteResult
from ..permissions import require_appointment_manager
from .appointments import gate, lock_list, person, status_of

# --- the vote ---------------------------------------------------------------------------------


def open_vote(*, actor: Any, appointment_list: AppointmentList) -> AppointmentList:
    """交付表决: only when every nominee has passed or is exempt. A refusal is audited (with
    who is missing) and raised."""
    require_appointment_manager(actor)
    with transaction.atomic():
        locked = lock_list(appointment_list)
        if locked.state != ListState.SUBMITTED:
            raise ValidationError(
                "名单尚未提请常委会。" if locked.state == ListState.DRAFT else "名单已交付表决。"
            )
        result = gate(locked)
        if result.open:
            locked.state = ListState.VOTING
            locked.vote_opened_at = timezone.now()
            locked.save(update_fields=["state", "vote_opened_at"])
            audit.record(
                actor=actor,
                action="exam.vote_open",
                target=locked,
                details={"nominees": len(result.rows)},
            )
            return locked
    audit.record(
        actor=actor,
        action="exam.vote_refused",
        target=appointment_list,
        outcome=AuditEvent.Outcome.FAILURE,
        details={"missing": [r.nomination.user_id for r in result.missing]},
    )
    if not result.rows:
        raise ValidationError("名单中没有拟任命人员。")
    raise ValidationError(
        f"不能交付表决：{len(result.missing)} 人未通过任前法律考试也未免考——{result.missing_text()}"
    )


def attending(meeting: Meeting) -> int:
    return meeting.members.filter(role="attend").count()


@transaction.atomic
def record_result(
    *,
    actor: Any,
    nomination: Nomination,
    result: str,
    votes_for: int,
    votes_against: int,
    abstentions: int,
) -> Nomination:
    """表决结果 of one nominee with its counts. Passed (过半数 of the committee's members,
    when the meeting lists them) makes an appointment record. Once every nominee has a
    result the list is voted."""
    require_appointment_manager(actor)
    locked = lock_list(nomination.appointment_list)
    if locked.state != ListState.VOTING:
        raise ValidationError("名单尚未交付表决，不能登记表决结果。")
    current = Nomination.objects.select_for_update().select_related("user").get(pk=nomination.pk)
    if current.result:
        raise ValidationError(f"{person(current.user)}的表决结果已经登记。")
    if not status_of(current).clear:
        raise ValidationError(f"{person(current.user)}未通过任前法律考试也未免考。")
    if result not in (VoteResult.PASSED, VoteResult.REJECTED):
        raise ValidationError({"result": "请选择通过或未通过。"})
    counts = (votes_for, votes_against, abstentions)
    if any(c is None or c < 0 for c in counts) or sum(counts) == 0:
        raise ValidationError({"votes_for": "请填写赞成、反对、弃权票数。"})
    members = attending(locked.meeting)
    if members:
        if sum(counts) > members:
            raise ValidationError(
                {"votes_for": f"票数合计 {sum(counts)} 超过常委会组成人员 {members} 人。"}
            )
        carried = votes_for * 2 > members
        if carried != (result == VoteResult.PASSED):
            raise ValidationError(
                {
                    "result": f"赞成 {votes_for} 票{'已' if carried else '未'}过常委会组成人员"
                    f"（{members} 人）半数，结果应为“{'通过' if carried else '未通过'}”。"
                }
            )
    current.result = result
    current.votes_for, current.votes_against, current.abstentions = counts
    current.result_recorded_at = timezone.now()
    current.full_clean()
    current.save()
    record = None
    if result == VoteResult.PASSED:
        record = AppointmentRecord.objects.create(
            user=current.user,
            nomination=current,
            post=current.post,
            position_category=current.position_category,
            nominating_body=locked.nominating_body,
            appointed_on=locked.meeting.start_date,
        )
    outcome_written = False
    if not locked.nominations.filter(result="").exists():
        locked.state = ListState.VOTED
        locked.voted_at = timezone.now()
        locked.save(update_fields=["state", "voted_at"])
        if locked.agenda_item is not None:
            outcome_written = (
                meeting_services.record_source_outcome(
                    actor=actor, item=locked.agenda_item, text=outcome_text(locked)
                )
                is not None
            )
    audit.record(
        actor=actor,
        action="exam.vote_result",
        target=current,
        details={
            "result": result,
            "for": votes_for,
            "against": votes_against,
            "abstain": abstentions,
            "record": record.pk if record else None,
            "list_voted": locked.state == ListState.VOTED,
            "agenda_outcome": outcome_written,
        },
    )
    return current


def outcome_text(appointment_list: AppointmentList) -> str:
    """The agenda item's 表决结果 once every nominee has one: who was appointed to what, with
    the counts, in list order."""
    rows = appointment_list.nominations.select_related("user").order_by("order")
    parts = [
        f"{person(n.user)}任{n.post}{'通过' if n.result == VoteResult.PASSED else '未通过'}"
        f"（赞成 {n.votes_for}、反对 {n.votes_against}、弃权 {n.abstentions}）"
        for n in rows
    ]
    passed = sum(1 for n in rows if n.result == VoteResult.PASSED)
    return f"表决{len(parts)}人，通过 {passed} 人：" + "；".join(parts) + "。"


@transaction.atomic
def record_oath(*, actor: Any, record: AppointmentRecord, oath_on: dt.date) -> AppointmentRecord:
    """宪法宣誓: on or after the appointment day, not in the future."""
    require_appointment_manager(actor)
    current = AppointmentRecord.objects.select_for_update().get(pk=record.pk)
    if oath_on < current.appointed_on:
        raise ValidationError({"oath_on": "宣誓日期不能早于任命日期。"})
    if oath_on > timezone.localdate():
        raise ValidationError({"oath_on": "宣誓日期不能晚于今天。"})
    before = current.oath_on
    current.oath_on = oath_on
    current.full_clean()
    current.save(update_fields=["oath_on"])
    audit.record(
        actor=actor,
        action="exam.oath_record",
        target=current,
        details={"oath_on": oath_on.isoformat(), "before": before.isoformat() if before else None},
    )
    return current


def record_letter(*, actor: Any, record: AppointmentRecord) -> None:
    audit.record(actor=actor, action="exam.appointment_letter", target=record, details={})


def appointed(appointment_list: AppointmentList) -> list[Nomination]:
    """The public 任免名单: the nominees the committee appointed, in list order."""
    if appointment_list.state != ListState.VOTED:
        return []
    return list(
        appointment_list.nominations.filter(result=VoteResult.PASSED)
        .select_related("user")
        .order_by("order")
    )
