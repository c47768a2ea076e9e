"""The only code that writes 知情知政 data: publish a document (checked upload, text and
preview read out once), edit its release, withdraw it, record a read, and audit every time a
document's file leaves the server (preview bytes or download)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from renda.core import audit
from renda.core.attachments import check_upload
from renda.deputies.models import Deputy
from renda.meetings.models import AgendaItem

from .content import read_content
from .models import Document, DocumentRecipient, ReadReceipt
from .permissions import require_manager
from .rules import FILE_TYPES, MAX_FILE_MB, Audience, Kind, ReleaseMode, State
from .selectors import is_released


@dataclass(frozen=True)
class Release:
    """To whom and from when: the part of a document staff may change after publishing."""

    audience: str
    mode: str
    at: dt.datetime | None = None  # for 定时发布
    recipients: Sequence[Deputy] = ()
    confidential: bool = False


def _check_release(release: Release, agenda_item: AgendaItem | None) -> None:
    errors: dict[str, str] = {}
    if agenda_item is not None and release.audience != Audience.MEETING:
        errors["audience"] = "会议文件发给该会议的组成人员。"
    if agenda_item is None and release.audience == Audience.MEETING:
        errors["audience"] = "请选择发放范围（会议文件请在会议的文件页上传）。"
    if release.audience not in Audience.values:
        errors["audience"] = "请选择发放范围。"
    if release.audience == Audience.CHOSEN and not release.recipients:
        errors["recipients"] = "请选择要发放的代表。"
    if release.mode not in ReleaseMode.values:
        errors["release_mode"] = "请选择发布方式。"
    elif release.mode == ReleaseMode.AT_MEETING and agenda_item is None:
        errors["release_mode"] = "只有会议文件可以在会议开始时发布。"
    elif release.mode == ReleaseMode.AT_TIME:
        if release.at is None:
            errors["release_at"] = "请填写发布时间。"
        elif timezone.is_naive(release.at):
            errors["release_at"] = "发布时间须带时区。"
    if errors:
        raise ValidationError(errors)


def _apply_release(document: Document, release: Release, *, keep_time: bool) -> None:
    document.audience = release.audience
    document.confidential = release.confidential
    if release.mode == ReleaseMode.AT_MEETING:
        document.release_at = None
    elif release.mode == ReleaseMode.AT_TIME:
        document.release_at = release.at
    elif not (keep_time and document.release_mode == ReleaseMode.NOW and document.release_at):
        document.release_at = timezone.now()
    document.release_mode = release.mode


def _set_recipients(document: Document, release: Release) -> None:
    document.recipient_rows.all().delete()
    if release.audience == Audience.CHOSEN:
        DocumentRecipient.objects.bulk_create(
            DocumentRecipient(document=document, deputy=d)
            for d in {d.pk: d for d in release.recipients}.values()
        )


def _check_fields(title: str, kind: str, year: int) -> None:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "请填写标题。"
    if kind not in Kind.values:
        errors["kind"] = "请选择类别。"
    if not 2000 <= year <= 2100:
        errors["year"] = "年度不正确。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def publish_document(
    *,
    actor: Any,
    file: UploadedFile,
    title: str,
    kind: str,
    year: int,
    release: Release,
    agenda_item: AgendaItem | None = None,
) -> Document:
    """Upload and publish. The file is checked (type by content, size) and read (text for
    search, a Word file's preview) before anything is stored; a refusal stores nothing."""
    require_manager(actor)
    _check_fields(title, kind, year)
    _check_release(release, agenda_item)
    file_type = check_upload(file, allowed=FILE_TYPES, max_mb=MAX_FILE_MB, field="file")
    name = file.name or f"文件.{file_type}"
    content = read_content(cast(BinaryIO, file), file_type=file_type, name=name)
    document = Document(
        title=title.strip(),
        kind=kind,
        year=year,
        file_name=name[:255],
        file_type=file_type,
        size=file.size or 0,
        text=content.text,
        preview_html=content.preview_html,
        agenda_item=agenda_item,
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _apply_release(document, release, keep_time=False)
    document.full_clean(exclude=["file"])
    # The stored name is random: the original (often Chinese) name is kept in file_name.
    document.file.save(f"{uuid.uuid4().hex}.{file_type}", file, save=False)
    document.save()
    _set_recipients(document, release)
    audit.record(
        actor=actor,
        action="documents.publish",
        target=document,
        details={
            "kind": kind,
            "audience": release.audience,
            "release_mode": release.mode,
            "confidential": release.confidential,
            "file": name,
        },
    )
    return document


@transaction.atomic
def update_document(
    *, actor: Any, document: Document, title: str, kind: str, year: int, release: Release
) -> Document:
    """Change the title, kind, year or the release (list, time, confidentiality). A meeting
    document stays with its agenda item; the file is not replaced (withdraw and upload anew)."""
    require_manager(actor)
    locked = Document.objects.select_for_update().get(pk=document.pk)
    if locked.state == State.WITHDRAWN:
        raise ValidationError("该文件已撤回，不能修改。")
    _check_fields(title, kind, year)
    agenda_item = locked.agenda_item
    _check_release(release, agenda_item)
    before = {"audience": locked.audience, "release_mode": locked.release_mode}
    locked.title, locked.kind, locked.year = title.strip(), kind, year
    _apply_release(locked, release, keep_time=True)
    locked.full_clean(exclude=["file"])
    locked.save()
    _set_recipients(locked, release)
    audit.record(
        actor=actor,
        action="documents.update",
        target=locked,
        details={
            "before": before,
            "audience": locked.audience,
            "release_mode": locked.release_mode,
        },
    )
    return locked


@transaction.atomic
def withdraw_document(*, actor: Any, document: Document, reason: str) -> Document:
    """撤回: readers no longer see it (their read receipts are kept)."""
    require_manager(actor)
    locked = Document.objects.select_for_update().get(pk=document.pk)
    if locked.state == State.WITHDRAWN:
        raise ValidationError("该文件已撤回。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写撤回原因。"})
    locked.state = State.WITHDRAWN
    locked.withdrawn_at = timezone.now()
    locked.withdraw_reason = reason.strip()[:200]
    locked.save(update_fields=["state", "withdrawn_at", "withdraw_reason", "updated_at"])
    audit.record(
        actor=actor, action="documents.withdraw", target=locked, details={"reason": reason}
    )
    return locked


def _released(actor: Any, document: Document) -> None:
    if not is_released(actor, document):
        raise PermissionDenied("该文件未向您发放。")


@transaction.atomic
def record_read(*, actor: Any, document: Document) -> ReadReceipt:
    """The reader opened the document: the first time writes the receipt (and an audit row);
    later visits change nothing. Only a reader the document is released to has a receipt."""
    _released(actor, document)
    found = ReadReceipt.objects.filter(document=document, user_id=actor.pk).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            receipt = ReadReceipt.objects.create(
                document=document, user_id=actor.pk, first_read_at=timezone.now()
            )
    except IntegrityError:  # the same reader in two tabs at once
        return ReadReceipt.objects.get(document=document, user_id=actor.pk)
    audit.record(actor=actor, action="documents.read", target=document)
    return receipt


def record_file_access(*, actor: Any, document: Document, download: bool) -> None:
    """Every time the file's bytes go out — the preview's PDF or a download — the audit log
    says who took which document (a confidential one is marked), as the issue asks."""
    audit.record(
        actor=actor,
        action="documents.download" if download else "documents.preview",
        target=document,
        details={"confidential": document.confidential, "file": document.file_name},
    )
