"""The only code that writes suggestions, motions and their handling (DESIGN §4.1).

Every service: keyword-only arguments with an explicit `actor`, one transaction, validation
with Chinese messages (a bad input writes nothing), the write, an audit event. State changes go
through `core.workflow.apply_transition`, which locks the row: of two staff assigning the same
item at once, the second finds it already assigned and gets a clear message.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit
from renda.core import calendar as workcal
from renda.core.models import Organization
from renda.core.notifications import notify
from renda.core.roles import Role
from renda.core.sources import Source, link_source
from renda.core.workflow import apply_transition
from renda.deputies.models import Deputy, DutyRecord, Term
from renda.deputies.permissions import linked_deputy
from renda.deputies.services import record_duty
from renda.lib.richtext import strip_markup

from . import similarity
from .models import (
    FIELD_COMMITTEES,
    Assignment,
    Attachment,
    Evaluation,
    Field,
    HandlingNote,
    Motion,
    Reply,
    ReplyClass,
    Satisfaction,
    SerialCounter,
    Signature,
    Sitting,
    Suggestion,
)
from .rules import RULES
from .uploads import DOCUMENTS, MEDIA, SCANS, check_upload
from .workflows import ANSWERED_STATES, HANDLING_STATES

# --- helpers ---------------------------------------------------------------------------


def _clean_text(value: str) -> str:
    # Deputies type plain text on phones; markup pasted from Word is dropped, line breaks kept.
    return strip_markup(value or "").replace("&amp;", "&").strip()


def _users_of_units(unit_ids: Iterable[int]) -> list[User]:
    return list(
        User.objects.filter(
            role=Role.HANDLING_OFFICER, organization_id__in=list(unit_ids), is_active=True
        )
    )


def _staff_users() -> list[User]:
    return list(User.objects.filter(role=Role.STAFF, is_active=True))


def _deputy_users(deputies: Iterable[Deputy]) -> list[User]:
    users = {d.user_id: d.user for d in deputies if d.user_id is not None and d.user is not None}
    return list(users.values())


def _signers(subject: Suggestion | Motion) -> list[Deputy]:
    return [
        s.deputy
        for s in subject.signatures.filter(confirmed_at__isnull=False).select_related(
            "deputy__user"
        )
    ]


def _next_serial(scope: str) -> int:
    counter, _ = SerialCounter.objects.select_for_update().get_or_create(scope=scope)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _url(name: str, *args: Any) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


def open_sitting(term: Term, now: dt.datetime | None = None) -> Sitting | None:
    """The sitting of `term` in session now (between its opening and closing days)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return (
        Sitting.objects.filter(term=term, start_date__lte=today, end_date__gte=today)
        .order_by("-start_date")
        .first()
    )


CONTACT_PATTERNS = (
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),  # mobile
    re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"),  # ID number
    re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"),  # landline
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),  # e-mail
)
REDACTED = "［已删除］"


def redact(text: str) -> str:
    """Remove contact data before publication (deputies_security.md §1.3)."""
    for pattern in CONTACT_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def has_contact_data(text: str) -> bool:
    return any(p.search(text) for p in CONTACT_PATTERNS)


# --- sittings -------------------------------------------------------------------------


@transaction.atomic
def create_sitting(
    *,
    actor: Any,
    term: Term,
    number: int,
    start_date: dt.date,
    end_date: dt.date,
    motion_deadline: dt.datetime,
) -> Sitting:
    sitting = Sitting(
        term=term,
        number=number,
        start_date=start_date,
        end_date=end_date,
        motion_deadline=motion_deadline,
    )
    sitting.full_clean()
    deadline_day = timezone.localdate(motion_deadline)
    if not start_date <= deadline_day <= end_date:
        raise ValidationError({"motion_deadline": "议案截止时间应在会议期间内。"})
    sitting.save()
    audit.record(actor=actor, action="suggestion.sitting_create", target=sitting)
    return sitting


# --- drafts, co-signers, submission --------------------------------------------------------


def _check_author(actor: Any, deputy: Deputy, source: str) -> None:
    if deputy.status != Deputy.Status.ACTIVE:
        raise ValidationError({"deputy": f"{deputy.name} 不是在任代表，不能提出建议或议案。"})
    if source == Suggestion.Source.PAPER:
        if getattr(actor, "role", None) != Role.STAFF:
            raise PermissionDenied("只有人大机关工作人员可以代录纸质建议。")
    elif (me := linked_deputy(actor)) is None or me.pk != deputy.pk:
        raise PermissionDenied("只能以本人名义提出建议或议案。")


