"""What the services of every stage share: text cleaning and redaction, who is told
(officers of units, staff, signers), serial numbers, links in notifications, upload limits."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile

from renda.accounts.models import User
from renda.core.attachments import VIDEOS, extension
from renda.core.attachments import check_upload as check_file
from renda.core.roles import Role
from renda.deputies.models import Deputy
from renda.lib.richtext import strip_markup

from ..models import (
    Motion,
    SerialCounter,
    Suggestion,
)
from ..rules import RULES


def _clean_text(value: str) -> str:
    # Deputies type plain text on phones; markup pasted from Word is dropped, line breaks kept.
    return strip_markup(value or "").strip()


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


def _url(name: str, *args: int | str) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


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


def check_upload(uploaded: UploadedFile, allowed: frozenset[str], *, field: str = "file") -> str:
    """core's upload check with suggestions' limits (`rules.RULES`): a video may be larger than
    a document or a photo."""
    limit = RULES.max_video_mb if extension(uploaded) in VIDEOS else RULES.max_document_mb
    return check_file(uploaded, allowed=allowed, max_mb=limit, field=field)
