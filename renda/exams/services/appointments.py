"""The appointment list and its gate (任前必考、不漏一人).

A nominee's exam status is derived, never typed in: from the released attempts of the
sittings the list enrolled them in (core source links Nomination → Enrolment, written by
`enrol_nominee` through sittings.enrol), or from an exemption that names an earlier pass (an
AppointmentRecord or a released, passed attempt of the same person) and a reason. One makeup
exam is allowed after a fail; a second fail is final and the system drafts the committee's
advice to withdraw the nomination. The list goes to the vote (appointment_votes.open_vote)
only when every nominee has passed or is exempt; a refusal is audited and names who is
missing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from renda.core import audit
from renda.core.models import Organization, SourceLink
from renda.core.roles import Role
from renda.core.sources import Source
from renda.meetings import services as meeting_services
from renda.meetings.models import AgendaItem, Meeting

from ..models import (
    AppointmentList,
    AppointmentRecord,
    Attempt,
    Enrolment,
    ExamSitting,
    ListState,
    Nomination,
    PositionCategory,
)
from ..permissions import require_appointment_manager
from . import sittings as sitting_services

MAX_ATTEMPTS = 2  # the exam and one makeup (补考)
ISSUER = "冷水江市人民代表大会常务委员会"
MEETING_KINDS = (Meeting.Kind.STANDING,)


def person(user: Any) -> str:
    return str(getattr(user, "name", "") or user.get_username())


def _actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _day(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


# --- the derived status ------------------------------------------------------------------------


class Status:
    PASSED = "passed"
    EXEMPT = "exempt"
    NOT_ENROLLED = "not_enrolled"
    WAITING = "waiting"  # enrolled; no released result yet
    MAKEUP = "makeup"  # failed once: one makeup exam allowed
    FAILED_FINAL = "failed_final"


LABELS = {
    Status.PASSED: "考试合格",
    Status.EXEMPT: "免考",
    Status.NOT_ENROLLED: "未安排考试",
    Status.WAITING: "待考或成绩未发布",
    Status.MAKEUP: "不合格，可补考一次",
    Status.FAILED_FINAL: "补考不合格",
}
CLEAR = (Status.PASSED, Status.EXEMPT)


@dataclass
class NomineeStatus:
    nomination: Nomination
    code: str
    attempts: list[Attempt] = field(default_factory=list)  # released, oldest first
    pending: int = 0  # enrolments without a released result

    @property
    def label(self) -> str:
        return LABELS[self.code]

    @property
    def clear(self) -> bool:
        return self.code in CLEAR

    @property
    def passed_attempt(self) -> Attempt | None:
        return next((a for a in self.attempts if a.passed), None)

    @property
    def name(self) -> str:
        return person(self.nomination.user)


def _enrolment_links(nominations: Iterable[Nomination]) -> dict[int, list[int]]:
    """nomination pk → the pks of the enrolments it made (source links)."""
    ids = [n.pk for n in nominations]
    links = SourceLink.objects.filter(
        source_type=ContentType.objects.get_for_model(Nomination),
        source_id__in=ids,
        target_type=ContentType.objects.get_for_model(Enrolment),
    ).values_list("source_id", "target_id")
    found: dict[int, list[int]] = {}
    for source_id, target_id in links:
        found.setdefault(source_id, []).append(target_id)
    return found


def statuses(nominations: Iterable[Nomination]) -> list[NomineeStatus]:
    """Each nomination's derived exam status (three queries for any number of them)."""
    rows = list(nominations)
    links = _enrolment_links(rows)
    enrolment_ids = [pk for pks in links.values() for pk in pks]
    attempts = {
        a.enrolment_id: a
        for a in Attempt.objects.filter(enrolment_id__in=enrolment_ids).select_related(
            "enrolment__sitting"
        )
    }
    result = []
    for nomination in rows:
        released = sorted(
            (
                attempts[pk]
                for pk in links.get(nomination.pk, [])
                if pk in attempts and attempts[pk].released_at is not None
            ),
            key=lambda a: (a.released_at, a.pk),
        )
        pending = sum(
            1
            for pk in links.get(nomination.pk, [])
            if pk not in attempts or attempts[pk].released_at is None
        )
        if nomination.is_exempt:
            code = Status.EXEMPT
        elif any(a.passed for a in released):
            code = Status.PASSED
        elif len(released) >= MAX_ATTEMPTS:
            code = Status.FAILED_FINAL
        elif pending:
            code = Status.WAITING
        elif released:
            code = Status.MAKEUP
        else:
            code = Status.NOT_ENROLLED
        result.append(NomineeStatus(nomination, code, released, pending))
    return result


def status_of(nomination: Nomination) -> NomineeStatus:
    return statuses([nomination])[0]


