"""Replies and rating: the unit's reply (and its signed scan), the deputy's evaluation."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit
from renda.core.attachments import SCANS
from renda.core.notifications import notify
from renda.core.roles import Role
from renda.core.workflow import apply_transition
from renda.deputies.permissions import linked_deputy

from ..models import (
    Assignment,
    Evaluation,
    Reply,
    ReplyClass,
    Satisfaction,
    Suggestion,
)
from ..workflows import SUGGESTION
from .base import (
    _clean_text,
    _deputy_users,
    _signers,
    _staff_users,
    _url,
    _users_of_units,
    check_upload,
)
from .handling import unit_assignment

CLASS_ORDER = {"A": 0, "B": 1, "C": 2, "D": 3}


def _record_answered(actor: User, suggestion: Suggestion, round_: int) -> None:
    """Every unit of this round has answered: the item takes its overall class and the
    signers (also of the items merged into it) are asked to rate it."""
    classes = list(
        Reply.objects.filter(suggestion=suggestion, round=round_).values_list(
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


def _checked_reply_text(reply_class: str, content: str, signer: str) -> str:
    """The cleaned answer, once its class, text and signer are all given."""
    if reply_class not in ReplyClass.values:
        raise ValidationError({"reply_class": "请选择答复类别（A/B/C/D）。"})
    content = _clean_text(content)
    if len(content) < 10:
        raise ValidationError({"content": "请填写答复内容（至少10个字）。"})
    if not signer.strip():
        raise ValidationError({"signer": "请填写签发人（单位主要负责人）。"})
    return content


@transaction.atomic
def reply_suggestion(
    *,
    actor: User,
    suggestion: Suggestion,
    reply_class: str,
    content: str,
    signer: str,
    contact_person: str = "",
    signed_scan: UploadedFile | None = None,
    expected_state: str | None = None,
) -> Reply:
    """答复 with a class A/B/C/D. In split handling the item is answered (and the deputies
    told) once every split unit has answered its part."""
    content = _checked_reply_text(reply_class, content, signer)
    locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if locked.state not in ("assigned", "extension_requested", "rehandling", "tracking"):
        raise ValidationError(f"当前状态为“{SUGGESTION.label(locked.state)}”，不能答复。")
    assignment = unit_assignment(actor, locked)
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
    _record_answered(actor, suggestion, locked.round)
    return reply


@transaction.atomic
def attach_signed_scan(*, actor: User, reply: Reply, uploaded: UploadedFile) -> Reply:
    org = getattr(actor, "organization_id", None)
    if getattr(actor, "role", None) != Role.HANDLING_OFFICER or org != reply.unit_id:
        raise PermissionDenied("只有答复单位可以上传盖章答复件。")
    check_upload(uploaded, SCANS, field="signed_scan")
    reply.signed_scan = uploaded
    reply.save(update_fields=["signed_scan"])
    audit.record(actor=actor, action="suggestion.reply_scan", target=reply.suggestion)
    return reply


def _rating_transition(rating: str, suggestion: Suggestion) -> str:
    """不满意 → re-handling; satisfied with a B or C answer → tracking; otherwise closed."""
    if rating == Satisfaction.DISSATISFIED:
        return "rate_dissatisfied"
    if suggestion.reply_class in (ReplyClass.B, ReplyClass.C):
        return "rate_track"
    return "rate_close"


def _tell_units_again(actor: User, suggestion: Suggestion, transition: str, comment: str) -> None:
    """The units answer again (re-handling or tracking); staff hear of a dissatisfied deputy."""
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


@transaction.atomic
def rate_suggestion(
    *,
    actor: User,
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
    transition = _rating_transition(rating, suggestion)
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
        _tell_units_again(actor, suggestion, transition, comment)
    return evaluation