@transaction.atomic
def create_suggestion(
    *,
    actor: Any,
    deputy: Deputy,
    title: str,
    content: str,
    allow_public: bool = True,
    channel: str = Suggestion.Source.ONLINE,
    cosigners: Sequence[Deputy] = (),
    source: Source | None = None,
) -> Suggestion:
    """A draft. Online: the deputy himself. Paper (纸质): staff on the deputy's behalf, with
    the co-signers who signed the paper by hand (confirmed at once). `source`: the item the
    suggestion came from (a constituent opinion, a budget alert…), linked in this
    transaction so the suggestion page shows it."""
    _check_author(actor, deputy, channel)
    suggestion = Suggestion(
        term=deputy.term,
        lead_deputy=deputy,
        title=_clean_text(title)[:200],
        content=_clean_text(content),
        allow_public=allow_public,
        source=channel,
        created_by=actor,
    )
    if not suggestion.title:
        raise ValidationError({"title": "请填写标题。"})
    if len(suggestion.content) < 10:
        raise ValidationError({"content": "请写明建议的事实、理由和具体要求（至少10个字）。"})
    suggestion.full_clean()
    suggestion.save()
    Signature.objects.create(
        suggestion=suggestion, deputy=deputy, is_lead=True, confirmed_at=timezone.now()
    )
    for other in cosigners:
        _add_signature(suggestion, other, confirmed=channel == Suggestion.Source.PAPER)
    audit.record(
        actor=actor, action="suggestion.create", target=suggestion, details={"source": channel}
    )
    if source is not None:
        link_source(actor=actor, source=source, target=suggestion)
    return suggestion


@transaction.atomic
def update_draft(
    *, actor: Any, suggestion: Suggestion, title: str, content: str, allow_public: bool
) -> Suggestion:
    if suggestion.state != "draft":
        raise ValidationError("只有草稿可以修改；已提交的建议请联系人大常委会代表工作部门。")
    suggestion.title = _clean_text(title)[:200]
    suggestion.content = _clean_text(content)
    suggestion.allow_public = allow_public
    if not suggestion.title:
        raise ValidationError({"title": "请填写标题。"})
    if len(suggestion.content) < 10:
        raise ValidationError({"content": "请写明建议的事实、理由和具体要求（至少10个字）。"})
    suggestion.full_clean()
    suggestion.save()
    audit.record(actor=actor, action="suggestion.update_draft", target=suggestion)
    return suggestion


def _add_signature(subject: Suggestion | Motion, deputy: Deputy, *, confirmed: bool) -> Signature:
    if deputy.pk == subject.lead_deputy_id:
        raise ValidationError({"deputy": "领衔代表不需要再邀请自己联名。"})
    if deputy.term_id != subject.term_id or deputy.status != Deputy.Status.ACTIVE:
        raise ValidationError({"deputy": f"{deputy.name} 不是本届在任代表，不能联名。"})
    key: dict[str, Any] = (
        {"suggestion": subject} if isinstance(subject, Suggestion) else {"motion": subject}
    )
    if Signature.objects.filter(deputy=deputy, **key).exists():
        raise ValidationError({"deputy": f"已邀请 {deputy.name} 联名。"})
    return Signature.objects.create(
        deputy=deputy, confirmed_at=timezone.now() if confirmed else None, **key
    )


@transaction.atomic
def invite_cosigner(*, actor: Any, subject: Suggestion | Motion, deputy: Deputy) -> Signature:
    if subject.state != "draft":
        raise ValidationError("已提交，不能再邀请联名代表。")
    signature = _add_signature(subject, deputy, confirmed=False)
    audit.record(
        actor=actor,
        action="suggestion.invite_cosigner",
        target=subject,
        details={"deputy": deputy.pk},
    )
    if deputy.user_id:
        kind = "建议" if isinstance(subject, Suggestion) else "议案"
        detail = (
            "suggestions:detail" if isinstance(subject, Suggestion) else "suggestions:motion_detail"
        )
        notify(
            actor=actor,
            recipients=[deputy.user],
            title=f"{subject.lead_deputy.name}代表邀请您联名{kind}“{subject.title[:30]}”",
            body="请阅读内容后确认是否联名。",
            url=_url(detail, subject.pk),
        )
    return signature


@transaction.atomic
def respond_signature(*, actor: Any, signature: Signature, accept: bool) -> Signature | None:
    """The invited deputy confirms (附议) or declines; only while the item is a draft."""
    me = linked_deputy(actor)
    if me is None or me.pk != signature.deputy_id or signature.is_lead:
        raise PermissionDenied("只能由被邀请的代表本人确认联名。")
    subject = signature.suggestion or signature.motion
    assert subject is not None
    if subject.state != "draft":
        raise ValidationError("该件已提交或已处理，不能再更改联名。")
    if accept:
        signature.confirmed_at = timezone.now()
        signature.save(update_fields=["confirmed_at"])
    else:
        signature.delete()
    audit.record(
        actor=actor,
        action="suggestion.cosign" if accept else "suggestion.cosign_decline",
        target=subject,
    )
    return signature if accept else None


def _drop_unconfirmed(subject: Suggestion | Motion) -> int:
    dropped, _ = subject.signatures.filter(confirmed_at__isnull=True, is_lead=False).delete()
    return dropped


