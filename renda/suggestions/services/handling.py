"""The handling unit's work: returning an item, the co-handling opinion, notes of contacts,
attachments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit
from renda.core.attachments import DOCUMENTS, MEDIA
from renda.core.notifications import notify
from renda.core.roles import Role
from renda.core.workflow import apply_transition
from renda.deputies.permissions import linked_deputy

from ..models import (
    Assignment,
    Attachment,
    HandlingNote,
    Motion,
    Suggestion,
)
from ..rules import RULES
from ..workflows import HANDLING_STATES
from .base import (
    _clean_text,
    _staff_users,
    _url,
    _users_of_units,
    check_upload,
)


def unit_assignment(actor: User, suggestion: Suggestion) -> Assignment:
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
    *, actor: User, suggestion: Suggestion, reason: str, expected_state: str | None = None
) -> Assignment:
    """退回: within the window, with a reason. A lead or split unit's return sends the item
    back to staff for reassignment; a co-handling unit's return only ends its own part."""
    assignment = unit_assignment(actor, suggestion)
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
def submit_co_opinion(*, actor: User, suggestion: Suggestion, opinion: str) -> Assignment:
    """协办意见: the co-handling unit's written opinion to the lead unit (due in 1 month)."""
    assignment = unit_assignment(actor, suggestion)
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
    actor: User,
    suggestion: Suggestion,
    kind: str,
    content: str,
    occurred_on: dt.date,
    method: str = "",
) -> HandlingNote:
    assignment = unit_assignment(actor, suggestion)
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


@transaction.atomic
def add_attachment(
    *,
    actor: User,
    subject: Suggestion | Motion,
    uploaded: UploadedFile,
    kind: str = Attachment.Kind.MATERIAL,
) -> Attachment:
    """The deputy (or staff for a paper item) adds material to a draft; a handling unit adds
    photos or short videos while handling."""
    unit = None
    if kind == Attachment.Kind.HANDLING:
        if not isinstance(subject, Suggestion):
            raise ValidationError("议案没有办理照片。")
        unit = unit_assignment(actor, subject).unit
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
        name=(uploaded.name or "")[:200],
        size=uploaded.size or 0,
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
