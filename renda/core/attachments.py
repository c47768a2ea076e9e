"""The one check for uploaded files: the extension must be one the caller accepts AND the first
bytes must match it (a renamed executable or HTML page is refused), within a size limit and,
for several files, a count limit. No image library is installed, so the check reads the
signature bytes itself. Each app passes its own limits (from its rules as data)."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from renda.lib.xlsxcheck import XlsxLimits

IMAGES = frozenset({"jpg", "jpeg", "png"})
VIDEOS = frozenset({"mp4", "mov"})
SCANS = frozenset({"pdf", "jpg", "jpeg", "png"})
DOCUMENTS = frozenset({"pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png"})
MEDIA = IMAGES | VIDEOS

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


def extension(uploaded: UploadedFile) -> str:
    name = uploaded.name or ""
    return name.lower().rsplit(".", 1)[-1] if "." in name else ""


def check_upload(
    uploaded: UploadedFile, *, allowed: frozenset[str] | set[str], max_mb: int, field: str = "file"
) -> str:
    """The lower-case extension of an acceptable file, else a Chinese ValidationError on
    `field`."""
    name = uploaded.name or ""
    ext = extension(uploaded)
    if ext not in allowed:
        kinds = "、".join(sorted(allowed))
        raise ValidationError({field: f"不支持“{name}”的文件类型，请上传 {kinds} 格式的文件。"})
    size = uploaded.size or 0
    if size > max_mb * 1024 * 1024:
        raise ValidationError({field: f"文件“{name}”超过 {max_mb} MB，请压缩后再上传。"})
    if size == 0:
        raise ValidationError({field: f"文件“{name}”是空文件。"})
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    if not _magic_ok(ext, head):
        raise ValidationError({field: f"文件“{name}”的内容与扩展名不符，请检查后重新上传。"})
    return ext


def check_uploads(
    files: Sequence[UploadedFile],
    *,
    allowed: frozenset[str] | set[str],
    max_mb: int,
    max_count: int,
    field: str = "file",
) -> None:
    if len(files) > max_count:
        raise ValidationError({field: f"最多上传 {max_count} 个文件。"})
    for uploaded in files:
        check_upload(uploaded, allowed=allowed, max_mb=max_mb, field=field)


def xlsx_limits() -> XlsxLimits:
    """The one set of limits for uploaded spreadsheets (settings XLSX_MAX_*)."""
    return XlsxLimits(
        max_expanded_bytes=settings.XLSX_MAX_EXPANDED_BYTES, max_cells=settings.XLSX_MAX_CELLS
    )