@transaction.atomic
def submit_suggestion(*, actor: Any, suggestion: Suggestion) -> Suggestion:
    """Draft → 待登记. Invitations not yet confirmed lapse (the deputy is told how many). Each
    confirmed signer gets a duty record (提出建议), created by this service."""
    if suggestion.state != "draft":
        raise ValidationError("该建议已提交，不能重复提交。")
    if len(suggestion.content) < 10:
        raise ValidationError({"content": "请写明建议的事实、理由和具体要求（至少10个字）。"})
    now = timezone.now()
    apply_transition(actor=actor, obj=suggestion, transition="submit", expected_state="draft")
    dropped = _drop_unconfirmed(suggestion)
    sitting = (
        suggestion.motion.sitting
        if suggestion.motion is not None
        else open_sitting(suggestion.term, now)
    )
    suggestion.sitting = sitting
    suggestion.submitted_at = now
    suggestion.shingles = similarity.shingles_for(suggestion.title, suggestion.content)
    suggestion.save(update_fields=["sitting", "submitted_at", "shingles", "updated_at"])
    if suggestion.source != Suggestion.Source.MOTION:  # a converted motion was counted as one
        for sig in suggestion.signatures.filter(confirmed_at__isnull=False).select_related(
            "deputy"
        ):
            record_duty(
                actor=actor,
                deputy=sig.deputy,
                kind=DutyRecord.Kind.SUGGESTION,
                occurred_on=timezone.localdate(now),
                title=f"{'领衔' if sig.is_lead else '联名'}提出建议：{suggestion.title}",
                source=suggestion,
            )
    audit.record(
        actor=actor,
        action="suggestion.submit",
        target=suggestion,
        details={"lapsed_invitations": dropped, "sitting": sitting.pk if sitting else None},
    )
    suggestion._lapsed_invitations = dropped  # type: ignore[attr-defined]
    return suggestion


# --- registration and triage ---------------------------------------------------------------


def suggestion_code(suggestion: Suggestion) -> str:
    term = suggestion.term.number
    if suggestion.sitting_id:
        assert suggestion.sitting is not None
        return f"第{term}届{suggestion.sitting.number}次会议第{suggestion.serial:04d}号"
    return f"第{term}届闭会期间第{suggestion.serial:04d}号"


@transaction.atomic
def register_suggestion(
    *,
    actor: Any,
    suggestion: Suggestion,
    field: str,
    committee: Organization | None = None,
    expected_state: str | None = "submitted",
) -> Suggestion:
    """登记: give the number (第18届3次会议第0012号) and the field; the field decides the
    special committee that follows the item up, unless staff choose another."""
    if field not in Field.values:
        raise ValidationError({"field": "请选择分类。"})
    apply_transition(
        actor=actor, obj=suggestion, transition="register", expected_state=expected_state
    )
    scope = f"s:{suggestion.term_id}:{suggestion.sitting_id or 'between'}"
    suggestion.serial = _next_serial(scope)
    suggestion.code = suggestion_code(suggestion)
    suggestion.field = field
    suggestion.committee = (
        committee
        or Organization.objects.filter(code=FIELD_COMMITTEES.get(Field(field), "")).first()
    )
    suggestion.registered_at = timezone.now()
    suggestion.save(
        update_fields=["serial", "code", "field", "committee", "registered_at", "updated_at"]
    )
    audit.record(
        actor=actor,
        action="suggestion.register",
        target=suggestion,
        details={"code": suggestion.code, "field": field},
    )
    notify(
        actor=actor,
        recipients=_deputy_users([suggestion.lead_deputy]),
        title=f"您的建议“{suggestion.title[:30]}”已登记为{suggestion.code}",
        url=_url("suggestions:detail", suggestion.pk),
    )
    return suggestion


@transaction.atomic
def merge_suggestion(
    *,
    actor: Any,
    suggestion: Suggestion,
    into: Suggestion,
    note: str = "",
    expected_state: str | None = None,
) -> Suggestion:
    """并案: the item is handled together with `into`; its deputies get the answer too."""
    if into.pk == suggestion.pk:
        raise ValidationError({"into": "不能与自身并案。"})
    if into.term_id != suggestion.term_id:
        raise ValidationError({"into": "只能与同一届的建议并案。"})
    if into.state in ("draft", "merged", "withdrawn", "not_accepted"):
        raise ValidationError({"into": f"“{into.title[:20]}”当前状态不能作为并案的主件。"})
    # The target is written first: the database insists that a merged item names its main
    # item. If the transition is refused, the transaction undoes this write too.
    Suggestion.objects.filter(pk=suggestion.pk).update(duplicate_of=into)
    suggestion.duplicate_of = into
    apply_transition(
        actor=actor,
        obj=suggestion,
        transition="merge",
        note=note or f"并入 {into.code or into.title}",
        expected_state=expected_state,
    )
    audit.record(
        actor=actor, action="suggestion.merge", target=suggestion, details={"into": into.pk}
    )
    notify(
        actor=actor,
        recipients=_deputy_users(_signers(suggestion)),
        title=f"您的建议“{suggestion.title[:30]}”已与{into.code or '同类建议'}并案办理",
        body="承办单位答复主件时，您也会收到答复。",
        url=_url("suggestions:detail", suggestion.pk),
    )
    return suggestion