@dataclass
class Gate:
    appointment_list: AppointmentList
    rows: list[NomineeStatus]

    @property
    def missing(self) -> list[NomineeStatus]:
        return [r for r in self.rows if not r.clear]

    @property
    def open(self) -> bool:
        return bool(self.rows) and not self.missing

    def missing_text(self) -> str:
        return "、".join(f"{r.name}（{r.label}）" for r in self.missing)


def gate(appointment_list: AppointmentList) -> Gate:
    nominations = appointment_list.nominations.select_related("user").order_by("order")
    return Gate(appointment_list, statuses(nominations))


def agenda_note(item: AgendaItem, sources: list[SourceLink]) -> list[str]:
    """What a meeting's agenda item from an appointment list says about the gate (registered
    with meetings.links from the app config)."""
    list_type = ContentType.objects.get_for_model(AppointmentList)
    notes = []
    for link in sources:
        if link.source_type_id != list_type.pk:
            continue
        found = AppointmentList.objects.filter(pk=link.source_id).first()
        if found is None:
            continue
        result = gate(found)
        if not result.rows:
            notes.append("任前法律考试：名单中还没有拟任命人员。")
        elif result.missing:
            notes.append(
                f"任前法律考试：尚有 {len(result.missing)} 人未通过或未免考，不能交付表决——"
                f"{result.missing_text()}"
            )
        else:
            notes.append(f"任前法律考试：{len(result.rows)} 人均已合格或免考，可以交付表决。")
    return notes


# --- the list ---------------------------------------------------------------------------------


def lock_list(appointment_list: AppointmentList) -> AppointmentList:
    return (
        AppointmentList.objects.select_for_update()
        .select_related("meeting", "nominating_body")
        .get(pk=appointment_list.pk)
    )


def _check_meeting(meeting: Meeting) -> None:
    if meeting.kind not in MEETING_KINDS:
        raise ValidationError({"meeting": "提请任命名单只能提请常委会会议。"})
    if meeting.state == "closed":
        raise ValidationError({"meeting": f"“{meeting.title}”已闭会。"})


@transaction.atomic
def create_list(
    *,
    actor: Any,
    title: str,
    nominating_body: Organization,
    meeting: Meeting,
    lead_days: int | None = None,
) -> AppointmentList:
    require_appointment_manager(actor)
    _check_meeting(meeting)
    appointment_list = AppointmentList(
        title=" ".join(title.split()),
        nominating_body=nominating_body,
        meeting=meeting,
        created_by=_actor_or_none(actor),
    )
    if lead_days is not None:
        appointment_list.lead_days = lead_days
    if not appointment_list.title:
        raise ValidationError({"title": "请填写名单名称。"})
    appointment_list.full_clean()
    appointment_list.save()
    audit.record(
        actor=actor,
        action="exam.applist_create",
        target=appointment_list,
        details={
            "body": nominating_body.pk,
            "meeting": meeting.pk,
            "lead_days": appointment_list.lead_days,
        },
    )
    return appointment_list


@transaction.atomic
def add_nomination(
    *,
    actor: Any,
    appointment_list: AppointmentList,
    user: Any,
    post: str,
    position_category: str,
) -> Nomination:
    """A nominee on the list: only before the list goes to the vote."""
    require_appointment_manager(actor)
    locked = lock_list(appointment_list)
    if locked.state not in (ListState.DRAFT, ListState.SUBMITTED):
        raise ValidationError("名单已交付表决，不能再增加人员。")
    if getattr(user, "role", None) != Role.NOMINEE or not user.is_active:
        raise ValidationError({"user": "只能提请“拟任命人员”账号。"})
    if locked.nominations.filter(user=user).exists():
        raise ValidationError({"user": f"{person(user)} 已在名单中。"})
    post = " ".join(post.split())
    if not post:
        raise ValidationError({"post": "请填写拟任职务。"})
    if position_category not in PositionCategory.values:
        raise ValidationError({"position_category": "请选择岗位类别。"})
    last = max(locked.nominations.values_list("order", flat=True), default=0)
    nomination = Nomination(
        appointment_list=locked,
        user=user,
        post=post[:200],
        position_category=position_category,
        order=last + 1,
    )
    nomination.full_clean()
    nomination.save()
    audit.record(
        actor=actor,
        action="exam.nomination_add",
        target=nomination,
        details={"list": locked.pk, "user": user.pk, "post": nomination.post},
    )
    return nomination


@transaction.atomic
def remove_nomination(*, actor: Any, nomination: Nomination, reason: str) -> None:
    """Take a nominee off before the vote (the body withdrew them); their enrolments stay."""
    require_appointment_manager(actor)
    locked = lock_list(nomination.appointment_list)
    if locked.state not in (ListState.DRAFT, ListState.SUBMITTED):
        raise ValidationError("名单已交付表决，不能再移除人员。")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写移除理由（如提请机关撤回提请）。"})
    current = Nomination.objects.select_related("user").get(pk=nomination.pk)
    audit.record(
        actor=actor,
        action="exam.nomination_remove",
        target=locked,
        details={"user": current.user_id, "post": current.post, "reason": reason},
    )
    current.delete()


