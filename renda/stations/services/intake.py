"""Collecting constituent opinions (社情民意: 收集): from a reception, the public web form or a
station's QR code. Each gets an unguessable tracking code (to follow it) and a second secret,
the 评价码 (to rate it), shown once on the confirmation and stored only as a hash: insiders may
see or be told a tracking code, but only the constituent can rate."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit
from renda.core.attachments import IMAGES, check_uploads
from renda.core.calendar import END_OF_DAY
from renda.core.fields import make_blind_index
from renda.lib.idcard import is_mobile
from renda.lib.richtext import strip_markup

from .. import effects
from ..models import Category, Opinion, OpinionAttachment, Reception, Station
from ..rules import rules

# No 0/O, 1/I/L: a code read out over the telephone or copied by hand stays unambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12  # 31**12 ≈ 7.9e17 (59 bits): not guessable, even without the rate limit


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


RATING_CODE_LENGTH = 8  # 31**8 ≈ 8.5e11; misses count against the tracking-page limit


def new_rating_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(RATING_CODE_LENGTH))


def _rating_digest(code: str) -> str:
    # A keyed HMAC-SM3, not a slow password hash: the code is random (about 40 bits), guesses
    # are rate-limited online, and without the key the stored digest cannot be tried offline.
    # (A password hasher took 0.5 s per opinion and made the demo load take many minutes.)
    return "hmac_sm3$" + make_blind_index(f"rating-code:{code}")


def issue_rating_code(opinion: Opinion) -> str:
    """A new 评价码 for the opinion: its digest goes on the instance (saved by the caller), the
    plain code on ``opinion.rating_code`` for the one page that shows it."""
    code = new_rating_code()
    opinion.rating_code_hash = _rating_digest(code)
    opinion.rating_code = code
    return code


def rating_code_matches(opinion: Opinion, value: str) -> bool:
    code = normalise_code(value)
    if not (code and opinion.rating_code_hash):
        return False
    return hmac.compare_digest(_rating_digest(code), opinion.rating_code_hash)


def normalise_code(value: str) -> str:
    """What a constituent types: any case, with spaces or dashes."""
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())[:32]


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


def clean_contact(name: str, phone: str) -> tuple[str, str]:
    name = strip_markup(name or "").strip()[:50]
    phone = (phone or "").strip().replace(" ", "").replace("-", "")
    if phone and not is_mobile(phone):
        raise ValidationError({"contact_phone": "请输入正确的11位手机号，或留空"})
    return name, phone


def clean_content(text: str, field: str) -> str:
    text = strip_markup(text or "").strip()
    r = rules()
    if len(text) < r.min_content_chars:
        raise ValidationError({field: f"请把情况写清楚一些（至少 {r.min_content_chars} 个字）"})
    if len(text) > r.max_content_chars:
        raise ValidationError(
            {field: f"内容不能超过 {r.max_content_chars} 个字（现有 {len(text)} 字）"}
        )
    return text


def assignment_due(intake: dt.datetime) -> dt.datetime:
    """交办 within N (calendar) days of intake, to the end of that day: the first deadline of
    every opinion."""
    day = timezone.localdate(intake) + dt.timedelta(days=rules().assign_within_days)
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def submit_opinion(
    *,
    actor: User | None,
    station: Station | None,
    source: str,
    category: str,
    content: str,
    location: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    attachments: Sequence[UploadedFile] = (),
    form_token: str | None = None,
    reception: Reception | None = None,
    created_at: dt.datetime | None = None,
) -> tuple[Opinion, bool]:
    """Collect one opinion; returns (opinion, created). With a ``form_token`` it is
    idempotent: the same form posted twice (double click, retry after a lost answer) returns
    the first opinion and its tracking code, and creates nothing. The caller acknowledges the
    opinion only after this returns, i.e. after the row is committed."""
    if form_token:
        existing = Opinion.objects.filter(form_token=form_token).first()
        if existing is not None:
            return existing, False
    _check_choices(station, source, category)
    name, phone = clean_contact(contact_name, contact_phone)
    opinion = Opinion(
        tracking_code=new_tracking_code(),
        form_token=form_token or None,
        station=station,
        source=source,
        reception=reception,
        category=category,
        content=clean_content(content, "content"),
        location=strip_markup(location or "").strip()[:200],
        contact_name=name,
        contact_phone=phone,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    check_images(attachments, "attachments")
    issue_rating_code(opinion)
    opinion.due_at = assignment_due(created_at or timezone.now())
    opinion.full_clean(exclude=["contact_phone_index", "form_token", "rating_code_hash"])
    saved = _save_once(opinion, form_token)
    if saved is not opinion:
        return saved, False
    _store_extras(opinion, attachments, created_at)
    audit.record(
        actor=actor,
        action="opinion.submit",
        target=opinion,
        details={"source": source, "station": station.pk if station else None},
    )
    effects.sms_constituent(opinion, "已收到")
    return opinion, True


def _check_choices(station: Station | None, source: str, category: str) -> None:
    if source not in Opinion.Source.values:
        raise ValidationError({"source": "来源不正确"})
    if station is not None and not station.is_active:
        raise ValidationError({"station": "该站点已停用，请选择其他站点"})
    if category not in Category.values:
        raise ValidationError({"category": "请选择类别"})


def check_images(files: Sequence[UploadedFile], field: str) -> None:
    """Photos and attachments: images within the stations' size and count limits."""
    r = rules()
    check_uploads(
        files, allowed=IMAGES, max_mb=r.max_attachment_mb, max_count=r.max_attachments, field=field
    )


def _store_extras(
    opinion: Opinion, attachments: Sequence[UploadedFile], created_at: dt.datetime | None
) -> None:
    if created_at is not None:
        # Back-dated intake (a paper register typed in later, the demo year): keep the date.
        Opinion.objects.filter(pk=opinion.pk).update(created_at=created_at)
        opinion.created_at = created_at
    for uploaded in attachments:
        OpinionAttachment.objects.create(
            opinion=opinion,
            file=uploaded,
            name=(uploaded.name or "")[:200],
            size=uploaded.size or 0,
        )


def _save_once(opinion: Opinion, form_token: str | None) -> Opinion:
    """Save the new row; when a concurrent post of the same form won the race on the token,
    the row it made instead."""
    try:
        with transaction.atomic():  # a savepoint: a lost race on the token is not an error
            opinion.save()
    except IntegrityError:
        if form_token:
            existing = Opinion.objects.filter(form_token=form_token).first()
            if existing is not None:
                return existing
        raise
    return opinion