@transaction.atomic
def set_key_supervision(
    *, actor: Any, suggestion: Suggestion, is_key: bool, reason: str = ""
) -> Suggestion:
    if getattr(actor, "role", None) != Role.STAFF:
        raise PermissionDenied("只有人大机关工作人员可以确定重点督办。")
    if is_key and not reason.strip():
        raise ValidationError({"reason": "请填写重点督办的理由。"})
    suggestion.is_key = is_key
    suggestion.key_reason = reason.strip()[:200] if is_key else ""
    suggestion.save(update_fields=["is_key", "key_reason", "updated_at"])
    audit.record(
        actor=actor,
        action="suggestion.key_supervision",
        target=suggestion,
        details={"is_key": is_key},
    )
    return suggestion


# --- assignment, return, co-handling ----------------------------------------------------


@transaction.atomic
def assign_suggestion(
    *,
    actor: Any,
    suggestion: Suggestion,
    mode: str,
    lead_unit: Organization | None = None,
    co_units: Sequence[Organization] = (),
    split_units: Sequence[Organization] = (),
    note: str = "",
    expected_state: str | None = None,
) -> Suggestion:
    """交办: one lead unit and co-handling units, or split handling among ≥2 units. The reply
    deadline is 3 months from now (rules.reply_months); co-handling opinions are due in 1
    month; a unit may return the item within 7 working days."""
    if mode == Suggestion.Mode.LEAD:
        if lead_unit is None:
            raise ValidationError({"lead_unit": "请选择主办单位。"})
        units = [(lead_unit, Assignment.Role.LEAD)] + [(u, Assignment.Role.CO) for u in co_units]
    elif mode == Suggestion.Mode.SPLIT:
        if len(split_units) < 2:
            raise ValidationError({"split_units": "分办至少需要两个承办单位。"})
        units = [(u, Assignment.Role.SPLIT) for u in split_units]
    else:
        raise ValidationError({"mode": "请选择办理方式。"})
    ids = [u.pk for u, _ in units]
    if len(set(ids)) != len(ids):
        raise ValidationError({"co_units": "同一单位不能重复交办（主办单位不能同时是协办单位）。"})
    for unit, _ in units:
        if not (unit.is_handling_unit and unit.is_active):
            raise ValidationError({"lead_unit": f"“{unit.name}”不是在用的承办单位。"})
    # The row lock is taken here: a second, concurrent assignment fails on the state check.
    apply_transition(
        actor=actor,
        obj=suggestion,
        transition="assign",
        note=note,
        expected_state=expected_state,
    )
    now = timezone.now()
    overrides = workcal.load_overrides()
    return_until = workcal.due_at(now, workdays=RULES.return_workdays, overrides=overrides)
    opinion_due = workcal.due_at(now, months=RULES.co_opinion_months, overrides=overrides)
    suggestion.assignments.filter(active=True).update(active=False)
    Assignment.objects.bulk_create(
        [
            Assignment(
                suggestion=suggestion,
                unit=unit,
                role=role,
                assigned_at=now,
                assigned_by=actor,
                return_until=return_until,
                opinion_due_at=opinion_due if role == Assignment.Role.CO else None,
            )
            for unit, role in units
        ]
    )
    suggestion.mode = mode
    suggestion.assigned_at = now
    suggestion.save(update_fields=["mode", "assigned_at", "updated_at"])
    audit.record(
        actor=actor,
        action="suggestion.assign",
        target=suggestion,
        details={"mode": mode, "units": {str(u.pk): r for u, r in units}},
    )
    notify(
        actor=actor,
        recipients=_users_of_units(ids),
        title=f"新交办建议：{suggestion.code} {suggestion.title[:30]}",
        body=f"请于 {suggestion.due_at:%Y-%m-%d} 前答复代表；如非本单位职责，请在 "
        f"{return_until:%Y-%m-%d} 前说明理由退回。",
        url=_url("suggestions:detail", suggestion.pk),
        sms=True,
    )
    notify(
        actor=actor,
        recipients=_deputy_users(_signers(suggestion)),
        title=f"您的建议{suggestion.code}已交办",
        body="、".join(f"{u.name}（{Assignment.Role(r).label}）" for u, r in units),
        url=_url("suggestions:detail", suggestion.pk),
    )
    return suggestion


def _my_assignment(actor: Any, suggestion: Suggestion) -> Assignment:
    org = getattr(actor, "organization_id", None)
    found = (
        suggestion.assignments.filter(active=True, unit_id=org).select_related("unit").first()
        if org and getattr(actor, "role", None) == Role.HANDLING_OFFICER
        else None
    )
    if found is None:
        raise PermissionDenied("本单位没有承办该建议。")
    return found


