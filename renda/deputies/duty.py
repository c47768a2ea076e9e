"""Service for duty records (履职档案): the one way any app adds to a deputy's record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction

from renda.core import audit

from .models import Deputy, DutyRecord


@transaction.atomic
def record_duty(
    *,
    actor: Any,
    deputy: Deputy,
    kind: str,
    occurred_on: dt.date,
    title: str,
    details: str = "",
    source: models.Model | None = None,
    evidence: Any = None,
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
