"""Budget services: the only code that writes budget data, import batches and push tokens.

An import is not one `transaction.atomic` block from end to end on purpose: loading and
checking a large file happens outside the transaction so that its progress is visible to the
browser, and only the merge (plus the batch's final status and its audit event) runs in one
transaction. Nothing reaches a budget table unless every row of the file passed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone

from renda.core import audit
from renda.core.models import ImportBatch, Region
from renda.core.roles import Role, has_role

from . import ingest
from .kinds import KINDS, LOAD_ORDER, KindSpec
from .models import FinanceRegion, IdempotencyRecord, PushToken

logger = logging.getLogger(__name__)

KIND_PREFIX = "budget."
API_MAX_RECORDS = 10_000
# Budget exports are large (a county's year of payments is ~25 MB of CSV); the general
# IMPORT_MAX_BYTES is for hand-made spreadsheets.
MAX_UPLOAD_BYTES = getattr(settings, "BUDGET_IMPORT_MAX_BYTES", 2 * 1024**3)


def batch_kind(slug: str) -> str:
    return KIND_PREFIX + slug


def kind_of(batch: ImportBatch) -> KindSpec | None:
    return KINDS.get(batch.kind.removeprefix(KIND_PREFIX))


def get_spec(kind: str) -> KindSpec:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValidationError(f"未知的数据类型「{kind}」；可用：{'、'.join(KINDS)}") from None


# --- batches -----------------------------------------------------------------------------


@transaction.atomic
def create_batch(
    *,
    actor: Any,
    kind: str,
    source: str,
    file_name: str,
    sha256: str,
    upload: UploadedFile | None = None,
) -> ImportBatch:
    spec = get_spec(kind)
    batch = ImportBatch(
        kind=batch_kind(spec.slug),
        source=source,
        file_name=file_name[:255],
        sha256=sha256,
        status=ImportBatch.Status.VALIDATING,
        created_by=actor,
        summary={"phase": "waiting"},
    )
    if upload is not None:
        batch.file.save(Path(file_name).name, upload, save=False)
    batch.full_clean()
    batch.save()
    audit.record(
        actor=actor,
        action="budget.import_start",
        target=batch,
        details={"kind": spec.slug, "source": source, "file": file_name, "sha256": sha256},
    )
    return batch


def _earlier_commit(batch: ImportBatch) -> ImportBatch | None:
    return (
        ImportBatch.objects.filter(
            kind=batch.kind, sha256=batch.sha256, status=ImportBatch.Status.COMMITTED
        )
        .exclude(pk=batch.pk)
        .first()
    )


@transaction.atomic
def _discard_as_duplicate(batch: ImportBatch, earlier: ImportBatch) -> ImportBatch:
    batch.status = ImportBatch.Status.DISCARDED
    batch.rows_total = batch.rows_done = earlier.rows_total
    batch.summary = {
        "phase": "done",
        "duplicate_of": earlier.pk,
        "rows": earlier.rows_total,
        "inserted": 0,
        "updated": 0,
        "unchanged": earlier.rows_total,
        "rejected": 0,
        "errors": 0,
        "message": f"与第 {earlier.pk} 号批次的内容完全相同，未重复导入（数据没有任何变化）",
    }
    batch.save(update_fields=["status", "rows_total", "rows_done", "summary", "updated_at"])
    audit.record(
        actor=batch.created_by,
        action="budget.import_duplicate",
        target=batch,
        details={"duplicate_of": earlier.pk},
    )
    return batch


class _Progress:
    """Progress of a running batch, written where the browser can see it at once.

    On PostgreSQL it goes through a second connection: the import's own connection is busy
    streaming COPY data (a query there would deadlock) and its writes stay invisible until
    the merge commits. SQLite has no COPY, and a second connection to an in-memory test
    database would see another database, so there the import's connection is used."""

    def __init__(self, batch: ImportBatch) -> None:
        self.batch = batch
        self.side: Any = None

    def __call__(self, rows: int, phase: str = "loading") -> None:
        self.batch.rows_done = rows
        self.batch.summary = {**self.batch.summary, "phase": phase}
        if connection.vendor != "postgresql":
            ImportBatch.objects.filter(pk=self.batch.pk).update(
                rows_done=rows, summary=self.batch.summary
            )
            return
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        with self.side.cursor() as cursor:
            cursor.execute(
                "UPDATE core_importbatch SET rows_done = %s, summary = %s WHERE id = %s",
                [rows, json.dumps(self.batch.summary, ensure_ascii=False), self.batch.pk],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def run_batch(
    batch: ImportBatch, table_factory: Any, *, expected_year: int | None = None
) -> ImportBatch:
    """Check and merge one batch; the batch ends committed, invalid, discarded or failed."""
    spec = kind_of(batch)
    assert spec is not None
    earlier = _earlier_commit(batch)
    if earlier is not None:
        return _discard_as_duplicate(batch, earlier)
    report = _Progress(batch)
    report(0, "loading")

    def on_merged(inserted: int, updated: int) -> None:
        # Inside the merge transaction: the batch is committed exactly when its rows are.
        total = outcome_rows[0]
        _finish(
            batch,
            spec,
            ImportBatch.Status.COMMITTED,
            total,
            {
                "inserted": inserted,
                "updated": updated,
                "unchanged": total - inserted - updated,
                "rejected": 0,
                "errors": 0,
            },
            [],
        )

    outcome_rows = [0]

    def progress(rows: int, phase: str = "loading") -> None:
        outcome_rows[0] = rows
        report(rows, phase)

    try:
        table = table_factory()
        outcome = ingest.run(
            spec,
            table,
            batch,
            expected_year=expected_year,
            on_progress=progress,
            before_merge=on_merged,
        )
    except ingest.ImportRejected as exc:
        report.close()
        return _finish_atomic(
            batch,
            spec,
            ImportBatch.Status.INVALID,
            0,
            _counts(rejected=0, errors=1),
            [ingest.Problem(None, "", str(exc))],
        )
    except IntegrityError:
        report.close()
        # The same content was committed by a concurrent batch a moment ago.
        earlier = _earlier_commit(batch)
        if earlier is None:
            raise
        return _discard_as_duplicate(batch, earlier)
    except Exception as exc:
        report.close()
        logger.exception("budget import %s failed", batch.pk)
        _finish_atomic(
            batch,
            spec,
            ImportBatch.Status.FAILED,
            0,
            _counts(errors=1),
            [
                ingest.Problem(
                    None,
                    "",
                    f"导入中断，未写入任何数据（{type(exc).__name__}）。请重试或联系系统管理员",
                )
            ],
        )
        raise
    report.close()
    if outcome.ok:
        batch.refresh_from_db()
        ingest.data_imported.send(sender=ImportBatch, kind=spec.slug, batch=batch)
        return batch
    counts = outcome.counts()
    counts.update(inserted=0, updated=0, unchanged=0)
    return _finish_atomic(
        batch,
        spec,
        ImportBatch.Status.INVALID,
        outcome.rows_total,
        counts,
        outcome.errors,
        ignored=outcome.ignored_columns,
    )


def _counts(**values: int) -> dict[str, int]:
    return {"inserted": 0, "updated": 0, "unchanged": 0, "rejected": 0, "errors": 0, **values}


@transaction.atomic
def _finish_atomic(
    batch: ImportBatch,
    spec: KindSpec,
    status: str,
    rows: int,
    counts: dict[str, int],
    problems: list[ingest.Problem],
    **extra: Any,
) -> ImportBatch:
    return _finish(batch, spec, status, rows, counts, problems, **extra)


def _finish(
    batch: ImportBatch,
    spec: KindSpec,
    status: str,
    rows: int,
    counts: dict[str, int],
    problems: list[ingest.Problem],
    ignored: list[str] | None = None,
) -> ImportBatch:
    label = "条" if batch.source == ImportBatch.Source.API else "行"
    batch.status = status
    batch.rows_total = rows
    batch.rows_done = rows
    batch.errors = [p.as_dict(label) for p in problems[: ingest.MAX_ERRORS]]
    batch.summary = {
        **counts,
        "rows": rows,
        "phase": "done",
        **({"ignored_columns": ignored} if ignored else {}),
    }
    if status == ImportBatch.Status.COMMITTED:
        batch.committed_at = timezone.now()
    batch.save()
    audit.record(
        actor=batch.created_by,
        action="budget.import",
        target=batch,
        outcome="success" if status == ImportBatch.Status.COMMITTED else "failure",
        details={"kind": spec.slug, "status": status, **counts},
    )
    return batch


def import_path(
    *,
    actor: Any,
    kind: str,
    path: Path | str,
    file_name: str | None = None,
    source: str = ImportBatch.Source.COMMAND,
    expected_year: int | None = None,
) -> ImportBatch:
    """Import one file synchronously (the command line and the demo loader use this)."""
    path = Path(path)
    spec = get_spec(kind)
    with open(path, "rb") as handle:
        sha = ingest.sha256_of_file(handle)
    batch = create_batch(
        actor=actor, kind=spec.slug, source=source, file_name=file_name or path.name, sha256=sha
    )
    return run_batch(batch, lambda: ingest.open_table(spec, path), expected_year=expected_year)


@transaction.atomic
def start_upload(
    *, actor: Any, kind: str, upload: UploadedFile, expected_year: int | None = None
) -> ImportBatch:
    """Store an uploaded file as a batch and queue its import as a background job."""
    if not has_role(actor, Role.STAFF, Role.DATA_PROVIDER):
        raise PermissionDenied
    spec = get_spec(kind)
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"文件太大（{upload.size // 1024**2} MB），上限为 {MAX_UPLOAD_BYTES // 1024**2} MB"
        )
    if not upload.size:
        raise ValidationError("文件是空的")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    batch = create_batch(
        actor=actor,
        kind=spec.slug,
        source=ImportBatch.Source.FILE,
        file_name=upload.name or "upload",
        sha256=digest.hexdigest(),
        upload=upload,
    )
    from .tasks import run_uploaded_batch

    transaction.on_commit(lambda: run_uploaded_batch(batch.pk, expected_year))
    return batch


