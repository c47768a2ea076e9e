"""Public disclosure: publishing a redacted version, taking it down."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit
from renda.core.roles import Duty, has_duty

from ..models import (
    Suggestion,
)
from ..workflows import ANSWERED_STATES
from .base import (
    _clean_text,
    has_contact_data,
)


@transaction.atomic
def publish_suggestion(
    *, actor: User, suggestion: Suggestion, title: str, content: str, reply: str
) -> Suggestion:
    """Publish after staff review: only answered items whose deputy agreed, and never with
    contact data (the texts are checked, not trusted)."""
    if not has_duty(actor, Duty.SUGGESTIONS):
        raise PermissionDenied("只有负责代表建议的工作人员可以发布。")
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
def unpublish_suggestion(*, actor: User, suggestion: Suggestion, reason: str) -> Suggestion:
    if not has_duty(actor, Duty.SUGGESTIONS):
        raise PermissionDenied("只有负责代表建议的工作人员可以撤下公开内容。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写撤下的理由。"})
    suggestion.published_at = None
    suggestion.save(update_fields=["published_at", "updated_at"])
    audit.record(
        actor=actor, action="suggestion.unpublish", target=suggestion, details={"reason": reason}
    )
    return suggestion
