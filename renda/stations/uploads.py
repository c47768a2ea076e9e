"""Checks on photos and attachments uploaded to stations, receptions and opinions: the
extension must be an image type we accept AND the first bytes must match it (a renamed
executable or HTML page is refused), within a size and count limit. No image library is
installed, so the check reads the signature bytes itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError

from .rules import rules

IMAGES = {"jpg", "jpeg", "png"}
EVIDENCE = {"jpg", "jpeg", "png", "pdf"}


def _magic_ok(ext: str, head: bytes) -> bool:
    if ext in {"jpg", "jpeg"}:
        return head.startswith(b"\xff\xd8\xff")
    if ext == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext == "pdf":
        return head.startswith(b"%PDF")
    return False


def check_file(uploaded: Any, *, field: str, allowed: set[str] = IMAGES) -> str:
    """The lower-case extension of an acceptable file, else a Chinese ValidationError."""
    name = getattr(uploaded, "name", "") or ""
    ext = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if ext not in allowed:
        kinds = "、".join(sorted(allowed))
        raise ValidationError({field: f"不支持“{name}”的文件类型，请上传 {kinds} 格式的文件。"})
    limit = rules().max_attachment_mb
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


def check_files(files: Sequence[Any], *, field: str, allowed: set[str] = IMAGES) -> None:
    limit = rules().max_attachments
    if len(files) > limit:
        raise ValidationError({field: f"最多上传 {limit} 个文件。"})
    for uploaded in files:
        check_file(uploaded, field=field, allowed=allowed)
