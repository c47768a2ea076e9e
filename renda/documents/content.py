"""What is read out of an uploaded document once, at upload: its plain text (for search) and,
for a Word file, a sanitised HTML preview (mammoth), so that a deputy's phone shows it without
office software. A file that cannot be read is refused with a Chinese reason — nothing of it
is stored."""

from __future__ import annotations

import logging
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import mammoth
import nh3
from django.core.exceptions import ValidationError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from .rules import MAX_TEXT_CHARS

log = logging.getLogger(__name__)

# A Word file is a zip: refuse one that expands past this or compresses suspiciously well
# before mammoth opens it (the same reasoning as lib/xlsxcheck for spreadsheets).
DOCX_MAX_EXPANDED = 200 * 1024 * 1024
DOCX_MAX_RATIO = 100

# What a Word file's preview keeps: structure and emphasis, tables, and embedded pictures as
# data: URIs (mammoth inlines them). No links, scripts, styles or event handlers.
PREVIEW_TAGS = {
    "p",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sup",
    "sub",
    "ul",
    "ol",
    "li",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
}
PREVIEW_ATTRIBUTES = {
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


@dataclass(frozen=True)
class Content:
    text: str
    preview_html: str = ""


def sanitize_preview(html: str) -> str:
    return nh3.clean(
        html, tags=PREVIEW_TAGS, attributes=PREVIEW_ATTRIBUTES, url_schemes={"data"}, link_rel=None
    )


def read_content(file: BinaryIO, *, file_type: str, name: str) -> Content:
    """The text (and preview) of a checked upload of `file_type` ("pdf" or "docx")."""
    position = file.tell()
    try:
        if file_type == "pdf":
            return Content(text=_pdf_text(file, name))
        return _docx_content(file, name)
    finally:
        file.seek(position)


def _unreadable(name: str) -> ValidationError:
    return ValidationError({"file": f"文件“{name}”无法读取，可能已损坏，请检查后重新上传。"})


def _pdf_text(file: BinaryIO, name: str) -> str:
    try:
        reader = PdfReader(file)
        if reader.is_encrypted:
            raise ValidationError(
                {"file": f"文件“{name}”设置了密码，无法在线预览，请上传未加密的 PDF。"}
            )
        parts: list[str] = []
        size = 0
        for page in reader.pages:
            part = page.extract_text() or ""
            parts.append(part)
            size += len(part)
            if size > MAX_TEXT_CHARS:
                break
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        log.info("unreadable pdf %s: %s", name, error)
        raise _unreadable(name) from error
    return _join_cjk_lines("\n".join(parts))[:MAX_TEXT_CHARS]


# A PDF breaks Chinese text into lines wherever the page ends; a search for a word across the
# break would miss it, so a line break between two Chinese characters is dropped.
_CJK_BREAK = re.compile(
    r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])\n(?=[\u4e00-\u9fff\uff00-\uffef])"
)


def _join_cjk_lines(text: str) -> str:
    return _CJK_BREAK.sub("", text)


def _check_docx_zip(file: BinaryIO, name: str) -> None:
    try:
        archive = zipfile.ZipFile(file)
    except zipfile.BadZipFile as error:
        raise _unreadable(name) from error
    with archive:
        members = archive.infolist()
        expanded = sum(m.file_size for m in members)
        compressed = sum(m.compress_size for m in members) or 1
        if "word/document.xml" not in archive.namelist():
            raise ValidationError({"file": f"文件“{name}”不是 Word 文档（docx）。"})
        if expanded > DOCX_MAX_EXPANDED or expanded / compressed > DOCX_MAX_RATIO:
            raise ValidationError({"file": f"文件“{name}”解压后异常大，已拒绝。"})
    file.seek(0)


def _docx_content(file: BinaryIO, name: str) -> Content:
    file.seek(0)
    _check_docx_zip(file, name)
    try:
        html = mammoth.convert_to_html(file).value
        file.seek(0)
        text = mammoth.extract_raw_text(file).value
    except Exception as error:  # mammoth raises many kinds on a malformed file
        log.info("unreadable docx %s: %s", name, error)
        raise _unreadable(name) from error
    return Content(text=text[:MAX_TEXT_CHARS], preview_html=sanitize_preview(html))