def process_uploaded_batch(batch_id: int, expected_year: int | None = None) -> ImportBatch:
    """The background job: read the stored file and import it."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    spec = kind_of(batch)
    assert spec is not None
    if batch.status != ImportBatch.Status.VALIDATING:
        return batch  # already run (a retried job)
    with tempfile.TemporaryDirectory() as tmp:
        # Storage may be remote; work on a local copy so that the reader can stream it.
        local = Path(tmp) / (Path(batch.file.name).name or "upload")
        with batch.file.open("rb") as source, open(local, "wb") as target:
            for chunk in iter(lambda: source.read(1 << 20), b""):
                target.write(chunk)
        return run_batch(batch, lambda: ingest.open_table(spec, local), expected_year=expected_year)


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
        batch = run_batch(batch, lambda: ingest.records_table(spec, records))
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
    *, actor: Any, name: str, user: Any, kinds: list[str] | None = None
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
def revoke_push_token(*, actor: Any, token: PushToken) -> PushToken:
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


# --- reference data and the demo ---------------------------------------------------------


@transaction.atomic
def ensure_finance_region(
    *, actor: Any, code: str, name: str, parent: FinanceRegion | None = None
) -> FinanceRegion:
    region, created = FinanceRegion.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "parent": parent,
            "region": Region.objects.filter(code=code).first(),
        },
    )
    if created:
        region.full_clean()
        audit.record(actor=actor, action="budget.region_create", target=region)
    return region


def load_demo_year(
    *,
    actor: Any,
    year: int,
    payments: int | None = None,
    scale: str = "county",
    monthly_history: bool = False,
) -> dict[str, Any]:
    """Generate and import a county-scale year for 冷水江 (seed_demo calls this). Returns the
    generator's manifest with each kind's batch id."""
    from . import synthetic

    with tempfile.TemporaryDirectory() as tmp:
        manifest = synthetic.generate(out=Path(tmp), scale=scale, year=year, payments=payments)
        profile = synthetic.SCALES[scale]
        ensure_finance_region(actor=actor, code=profile.region_code, name=profile.region_name)
        batches = {}
        # One rules run at the end instead of one per file.
        from .tasks import rules_paused

        with rules_paused():
            batches = _import_demo_files(actor, Path(tmp))
        manifest["batches"] = batches
    region = FinanceRegion.objects.get(code=synthetic.SCALES[scale].region_code)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE budget_payment")
    from .engine import run_rules
    from .models import RuleRun

    # The payments import brought the summaries up to date in its own transaction.
    if monthly_history:
        # What the nightly job would have left behind over the year: the progress rules
        # judged at every month end (the alerts-by-month view), before the year-end run.
        from . import rules as registry
        from .engine import month_ends

        progress = [r.code for r in registry.AGGREGATE_RULES if not r.payment_months]
        for as_of in month_ends(dt.date(year, 1, 1), dt.date(year, 11, 30)):
            run_rules(
                actor=actor,
                region=region,
                year=year,
                as_of=as_of,
                trigger=RuleRun.Trigger.COMMAND,
                codes=progress,
            )
    run_rules(actor=actor, region=region, year=year, trigger=RuleRun.Trigger.COMMAND)
    return manifest


def _import_demo_files(actor: Any, folder: Path) -> dict[str, int]:
    batches = {}
    for kind in LOAD_ORDER:
        path = folder / f"{kind}.csv"
        if path.exists():
            batch = import_path(actor=actor, kind=kind, path=path)
            if batch.status not in (ImportBatch.Status.COMMITTED, ImportBatch.Status.DISCARDED):
                raise RuntimeError(f"演示数据 {kind} 导入失败：{batch.errors[:3]}")
            batches[kind] = batch.pk
    return batches
