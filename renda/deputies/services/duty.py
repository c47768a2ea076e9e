"""Services for duty records (履职档案) and the score rules that weigh them: `record_duty` is the
one way any app adds to a deputy's record; staff type in the kinds no service records (with
evidence); score rules are versioned, never edited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit
from renda.core.attachments import DOCUMENTS, check_upload
from renda.core.roles import Role

from ..models import Deputy, DutyRecord, ScoreRule
from ..selectors.scoring import REVERSAL_PREFIX

# Kinds the services of other apps record themselves (a submitted suggestion, a motion); staff
# cannot type them in.
# Kinds only the system records: a suggestion or motion when filed, and meeting attendance
# when the meeting closes (renda.meetings) — staff no longer type attendance in.
AUTOMATIC_KINDS = frozenset(
    {
        DutyRecord.Kind.SUGGESTION,
        DutyRecord.Kind.MOTION,
        DutyRecord.Kind.MEETING_ATTENDANCE,
        DutyRecord.Kind.MEETING_LEAVE,
        DutyRecord.Kind.MEETING_ABSENCE,
    }
)
EVIDENCE_MAX_MB = 20


@transaction.atomic
def record_duty(
    *,
    actor: User | None,
    deputy: Deputy,
    kind: str,
    occurred_on: dt.date,
    title: str,
    details: str = "",
    source: models.Model | None = None,
    evidence: UploadedFile | None = None,
) -> DutyRecord:
    """Add one duty record. With a `source` (the suggestion, the duty slot…) it is idempotent:
    recording the same source for the same deputy and kind again returns the existing row."""
    source_type = source._meta.label_lower if source is not None else ""
    source_id = str(source.pk) if source is not None else ""
    if source is not None:
        existing = DutyRecord.objects.filter(
            deputy=deputy, kind=kind, source_type=source_type, source_id=source_id
        ).first()
        if existing is not None:
            return existing
    record = DutyRecord(
        deputy=deputy,
        kind=kind,
        occurred_on=occurred_on,
        title=title[:200],
        details=details,
        source_type=source_type,
        source_id=source_id,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if evidence is not None:
        record.evidence = evidence
    record.full_clean()
    record.save()
    audit.record(actor=actor, action="duty.record", target=record, details={"kind": kind})
    return record


@transaction.atomic
def revoke_duty(*, actor: User | None, source: models.Model, reason: str) -> list[DutyRecord]:
    """The records `source` earned no longer stand (it was withdrawn, merged away, not
    accepted): append one reversal per record, so that scoring leaves both out. Records are
    never edited or deleted; revoking twice adds nothing."""
    source_type = source._meta.label_lower
    reversal_type = REVERSAL_PREFIX + source_type
    added = []
    originals = DutyRecord.objects.filter(source_type=source_type, source_id=str(source.pk))
    for record in originals.select_related("deputy"):
        if DutyRecord.objects.filter(
            deputy_id=record.deputy_id,
            kind=record.kind,
            source_type=reversal_type,
            source_id=record.source_id,
        ).exists():
            continue
        reversal = DutyRecord(
            deputy_id=record.deputy_id,
            kind=record.kind,
            occurred_on=timezone.localdate(),
            title=f"不计分（{reason}）：{record.title}"[:200],
            details=f"撤销第 {record.pk} 号履职记录的积分。",
            source_type=reversal_type,
            source_id=record.source_id,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        reversal.full_clean()
        reversal.save()
        added.append(reversal)
        audit.record(
            actor=actor,
            action="duty.revoke",
            target=record,
            details={"reason": reason, "reversal": reversal.pk},
        )
    return added


@transaction.atomic
def add_duty_record(
    *,
    actor: User,
    deputy: Deputy,
    kind: str,
    occurred_on: dt.date,
    title: str,
    details: str = "",
    evidence: UploadedFile | None = None,
) -> DutyRecord:
    """Staff enter a duty record with evidence (a sign-in sheet, a photo, a notice).
    Suggestions and motions record themselves and cannot be typed in."""
    if getattr(actor, "role", None) != Role.STAFF:
        raise PermissionDenied("只有人大机关工作人员可以登记履职记录。")
    if kind in AUTOMATIC_KINDS:
        raise ValidationError({"kind": "建议和议案由系统在代表提交时自动记入，不能手工登记。"})
    if kind not in DutyRecord.Kind.values:
        raise ValidationError({"kind": "请选择履职类别。"})
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "日期不能晚于今天。"})
    if evidence is None:
        raise ValidationError({"evidence": "请上传佐证材料（签到表、照片、通知等）。"})
    check_upload(evidence, allowed=DOCUMENTS, max_mb=EVIDENCE_MAX_MB, field="evidence")
    if not title.strip():
        raise ValidationError({"title": "请填写事项。"})
    return record_duty(
        actor=actor,
        deputy=deputy,
        kind=kind,
        occurred_on=occurred_on,
        title=title.strip(),
        details=details.strip(),
        evidence=evidence,
    )


@transaction.atomic
def create_score_rule(
    *,
    actor: User | None,
    kind: str,
    points: Decimal | int,
    valid_from: dt.date,
    yearly_cap: Decimal | int | None = None,
    note: str = "",
) -> ScoreRule:
    """A new version of the rule for `kind`, in force from `valid_from` (`actor` None: a
    command or the demo data)."""
    if getattr(actor, "role", None) not in (Role.STAFF, None):
        raise PermissionDenied("只有人大机关工作人员可以制定积分规则。")
    if ScoreRule.objects.filter(kind=kind, valid_from=valid_from).exists():
        raise ValidationError({"valid_from": "该类别在这一天已有规则版本，请选择另一个生效日期。"})
    rule = ScoreRule(
        kind=kind,
        points=points,
        yearly_cap=yearly_cap,
        valid_from=valid_from,
        note=note.strip()[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    rule.full_clean(validate_constraints=False)
    rule.save()
    audit.record(
        actor=actor,
        action="suggestion.score_rule",
        target=rule,
        details={"kind": kind, "points": str(points), "valid_from": valid_from.isoformat()},
    )
    return rule