def days_before(appointment_list: AppointmentList, when: dt.datetime) -> int:
    """Whole calendar days from `when` (local date) to the meeting's first day."""
    return (appointment_list.meeting.start_date - timezone.localdate(when)).days


def list_source(appointment_list: AppointmentList) -> Source:
    return Source(
        obj=appointment_list,
        label=f"提请任命名单：{appointment_list.title}（{appointment_list.nominating_body.name}）",
        url=reverse("exams:applist_detail", args=[appointment_list.pk]),
    )


@transaction.atomic
def submit_list(
    *, actor: Any, appointment_list: AppointmentList, now: dt.datetime | None = None
) -> AppointmentList:
    """提请: at least `lead_days` days before the meeting, with at least one nominee; the list
    becomes an item of the meeting's agenda (选举任免)."""
    require_appointment_manager(actor)
    locked = lock_list(appointment_list)
    if locked.state != ListState.DRAFT:
        raise ValidationError("名单已经提请。")
    _check_meeting(locked.meeting)
    count = locked.nominations.count()
    if not count:
        raise ValidationError("名单中还没有拟任命人员。")
    now = now or timezone.now()
    ahead = days_before(locked, now)
    if ahead < locked.lead_days:
        raise ValidationError(
            f"须在会议召开 {locked.lead_days} 日前提请：会议于"
            f"{_day(locked.meeting.start_date)}召开，距今只有 {max(ahead, 0)} 日。"
        )
    first = locked.nominations.select_related("user").order_by("order").first()
    assert first is not None
    who = person(first.user) + (f"等{count}人" if count > 1 else "")
    item = meeting_services.put_on_agenda(
        actor=actor,
        meeting=locked.meeting,
        title=f"审议{locked.nominating_body.name}关于提请任命{who}职务的议案",
        source=list_source(locked),
        kind=AgendaItem.Kind.ELECTION,
    )
    locked.state = ListState.SUBMITTED
    locked.submitted_at = now
    locked.agenda_item = item
    locked.save(update_fields=["state", "submitted_at", "agenda_item"])
    audit.record(
        actor=actor,
        action="exam.applist_submit",
        target=locked,
        details={"meeting": locked.meeting_id, "item": item.pk, "days_ahead": ahead},
    )
    return locked


# --- exams, makeups, exemptions -----------------------------------------------------------------


@transaction.atomic
def enrol_nominee(*, actor: Any, nomination: Nomination, sitting: ExamSitting) -> Enrolment:
    """Enrol the nominee in `sitting` for this list: the first exam, or the one makeup after
    a fail. Refused once passed or exempt, while a result is awaited, and after the makeup."""
    require_appointment_manager(actor)
    locked = lock_list(nomination.appointment_list)
    if locked.state == ListState.VOTED:
        raise ValidationError("名单已表决。")
    current = Nomination.objects.select_related("user").get(pk=nomination.pk)
    status = status_of(current)
    refusals = {
        Status.PASSED: "已考试合格，无需再考。",
        Status.EXEMPT: "已免考。",
        Status.WAITING: "已安排考试，成绩发布后才能安排补考。",
        Status.FAILED_FINAL: "补考仍不合格，只能补考一次；请向提请机关发出建议撤回提请的意见。",
    }
    if status.code in refusals:
        raise ValidationError(f"{status.name}{refusals[status.code]}")
    makeup = status.code == Status.MAKEUP
    enrolment = sitting_services.enrol(
        actor=actor,
        sitting=sitting,
        user=current.user,
        reason=f"{'补考：' if makeup else ''}拟任{current.post}，{locked.nominating_body.name}提请",
        source=Source(
            obj=current,
            label=f"提请任命名单：{locked.title}",
            url=reverse("exams:applist_detail", args=[locked.pk]),
        ),
    )
    audit.record(
        actor=actor,
        action="exam.nominee_enrol",
        target=current,
        details={"sitting": sitting.pk, "enrolment": enrolment.pk, "makeup": makeup},
    )
    return enrolment


def exemption_candidates(user: Any) -> tuple[list[AppointmentRecord], list[Attempt]]:
    """An earlier pass of `user` an exemption may name: their appointment records and their
    released, passed attempts, newest first."""
    records = list(
        AppointmentRecord.objects.filter(user=user)
        .select_related("nominating_body")
        .order_by("-appointed_on", "-pk")
    )
    attempts = list(
        Attempt.objects.filter(enrolment__user=user, released_at__isnull=False, passed=True)
        .select_related("enrolment__sitting")
        .order_by("-released_at", "-pk")
    )
    return records, attempts


