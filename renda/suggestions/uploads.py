"""Checks on uploaded files: the extension must be one we accept AND the first bytes must
match it (a renamed executable is refused), within a size limit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from .rules import RULES

DOCUMENTS = {"pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png"}
MEDIA = {"jpg", "jpeg", "png", "mp4", "mov"}
SCANS = {"pdf", "jpg", "jpeg", "png"}
VIDEOS = {"mp4", "mov"}

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls


def _magic_ok(ext: str, head: bytes) -> bool:
    if ext == "pdf":
        return head.startswith(b"%PDF")
    if ext in {"jpg", "jpeg"}:
        return head.startswith(b"\xff\xd8\xff")
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in {"docx", "xlsx"}:
        return head.startswith(b"PK\x03\x04")
    if ext in {"doc", "xls"}:
        return head.startswith(_OLE)
    if ext in VIDEOS:
        return head[4:8] == b"ftyp"
    return False


def check_upload(uploaded: Any, allowed: set[str], *, field: str = "file") -> str:
    """Return the lower-case extension of an acceptable file, else raise a Chinese error."""
    name = getattr(uploaded, "name", "") or ""
    ext = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if ext not in allowed:
        kinds = "、".join(sorted(allowed))
        raise ValidationError({field: f"不支持“{name}”的文件类型，请上传 {kinds} 文件。"})
    limit = RULES.max_video_mb if ext in VIDEOS else RULES.max_document_mb
    if uploaded.size > limit * 1024 * 1024:
        raise ValidationError({field: f"文件“{name}”超过 {limit} MB，请压缩后再上传。"})
    if uploaded.size == 0:
        raise ValidationError({field: f"文件“{name}”是空文件。"})
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    if not _magic_ok(ext, head):
        raise ValidationError({field: f"文件“{name}”的内容与扩展名不符，请检查后重新上传。"})
    return ext
