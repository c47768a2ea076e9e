"""Reading uploaded tables for the import framework (`core.imports`): what kind of file it
really is, how it is encoded, and its rows as Excel numbers them.

Staff send whatever their office software writes: .xlsx from Excel or WPS, CSV in UTF-8 (with
or without a byte-order mark) or in GB18030, which Excel in China uses when it saves CSV. Old
binary .xls/.doc files and files renamed to the wrong extension are refused with a message
that tells the user what to do, never a stack trace.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
from collections.abc import Iterator
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

from renda.core.attachments import xlsx_limits
from renda.lib.xlsxcheck import XlsxRefused, check_xlsx

XLSX = "xlsx"
CSV = "csv"

# Magic numbers of the containers we meet in offices.
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc, and password-protected .xlsx
_PDF_MAGIC = b"%PDF"
# An .xlsx may not unpack to more than this many times the size limit: a defence against zip
# bombs (a small file that expands to gigabytes of XML).
_MAX_UNZIP_RATIO = 20
# The second sheet of every template; never read as data.
INSTRUCTIONS_SHEET = "填写说明"
# A guard on the size of the sheet we are willing to walk, whatever its byte size.
DEFAULT_MAX_ROWS = 100_000


class FileProblem(Exception):
    """The upload cannot be read as a table; `message` is shown to the user (Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def max_bytes() -> int:
    return int(settings.IMPORT_MAX_BYTES)


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.0f} MB"
    return f"{max(size, 1024) // 1024} KB"


def sniff(file_name: str, content: bytes) -> str:
    """Return XLSX or CSV, checking the extension AND the content, or raise FileProblem."""
    ext = os.path.splitext(file_name)[1].lower()
    if ext == ".xls":
        raise FileProblem(
            "不支持旧版 Excel（.xls）文件：请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx）后再上传"
        )
    if ext not in {".xlsx", ".csv"}:
        shown = ext or "无扩展名"
        raise FileProblem(f"只能上传 Excel 工作簿（.xlsx）或 CSV 文件，不支持「{shown}」文件")
    if not content:
        raise FileProblem("文件是空的，请检查后重新上传")
    head = content[:8]
    if head.startswith(_OLE2_MAGIC):
        raise FileProblem(
            "文件内容是旧版 Office 文件（.xls 或 .doc）或设置了打开密码的 Excel 文件："
            "请在 Excel 或 WPS 中取消密码并“另存为”Excel 工作簿（.xlsx）后再上传"
        )
    if head.startswith(_PDF_MAGIC):
        raise FileProblem("文件内容是 PDF，不是表格：请上传 Excel 工作簿（.xlsx）或 CSV 文件")
    is_zip = head.startswith(_ZIP_MAGIC)
    if ext == ".xlsx":
        if not is_zip:
            raise FileProblem(
                "文件扩展名是 .xlsx，但内容不是 Excel 工作簿：请用 Excel 或 WPS 重新保存后上传"
            )
        _check_xlsx_container(content)
        return XLSX
    if is_zip:
        raise FileProblem(
            "文件扩展名是 .csv，但内容是压缩文件（可能是 Excel 工作簿）：请确认文件格式后重新上传"
        )
    if b"\x00" in content[:8192] and not content.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        raise FileProblem("文件内容不是文本表格（CSV）：请上传 Excel 工作簿（.xlsx）或 CSV 文件")
    return CSV


def _check_xlsx_container(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise FileProblem("Excel 文件已损坏，无法打开：请用 Excel 或 WPS 重新保存后上传") from exc
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise FileProblem("文件内容是 Word 文档，不是 Excel 表格：请上传 Excel 工作簿（.xlsx）")
        raise FileProblem("文件不是有效的 Excel 工作簿：请用 Excel 或 WPS 重新保存为 .xlsx 后上传")
    if sum(info.file_size for info in infos) > _MAX_UNZIP_RATIO * max_bytes():
        raise FileProblem("Excel 文件解压后过大，无法处理：请删除无关的工作表和图片后重新上传")
    # The one bomb check of every upload path (expanded size, ratio, declared cells), from the
    # zip directory alone, before openpyxl builds anything in memory.
    try:
        check_xlsx(io.BytesIO(content), xlsx_limits())
    except XlsxRefused as exc:
        raise FileProblem(str(exc)) from exc


def read_rows(file_type: str, content: bytes) -> Iterator[tuple[int, list[Any]]]:
    """Yield (row number as Excel shows it, cell values) for every row of the data sheet.
    Values are None for empty cells; text is stripped."""
    rows = _xlsx_rows(content) if file_type == XLSX else _csv_rows(content)
    for number, values in rows:
        yield number, [_clean(v) for v in values]


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip().replace("\u3000", " ").strip()
        return value or None
    return value


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise FileProblem(
            "Excel 文件无法读取（可能已损坏）：请用 Excel 或 WPS 重新保存后上传"
        ) from exc
    try:
        # The data sheet is the first one that is not our own instructions sheet.
        sheets = [ws for ws in workbook.worksheets if ws.title != INSTRUCTIONS_SHEET]
        if not sheets:
            raise FileProblem("Excel 文件中没有数据工作表")
        sheet = sheets[0]
        # Some writers record a wrong sheet size; reading without it sees every row.
        sheet.reset_dimensions()  # type: ignore[union-attr]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        workbook.close()


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (Excel's CSV in China)."""
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise FileProblem(
            "无法识别 CSV 文件的编码：请用 Excel 另存为“CSV UTF-8”或“CSV（逗号分隔）”后上传"
        ) from exc


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = decode_text(content)
    first_line = text.split("\n", 1)[0]
    # Excel's "Unicode text" export separates with tabs; everything else with commas.
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, row in enumerate(reader, start=1):
            yield number, list(row)
    except csv.Error as exc:
        raise FileProblem(
            f"CSV 文件格式有误（第 {reader.line_num} 行）：请用 Excel 重新保存后上传"
        ) from exc


# --- the stored copy of the upload ---------------------------------------------------------
# Uploaded files hold personal data (ID-card and mobile numbers), which 密评 requires to be
# confidential at rest: the copy kept for the commit step is sealed with SM4-GCM under the
# field-encryption key. Format: b"k1" ‖ nonce(12) ‖ ciphertext ‖ tag(16).

_SEAL_PREFIX = b"k1"
_SEAL_AAD = b"renda.core.imports"


def seal(content: bytes) -> bytes:
    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.SM4(settings.FIELD_ENCRYPTION_KEY), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(_SEAL_AAD)
    body = encryptor.update(content) + encryptor.finalize()
    return _SEAL_PREFIX + nonce + body + encryptor.tag


def unseal(sealed: bytes) -> bytes:
    if not sealed.startswith(_SEAL_PREFIX) or len(sealed) < len(_SEAL_PREFIX) + 28:
        raise FileProblem("保存的导入文件已损坏，请重新上传")
    raw = sealed[len(_SEAL_PREFIX) :]
    nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
    decryptor = Cipher(
        algorithms.SM4(settings.FIELD_ENCRYPTION_KEY), modes.GCM(nonce, tag)
    ).decryptor()
    decryptor.authenticate_additional_data(_SEAL_AAD)
    try:
        return decryptor.update(body) + decryptor.finalize()
    except InvalidTag as exc:
        raise FileProblem("保存的导入文件已被改动或密钥不符，请重新上传") from exc
