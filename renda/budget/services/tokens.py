"""The push API and its tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.budget.ingest.kinds import KIND_PREFIX, KINDS, get_spec
from renda.budget.ingest.reading import records_table
from renda.budget.models import IdempotencyRecord, PushToken
from renda.budget.services.batches import create_batch, run_batch
from renda.core import audit
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
            413,
            {
                "detail": f"一次最多推送 {API_MAX_RECORDS} 条记录，本次 {len(records)} 条；请分批推送"
            },
        )
    if not records:
        return PushAnswer(400, {"detail": "请求体是空数组，没有可导入的记录"})
    claim = _claim_key(token, idempotency_key, body_sha256)
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


def _claim_key(token: PushToken, key: str, body_sha256: str) -> IdempotencyRecord | PushAnswer:
    existing = IdempotencyRecord.objects.filter(token=token, key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    token=token, key=key, request_sha256=body_sha256
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(token=token, key=key).first()
            if existing is None:  # pragma: no cover - deleted in between
                return PushAnswer(
                    409, {"detail": "同一 Idempotency-Key 的请求正在处理中，请稍后重试"}
                )
    if existing.request_sha256 != body_sha256:
        return PushAnswer(
            409,
            {
                "detail": "该 Idempotency-Key 已用于内容不同的另一个请求；新的请求请使用新的 Idempotency-Key"
            },
        )
    if existing.status_code is None:
        return PushAnswer(409, {"detail": "同一 Idempotency-Key 的请求正在处理中，请稍后重试"})
    return PushAnswer(existing.status_code, {**(existing.response or {}), "replayed": True})


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