@transaction.atomic
def return_assignment(
    *, actor: Any, suggestion: Suggestion, reason: str, expected_state: str | None = None
) -> Assignment:
    """退回: within the window, with a reason. A lead or split unit's return sends the item
    back to staff for reassignment; a co-handling unit's return only ends its own part."""
    assignment = _my_assignment(actor, suggestion)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请写明退回理由（为什么不属于本单位职责）。"})
    if timezone.now() > assignment.return_until:
        raise ValidationError(
            f"交办已超过{RULES.return_workdays}个工作日（截至 {assignment.return_until:%Y-%m-%d}），"
            "不能退回，请按交办意见办理。"
        )
    if suggestion.state not in ("assigned",):
        raise ValidationError("当前状态不能退回。")
    if assignment.role != Assignment.Role.CO:
        apply_transition(
            actor=actor,
            obj=suggestion,
            transition="return",
            note=reason,
            expected_state=expected_state,
        )
    assignment.active = False
    assignment.returned_at = timezone.now()
    assignment.return_reason = reason
    assignment.save(update_fields=["active", "returned_at", "return_reason"])
    audit.record(
        actor=actor,
        action="suggestion.return",
        target=suggestion,
        details={"unit": assignment.unit_id, "role": assignment.role},
    )
    notify(
        actor=actor,
        recipients=_staff_users(),
        title=f"{assignment.unit.name}退回建议{suggestion.code}",
        body=reason,
        url=_url("suggestions:detail", suggestion.pk),
    )
    return assignment


@transaction.atomic
def submit_co_opinion(*, actor: Any, suggestion: Suggestion, opinion: str) -> Assignment:
    """协办意见: the co-handling unit's written opinion to the lead unit (due in 1 month)."""
    assignment = _my_assignment(actor, suggestion)
    if assignment.role != Assignment.Role.CO:
        raise ValidationError("只有协办单位需要提交协办意见。")
    if suggestion.state not in HANDLING_STATES:
        raise ValidationError("该建议当前不在办理中，不能提交协办意见。")
    opinion = _clean_text(opinion)
    if not opinion:
        raise ValidationError({"opinion": "请填写协办意见。"})
    assignment.opinion = opinion
    assignment.opinion_at = timezone.now()
    assignment.save(update_fields=["opinion", "opinion_at"])
    audit.record(actor=actor, action="suggestion.co_opinion", target=suggestion)
    lead_units = suggestion.assignments.filter(active=True, role=Assignment.Role.LEAD)
    notify(
        actor=actor,
        recipients=_users_of_units(lead_units.values_list("unit_id", flat=True)),
        title=f"{assignment.unit.name}已提交{suggestion.code}的协办意见",
        url=_url("suggestions:detail", suggestion.pk),
    )
    return assignment


@transaction.atomic
def add_handling_note(
    *,
    actor: Any,
    suggestion: Suggestion,
    kind: str,
    content: str,
    occurred_on: dt.date,
    method: str = "",
) -> HandlingNote:
    assignment = _my_assignment(actor, suggestion)
    if suggestion.state not in (*HANDLING_STATES, "replied"):
        raise ValidationError("该建议当前不在办理中，不能记录办理情况。")
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "日期不能晚于今天。"})
    note = HandlingNote(
        suggestion=suggestion,
        unit=assignment.unit,
        kind=kind,
        method=method,
        occurred_on=occurred_on,
        content=_clean_text(content),
        created_by=actor,
    )
    if not note.content:
        raise ValidationError({"content": "请填写内容。"})
    note.full_clean()
    note.save()
    audit.record(actor=actor, action="suggestion.note", target=suggestion, details={"kind": kind})
    return note


# --- attachments ----------------------------------------------------------------------


@transaction.atomic
def add_attachment(
    *, actor: Any, subject: Suggestion | Motion, uploaded: Any, kind: str = Attachment.Kind.MATERIAL
) -> Attachment:
    """The deputy (or staff for a paper item) adds material to a draft; a handling unit adds
    photos or short videos while handling."""
    unit = None
    if kind == Attachment.Kind.HANDLING:
        if not isinstance(subject, Suggestion):
            raise ValidationError("议案没有办理照片。")
        unit = _my_assignment(actor, subject).unit
        if subject.state not in (*HANDLING_STATES, "replied"):
            raise ValidationError("该建议当前不在办理中，不能上传办理照片或视频。")
        check_upload(uploaded, MEDIA)
    else:
        me = linked_deputy(actor)
        is_lead = me is not None and me.pk == subject.lead_deputy_id
        if not (is_lead or getattr(actor, "role", None) == Role.STAFF):
            raise PermissionDenied("只有领衔代表可以添加附件。")
        if subject.state != "draft":
            raise ValidationError("已提交的件不能再添加附件。")
        check_upload(uploaded, DOCUMENTS)
    key: dict[str, Any] = (
        {"suggestion": subject} if isinstance(subject, Suggestion) else {"motion": subject}
    )
    attachment = Attachment(
        kind=kind,
        file=uploaded,
        name=uploaded.name[:200],
        size=uploaded.size,
        unit=unit,
        uploaded_by=actor,
        **key,
    )
    attachment.save()
    audit.record(
        actor=actor,
        action="suggestion.attachment",
        target=subject,
        details={"name": attachment.name, "size": attachment.size, "kind": kind},
    )
    return attachment