@transaction.atomic
def exempt_nomination(
    *,
    actor: Any,
    nomination: Nomination,
    reason: str,
    record: AppointmentRecord | None = None,
    attempt: Attempt | None = None,
) -> Nomination:
    """免考: the nominee passed before (an appointment record, or a released passed attempt,
    of the same person) and moves to an equivalent post; `reason` says why."""
    require_appointment_manager(actor)
    locked = lock_list(nomination.appointment_list)
    if locked.state not in (ListState.DRAFT, ListState.SUBMITTED):
        raise ValidationError("名单已交付表决，不能再登记免考。")
    current = Nomination.objects.select_for_update().get(pk=nomination.pk)
    reason = reason.strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "请填写免考理由（如已于某年考试合格，现平级转任）。"
    if (record is None) == (attempt is None):
        errors["record"] = (
            "免考须关联一项此前的合格记录（任免记录或已发布的合格成绩），且只关联一项。"
        )
    elif record is not None and record.user_id != current.user_id:
        errors["record"] = "所选任免记录不是本人的。"
    elif attempt is not None:
        fresh = Attempt.objects.select_related("enrolment").get(pk=attempt.pk)
        if fresh.enrolment.user_id != current.user_id:
            errors["record"] = "所选成绩不是本人的。"
        elif fresh.released_at is None or not fresh.passed:
            errors["record"] = "只能关联已发布且合格的成绩。"
    if errors:
        raise ValidationError(errors)
    current.exempt_reason = reason[:500]
    current.exempt_record = record
    current.exempt_attempt = attempt
    current.exempted_at = timezone.now()
    current.full_clean()
    current.save()
    audit.record(
        actor=actor,
        action="exam.nomination_exempt",
        target=current,
        details={
            "reason": current.exempt_reason,
            "record": record.pk if record else None,
            "attempt": attempt.pk if attempt else None,
        },
    )
    return current


@transaction.atomic
def cancel_exemption(*, actor: Any, nomination: Nomination, reason: str) -> Nomination:
    require_appointment_manager(actor)
    locked = lock_list(nomination.appointment_list)
    if locked.state not in (ListState.DRAFT, ListState.SUBMITTED):
        raise ValidationError("名单已交付表决，不能再撤销免考。")
    current = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if not current.is_exempt:
        raise ValidationError("此人没有免考。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写撤销理由。"})
    before = {"reason": current.exempt_reason, "record": current.exempt_record_id}
    current.exempt_reason = ""
    current.exempt_record = None
    current.exempt_attempt = None
    current.exempted_at = None
    current.save()
    audit.record(
        actor=actor,
        action="exam.nomination_exempt_cancel",
        target=current,
        details={**before, "why": reason.strip()},
    )
    return current


def draft_advice(nomination: Nomination) -> str:
    """The committee's advice to withdraw the nomination after a failed makeup (a draft the
    staff edit and print)."""
    status = status_of(nomination)
    appointment_list = nomination.appointment_list
    lines = [
        f"{appointment_list.nominating_body.name}：",
        "",
        f"    你单位提请任命的{status.name}同志（拟任{nomination.post}），"
        f"按照本会任前法律考试的规定参加了任前法律考试和补考，成绩均不合格。",
    ]
    for number, attempt in enumerate(status.attempts, start=1):
        label = "考试" if number == 1 else "补考"
        lines.append(
            f"    {label}：{attempt.enrolment.sitting.title}，成绩 {attempt.total_score} 分"
            f"（及格分 {attempt.enrolment.sitting.pass_mark} 分）。"
        )
    lines += [
        "    根据任前法律考试“考试不合格的，不提请常委会会议表决”的规定，建议你单位撤回对"
        f"{status.name}同志的任命提请。",
        "",
        f"{ISSUER}",
        _day(timezone.localdate()),
    ]
    return "\n".join(lines)


def advice_text(nomination: Nomination) -> str:
    return nomination.advice_text or draft_advice(nomination)


@transaction.atomic
def save_advice(*, actor: Any, nomination: Nomination, text: str) -> Nomination:
    require_appointment_manager(actor)
    current = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if status_of(current).code != Status.FAILED_FINAL:
        raise ValidationError("只有补考仍不合格的人员才有建议撤回提请的意见。")
    text = text.strip()
    if not text:
        raise ValidationError({"text": "意见不能为空。"})
    current.advice_text = text
    current.save(update_fields=["advice_text"])
    audit.record(
        actor=actor, action="exam.advice_edit", target=current, details={"length": len(text)}
    )
    return current


def record_advice_view(*, actor: Any, nomination: Nomination, kind: str) -> None:
    audit.record(actor=actor, action="exam.advice_view", target=nomination, details={"kind": kind})
