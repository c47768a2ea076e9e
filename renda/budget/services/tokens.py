"""The push API and its tokens."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from renda.accounts.models import User
from renda.budget.ingest.kinds import KIND_PREFIX, KINDS, get_spec
from renda.budget.ingest.reading import records_table
from renda.budget.models import IdempotencyRecord, PushToken
from renda.budget.services.batches import create_batch, run_batch
from renda.core import audit
from renda.core.middleware import client_ip
from renda.core.models import ImportBatch
from renda.core.roles import Role, has_role

API_MAX_RECORDS = 10_000


# --- the push API ---------------------------------------------------------------------


@dataclass
class PushAnswer:
    status: int
    body: dict[str, Any]


def batch_answer(batch: ImportBatch) -> dict[str, Any]:
    return {
        "batch_id": batch.pk,
        "kind": batch.kind.removeprefix(KIND_PREFIX),
        "status": batch.status,
        "status_display": batch.get_status_display(),
        "sha256": batch.sha256,
        "counts": {
            key: batch.summary.get(key, 0)
            for key in ("rows", "inserted", "updated", "unchanged", "rejected", "errors")
        },
        "errors": batch.errors[:100],
        "message": batch.summary.get("message", ""),
    }


def push_records(
    *, token: PushToken, kind: str, records: list[Any], idempotency_key: str, body_sha256: str
) -> PushAnswer:
    """One API push: at most API_MAX_RECORDS records, replayed by Idempotency-Key."""
    spec = get_spec(kind)
    if not token.allows(spec.slug):
        return PushAnswer(403, {"detail": f"该令牌无权推送「{spec.title}」数据"})
    if len(records) > API_MAX_RECORDS:
        return PushAnswer(
            # 400 as the schema's maxItems says (413 is for a body over the byte limit)
            400,
            {
                "detail": f"一次最多推送 {API_MAX_RECORDS} 条记录，本次 {len(records)} 条；请分批推送"
            },
        )
    if not records:
        return PushAnswer(400, {"detail": "请求体是空数组，没有可导入的记录"})
    claim = _claim_key(token, idempotency_key, spec.slug, body_sha256)
    if isinstance(claim, PushAnswer):
        return claim
    try:
        batch = create_batch(
            actor=token.user,
            kind=spec.slug,
            source=ImportBatch.Source.API,
            file_name=f"API：{token.name}",
            sha256=body_sha256,
        )
        batch = run_batch(batch, lambda: records_table(spec, records))
    except Exception:
        IdempotencyRecord.objects.filter(pk=claim.pk).delete()  # let the client retry
        raise
    status = (
        201
        if batch.status == ImportBatch.Status.COMMITTED
        else 200
        if batch.status == ImportBatch.Status.DISCARDED
        else 422
    )
    answer = PushAnswer(status, batch_answer(batch))
    IdempotencyRecord.objects.filter(pk=claim.pk).update(
        status_code=status, response=answer.body, batch=batch
    )
    PushToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return answer


def request_fingerprint(kind: str, body_sha256: str) -> str:
    """What an Idempotency-Key stands for: this body pushed as this kind of data. The same
    records pushed as another kind are another request, not a replay of the first."""
    return hashlib.sha256(f"{kind}\n{body_sha256}".encode()).hexdigest()


def _first_kind(existing: IdempotencyRecord, body_sha256: str) -> str | None:
    """The kind the key was first used for, when it can be told: from its batch, or (while
    the first request still runs) because it carried this same body as another kind."""
    if existing.batch is not None:
        return existing.batch.kind.removeprefix(KIND_PREFIX)
    for kind in KINDS:
        if existing.request_sha256 == request_fingerprint(kind, body_sha256):
            return kind
    return None


def _claim_key(
    token: PushToken, key: str, kind: str, body_sha256: str
) -> IdempotencyRecord | PushAnswer:
    fingerprint = request_fingerprint(kind, body_sha256)
    existing = (
        IdempotencyRecord.objects.select_related("batch").filter(token=token, key=key).first()
    )
    if existing is None:
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    token=token, key=key, request_sha256=fingerprint
                )
        except IntegrityError:
            existing = (
                IdempotencyRecord.objects.select_related("batch")
                .filter(token=token, key=key)
                .first()
            )
            if existing is None:  # pragma: no cover - deleted in between
                return PushAnswer(
                    409, {"detail": "同一 Idempotency-Key 的请求正在处理中，请稍后重试"}
                )
    if existing.request_sha256 != fingerprint:
        return _conflict(existing, kind, body_sha256)
    if existing.status_code is None:
        return PushAnswer(409, {"detail": "同一 Idempotency-Key 的请求正在处理中，请稍后重试"})
    return PushAnswer(existing.status_code, {**(existing.response or {}), "replayed": True})


def _conflict(existing: IdempotencyRecord, kind: str, body_sha256: str) -> PushAnswer:
    first = _first_kind(existing, body_sha256)
    if first is not None and first != kind:
        title = KINDS[first].title if first in KINDS else first
        text = (
            f"该 Idempotency-Key 已用于推送「{title}」数据，不能再用于「{KINDS[kind].title}」；"
            "新的请求请使用新的 Idempotency-Key"
        )
    else:
        text = "该 Idempotency-Key 已用于内容不同的另一个请求；新的请求请使用新的 Idempotency-Key"
    return PushAnswer(409, {"detail": text})


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def find_push_token(raw: str) -> PushToken | None:
    if not raw:
        return None
    return PushToken.objects.select_related("user").filter(token_hash=hash_token(raw)).first()


@transaction.atomic
def issue_push_token(
    *, actor: User, name: str, user: User | AnonymousUser, kinds: list[str] | None = None
) -> tuple[PushToken, str]:
    """The security administrator issues a token to a data-provider account; the plain token
    is returned once and never stored."""
    if not has_role(actor, Role.SECURITY_ADMIN):
        raise PermissionDenied
    if not (user.is_active and user.role == Role.DATA_PROVIDER):
        raise ValidationError({"user": "令牌只能签发给在用的数据报送单位账号"})
    unknown = [k for k in kinds or [] if k not in KINDS]
    if unknown:
        raise ValidationError({"kinds": f"未知的数据类型：{'、'.join(unknown)}"})
    raw = "rdb_" + secrets.token_urlsafe(32)
    token = PushToken(
        name=name.strip(),
        user=user,
        kinds=list(kinds or []),
        prefix=raw[:10],
        token_hash=hash_token(raw),
        created_by=actor,
    )
    token.full_clean()
    token.save()
    audit.record(
        actor=actor,
        action="budget.token_issue",
        target=token,
        details={"user": user.username, "kinds": token.kinds, "prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def revoke_push_token(*, actor: User, token: PushToken) -> PushToken:
    if not has_role(actor, Role.SECURITY_ADMIN):
        raise PermissionDenied
    if token.revoked_at is not None:
        raise ValidationError("该令牌已经吊销")
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        actor=actor, action="budget.token_revoke", target=token, details={"prefix": token.prefix}
    )
    return token


# --- denied requests ------------------------------------------------------------------


class DenialThrottle:
    """Refused API requests of one client address, counted in fixed windows on Django's
    cache (Redis in production, so the count holds across app servers).

    One fuzzing run with unknown tokens wrote 1,265 audit rows. Now the first denial of an
    address in a window is audited; repeats are only counted, and the first denial of a
    later window writes one `budget.api_denied_repeats` row with the earlier window's count.
    Past `limit` denials in a window the address is answered 429 without a token look-up."""

    WINDOW = 600  # seconds

    @property
    def limit(self) -> int:
        """Denials allowed per address and window (settings.API_DENIAL_LIMIT, 20 by default;
        the API fuzz run in CI raises it so that it tests the handlers, not the throttle)."""
        return int(settings.API_DENIAL_LIMIT)

    def __init__(self, request: HttpRequest) -> None:
        self.address = client_ip(request) or "unknown"
        # Addresses are personal data; the cache key holds only a digest.
        self.digest = hashlib.sha256(self.address.encode()).hexdigest()[:24]
        self.bucket = int(time.time() // self.WINDOW)

    def _key(self, bucket: int, part: str = "n") -> str:
        return f"budget:api_denied:{self.digest}:{bucket}:{part}"

    def count(self, bucket: int | None = None) -> int:
        return int(cache.get(self._key(self.bucket if bucket is None else bucket)) or 0)

    def blocked(self) -> bool:
        return self.count() >= self.limit

    def message(self) -> str:
        return f"被拒绝的请求过多：请 {self.WINDOW // 60} 分钟后再试，并检查令牌是否正确"

    def deny(
        self, *, reason: str, path: str, username: str = "API", target: PushToken | None = None
    ) -> None:
        """Count one denial; audit it if it is the address's first in this window."""
        key = self._key(self.bucket)
        # Kept for two windows, so that the next window can still summarise this one.
        if not cache.add(key, 1, timeout=2 * self.WINDOW + 1):
            try:
                cache.incr(key)
            except ValueError:  # expired in between: this denial starts the count again
                cache.add(key, 1, timeout=2 * self.WINDOW + 1)
            return
        self._summarise_previous()
        audit.record(
            actor=None,
            action="budget.api_denied",
            outcome="failure",
            username=username,
            target=target,
            details={"reason": reason, "path": path, "window_seconds": self.WINDOW},
        )

    def _summarise_previous(self) -> None:
        previous = self.bucket - 1
        repeats = self.count(previous) - 1
        if repeats < 1 or not cache.add(self._key(previous, "summarised"), 1, self.WINDOW + 1):
            return
        start = datetime.fromtimestamp(previous * self.WINDOW, tz=timezone.get_current_timezone())
        audit.record(
            actor=None,
            action="budget.api_denied_repeats",
            outcome="failure",
            username="API",
            details={
                "count": repeats,
                "window_start": f"{start:%Y-%m-%d %H:%M}",
                "window_seconds": self.WINDOW,
            },
        )