# --- reply and evaluation --------------------------------------------------------------


CLASS_ORDER = {"A": 0, "B": 1, "C": 2, "D": 3}


@transaction.atomic
def reply_suggestion(
    *,
    actor: Any,
    suggestion: Suggestion,
    reply_class: str,
    content: str,
    signer: str,
    contact_person: str = "",
    signed_scan: Any = None,
    expected_state: str | None = None,
) -> Reply:
    """答复 with a class A/B/C/D. In split handling the item is answered (and the deputies
    told) once every split unit has answered its part."""
    if reply_class not in ReplyClass.values:
        raise ValidationError({"reply_class": "请选择答复类别（A/B/C/D）。"})
    content = _clean_text(content)
    if len(content) < 10:
        raise ValidationError({"content": "请填写答复内容（至少10个字）。"})
    if not signer.strip():
        raise ValidationError({"signer": "请填写签发人（单位主要负责人）。"})
    locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if locked.state not in ("assigned", "extension_requested", "rehandling", "tracking"):
        from .workflows import SUGGESTION

        raise ValidationError(f"当前状态为“{SUGGESTION.label(locked.state)}”，不能答复。")
    assignment = _my_assignment(actor, locked)
    if assignment.role == Assignment.Role.CO:
        raise ValidationError("协办单位请提交协办意见，由主办单位统一答复代表。")
    if Reply.objects.filter(suggestion=locked, unit=assignment.unit, round=locked.round).exists():
        raise ValidationError("本单位本轮已答复，请等待代表评价。")
    if signed_scan is not None:
        check_upload(signed_scan, SCANS, field="signed_scan")
    now = timezone.now()
    reply = Reply(
        suggestion=locked,
        unit=assignment.unit,
        round=locked.round,
        reply_class=reply_class,
        content=content,
        signer=signer.strip()[:50],
        contact_person=contact_person.strip()[:50],
        due_at=locked.due_at,
        on_time=locked.due_at is None or now <= locked.due_at,
        created_by=actor,
    )
    if signed_scan is not None:
        reply.signed_scan = signed_scan
    reply.full_clean()
    reply.save()
    audit.record(
        actor=actor,
        action="suggestion.reply",
        target=locked,
        details={"class": reply_class, "round": locked.round, "on_time": reply.on_time},
    )
    pending = locked.assignments.filter(active=True, role=Assignment.Role.SPLIT).exclude(
        unit__in=Reply.objects.filter(suggestion=locked, round=locked.round).values("unit")
    )
    if locked.mode == Suggestion.Mode.SPLIT and pending.exists():
        suggestion.refresh_from_db()
        return reply  # the other split units have not answered yet
    apply_transition(actor=actor, obj=suggestion, transition="reply", expected_state=expected_state)
    classes = list(
        Reply.objects.filter(suggestion=suggestion, round=locked.round).values_list(
            "reply_class", flat=True
        )
    )
    # Several split answers: the item counts as its least-solved part.
    suggestion.reply_class = max(classes, key=lambda c: CLASS_ORDER[c])
    suggestion.save(update_fields=["reply_class", "updated_at"])
    merged = Suggestion.objects.filter(duplicate_of=suggestion)
    deputies = _signers(suggestion) + [d for m in merged for d in _signers(m)]
    notify(
        actor=actor,
        recipients=_deputy_users(deputies),
        title=f"您的建议“{suggestion.title[:30]}”已答复（{suggestion.reply_class}类）",
        body="请查看答复并评价办理情况：满意、基本满意或不满意。",
        url=_url("suggestions:detail", suggestion.pk),
        sms=True,
    )
    return reply


@transaction.atomic
def attach_signed_scan(*, actor: Any, reply: Reply, uploaded: Any) -> Reply:
    org = getattr(actor, "organization_id", None)
    if getattr(actor, "role", None) != Role.HANDLING_OFFICER or org != reply.unit_id:
        raise PermissionDenied("只有答复单位可以上传盖章答复件。")
    check_upload(uploaded, SCANS, field="signed_scan")
    reply.signed_scan = uploaded
    reply.save(update_fields=["signed_scan"])
    audit.record(actor=actor, action="suggestion.reply_scan", target=reply.suggestion)
    return reply


