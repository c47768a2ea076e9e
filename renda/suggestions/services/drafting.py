"""Drafting and co-signing: drafts (online by the deputy, on paper by staff), invitations to
co-sign and the answers, submission."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit
from renda.core.notifications import notify
from renda.core.roles import Role
from renda.core.sources import Source, link_source
from renda.core.workflow import apply_transition
from renda.deputies.models import Deputy, DutyRecord
from renda.deputies.permissions import linked_deputy
from renda.deputies.services import record_duty

from .. import similarity
from ..models import (
    Motion,
    Signature,
    Suggestion,
)
from .base import (
    _clean_text,
    _url,
)
from .sittings import open_sitting


def check_author(actor: User, deputy: Deputy, source: str) -> None:
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
    actor: User,
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
    check_author(actor, deputy, channel)
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
    *, actor: User, suggestion: Suggestion, title: str, content: str, allow_public: bool
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
def invite_cosigner(*, actor: User, subject: Suggestion | Motion, deputy: Deputy) -> Signature:
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
def respond_signature(*, actor: User, signature: Signature, accept: bool) -> Signature | None:
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


def drop_unconfirmed(subject: Suggestion | Motion) -> int:
    dropped, _ = subject.signatures.filter(confirmed_at__isnull=True, is_lead=False).delete()
    return dropped


@transaction.atomic
def submit_suggestion(*, actor: User, suggestion: Suggestion) -> Suggestion:
    """Draft → 待登记. Invitations not yet confirmed lapse (the deputy is told how many). Each
    confirmed signer gets a duty record (提出建议), created by this service."""
    if suggestion.state != "draft":
        raise ValidationError("该建议已提交，不能重复提交。")
    if len(suggestion.content) < 10:
        raise ValidationError({"content": "请写明建议的事实、理由和具体要求（至少10个字）。"})
    now = timezone.now()
    apply_transition(actor=actor, obj=suggestion, transition="submit", expected_state="draft")
    dropped = drop_unconfirmed(suggestion)
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