@transaction.atomic
def rate_suggestion(
    *,
    actor: Any,
    suggestion: Suggestion,
    rating: str,
    comment: str = "",
    expected_state: str | None = None,
) -> Evaluation:
    """The lead deputy rates the answer — online, or on the paper 征询意见表 that staff enter
    for him. 不满意 → re-handling with a new deadline and key supervision; 满意/基本满意 on a
    B or C answer → tracked until solved; otherwise closed."""
    if rating not in Satisfaction.values:
        raise ValidationError({"rating": "请选择满意、基本满意或不满意。"})
    comment = _clean_text(comment)
    if rating == Satisfaction.DISSATISFIED and not comment:
        raise ValidationError({"comment": "选择“不满意”时，请写明不满意的原因，便于重新办理。"})
    me = linked_deputy(actor)
    on_paper = getattr(actor, "role", None) == Role.STAFF
    if not on_paper and (me is None or me.pk != suggestion.lead_deputy_id):
        raise PermissionDenied("只有领衔代表可以评价办理情况。")
    if rating == Satisfaction.DISSATISFIED:
        transition = "rate_dissatisfied"
    elif suggestion.reply_class in (ReplyClass.B, ReplyClass.C):
        transition = "rate_track"
    else:
        transition = "rate_close"
    label = Satisfaction(rating).label
    apply_transition(
        actor=actor,
        obj=suggestion,
        transition=transition,
        note=f"{label}{'（纸质征询意见表）' if on_paper else ''}。{comment}".strip(),
        expected_state=expected_state,
    )
    evaluation = Evaluation(
        suggestion=suggestion,
        deputy=suggestion.lead_deputy,
        round=suggestion.round,
        rating=rating,
        comment=comment,
    )
    evaluation.full_clean()
    evaluation.save()
    suggestion.satisfaction = rating
    fields = ["satisfaction", "updated_at"]
    if transition != "rate_close":
        suggestion.round += 1  # a new round of answers follows
        fields.append("round")
    if transition == "rate_dissatisfied":
        suggestion.is_key = True
        suggestion.key_reason = "代表不满意，重新办理"
        suggestion.rehandle_count += 1
        fields += ["is_key", "key_reason", "rehandle_count"]
    suggestion.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="suggestion.rate",
        target=suggestion,
        details={"rating": rating, "round": evaluation.round},
    )
    if transition != "rate_close":
        units = suggestion.assignments.filter(active=True).values_list("unit_id", flat=True)
        title = (
            f"代表对{suggestion.code}的答复不满意，请重新办理"
            if transition == "rate_dissatisfied"
            else f"{suggestion.code}转入跟踪办理，请落实后再次答复"
        )
        notify(
            actor=actor,
            recipients=_users_of_units(units)
            + (_staff_users() if transition == "rate_dissatisfied" else []),
            title=title,
            body=comment,
            url=_url("suggestions:detail", suggestion.pk),
            sms=transition == "rate_dissatisfied",
        )
    return evaluation


# --- disclosure -----------------------------------------------------------------------


@transaction.atomic
def publish_suggestion(
    *, actor: Any, suggestion: Suggestion, title: str, content: str, reply: str
) -> Suggestion:
    """Publish after staff review: only answered items whose deputy agreed, and never with
    contact data (the texts are checked, not trusted)."""
    if getattr(actor, "role", None) != Role.STAFF:
        raise PermissionDenied("只有人大机关工作人员可以发布。")
    if suggestion.state not in ANSWERED_STATES:
        raise ValidationError("建议答复后才能公开。")
    if not suggestion.allow_public:
        raise ValidationError("提出建议的代表要求不公开，不能发布。")
    texts = {
        "title": _clean_text(title),
        "content": _clean_text(content),
        "reply": _clean_text(reply),
    }
    errors = {k: "请填写。" for k, v in texts.items() if not v}
    errors.update(
        {
            k: "其中含有手机号、身份证号、电话或邮箱，请删除后再发布。"
            for k, v in texts.items()
            if has_contact_data(v)
        }
    )
    if errors:
        raise ValidationError(errors)
    suggestion.public_title = texts["title"][:200]
    suggestion.public_content = texts["content"]
    suggestion.public_reply = texts["reply"]
    suggestion.published_at = suggestion.published_at or timezone.now()
    suggestion.save(
        update_fields=[
            "public_title",
            "public_content",
            "public_reply",
            "published_at",
            "updated_at",
        ]
    )
    audit.record(actor=actor, action="suggestion.publish", target=suggestion)
    return suggestion


@transaction.atomic
def unpublish_suggestion(*, actor: Any, suggestion: Suggestion, reason: str) -> Suggestion:
    if getattr(actor, "role", None) != Role.STAFF:
        raise PermissionDenied("只有人大机关工作人员可以撤下公开内容。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写撤下的理由。"})
    suggestion.published_at = None
    suggestion.save(update_fields=["published_at", "updated_at"])
    audit.record(
        actor=actor, action="suggestion.unpublish", target=suggestion, details={"reason": reason}
    )
    return suggestion


# --- motions ----------------------------------------------------------------------------


@transaction.atomic
def create_motion(
    *, actor: Any, deputy: Deputy, title: str, cause: str, basis: str, plan: str
) -> Motion:
    _check_author(actor, deputy, Suggestion.Source.ONLINE)
    motion = Motion(
        term=deputy.term,
        lead_deputy=deputy,
        title=_clean_text(title)[:200],
        cause=_clean_text(cause),
        basis=_clean_text(basis),
        plan=_clean_text(plan),
        created_by=actor,
    )
    _check_motion_text(motion)
    motion.full_clean()
    motion.save()
    Signature.objects.create(
        motion=motion, deputy=deputy, is_lead=True, confirmed_at=timezone.now()
    )
    audit.record(actor=actor, action="motion.create", target=motion)
    return motion


def _check_motion_text(motion: Motion) -> None:
    errors = {}
    for name, label in (("title", "标题"), ("cause", "案由"), ("basis", "案据"), ("plan", "方案")):
        if not getattr(motion, name):
            errors[name] = f"请填写{label}。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_motion(
    *, actor: Any, motion: Motion, title: str, cause: str, basis: str, plan: str
) -> Motion:
    if motion.state != "draft":
        raise ValidationError("只有草稿可以修改。")
    motion.title = _clean_text(title)[:200]
    motion.cause, motion.basis, motion.plan = map(_clean_text, (cause, basis, plan))
    _check_motion_text(motion)
    motion.full_clean()
    motion.save()
    audit.record(actor=actor, action="motion.update_draft", target=motion)
    return motion


@transaction.atomic
def submit_motion(*, actor: Any, motion: Motion, now: dt.datetime | None = None) -> Motion:
    """议案: only during a sitting, before the presidium's deadline, with enough deputies."""
    now = now or timezone.now()
    if motion.state != "draft":
        raise ValidationError("该议案已提交，不能重复提交。")
    sitting = open_sitting(motion.term, now)
    if sitting is None:
        raise ValidationError(
            "议案只能在人民代表大会会议期间提出；现在不在会期内。闭会期间可以提出建议。"
        )
    if now > sitting.motion_deadline:
        raise ValidationError(
            f"{sitting.short_label}的议案截止时间（{timezone.localtime(sitting.motion_deadline):%Y-%m-%d %H:%M}）"
            "已过，不能再提出议案；可以改为提出建议。"
        )
    need = RULES.min_signers(motion.term.level)
    have = motion.signatures.filter(confirmed_at__isnull=False).count()
    if have < need:
        raise ValidationError(
            f"议案须由至少{need}名代表联名提出，目前已确认{have}名（含领衔代表），"
            f"还差{need - have}名。请等待被邀请的代表确认。"
        )
    apply_transition(actor=actor, obj=motion, transition="submit", expected_state="draft")
    _drop_unconfirmed(motion)
    motion.sitting = sitting
    motion.serial = _next_serial(f"m:{sitting.pk}")
    motion.code = f"第{motion.term.number}届{sitting.number}次会议议案第{motion.serial:03d}号"
    motion.submitted_at = now
    motion.save(update_fields=["sitting", "serial", "code", "submitted_at", "updated_at"])
    for sig in motion.signatures.select_related("deputy"):
        record_duty(
            actor=actor,
            deputy=sig.deputy,
            kind=DutyRecord.Kind.MOTION,
            occurred_on=timezone.localdate(now),
            title=f"{'领衔' if sig.is_lead else '联名'}提出议案：{motion.title}",
            source=motion,
        )
    audit.record(actor=actor, action="motion.submit", target=motion, details={"signers": have})
    return motion


MOTION_DECISIONS = {
    "place_on_agenda": "列入会议议程",
    "refer": "交专门委员会审议",
    "convert": "转为建议",
    "refuse": "不列入议程",
}


@transaction.atomic
def decide_motion(
    *,
    actor: Any,
    motion: Motion,
    decision: str,
    note: str = "",
    committee: Organization | None = None,
    expected_state: str | None = None,
) -> Motion:
    """The presidium's decision, recorded by staff. A converted motion becomes a 建议
    (source = motion) that enters registration like any other."""
    if decision not in MOTION_DECISIONS:
        raise ValidationError({"decision": "请选择主席团的决定。"})
    if decision == "refer" and (
        committee is None or committee.kind != Organization.Kind.SPECIAL_COMMITTEE
    ):
        raise ValidationError({"committee": "请选择审议的专门委员会。"})
    apply_transition(
        actor=actor, obj=motion, transition=decision, note=note, expected_state=expected_state
    )
    motion.decision_note = note.strip()
    if committee is not None:
        motion.committee = committee
    motion.save(update_fields=["decision_note", "committee", "updated_at"])
    audit.record(actor=actor, action="motion.decide", target=motion, details={"decision": decision})
    if decision == "convert":
        suggestion = Suggestion(
            term=motion.term,
            lead_deputy=motion.lead_deputy,
            title=motion.title,
            content=f"【案由】{motion.cause}\n【案据】{motion.basis}\n【方案】{motion.plan}",
            source=Suggestion.Source.MOTION,
            motion=motion,
            created_by=actor,
        )
        suggestion.full_clean()
        suggestion.save()
        Signature.objects.bulk_create(
            [
                Signature(
                    suggestion=suggestion,
                    deputy_id=s.deputy_id,
                    is_lead=s.is_lead,
                    confirmed_at=s.confirmed_at,
                )
                for s in motion.signatures.all()
            ]
        )
        submit_suggestion(actor=actor, suggestion=suggestion)
    notify(
        actor=actor,
        recipients=_deputy_users(_signers(motion)),
        title=f"议案“{motion.title[:30]}”：主席团决定{MOTION_DECISIONS[decision]}",
        body=note,
        url=_url("suggestions:motion_detail", motion.pk),
    )
    return motion
