"""Refuse an .xlsx "bomb" before any parser opens it.

An .xlsx is a zip: a 1 MB file can hold a sheet that expands to 1 GB, or 20 million empty rows
in 176 KB, and openpyxl would build all of it in memory. The zip's directory says how large each
member is once expanded, so the check reads only that directory: the total expanded size, the
ratio of expanded to compressed size, and the sheet's declared dimension (rows × columns) are
held against limits. Every upload path that opens xlsx files calls `check_xlsx` first."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

# Real spreadsheets compress text 5–20 times; 100 × leaves room for very regular sheets.
DEFAULT_MAX_RATIO = 100
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+[0-9]+:([A-Z]+)([0-9]+)"')


class XlsxRefused(ValueError):
    """The file is not a safe spreadsheet; the message says why, in Chinese."""


@dataclass(frozen=True)
class XlsxLimits:
    max_expanded_bytes: int
    max_cells: int
    max_ratio: int = DEFAULT_MAX_RATIO


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number


def check_xlsx(file: BinaryIO, limits: XlsxLimits) -> None:
    """Raise XlsxRefused if `file` (an .xlsx, positioned anywhere) is not a zip, expands beyond
    the limits, or declares more cells than allowed. The file position is restored."""
    position = file.tell()
    try:
        try:
            archive = zipfile.ZipFile(file)
        except zipfile.BadZipFile as error:
            raise XlsxRefused("文件不是有效的 xlsx 表格（无法解压）。") from error
        with archive:
            members = archive.infolist()
            expanded = sum(m.file_size for m in members)
            compressed = sum(m.compress_size for m in members) or 1
            if expanded > limits.max_expanded_bytes:
                mb = limits.max_expanded_bytes // (1024 * 1024)
                raise XlsxRefused(f"表格解压后超过 {mb} MB，请分成几个文件上传。")
            if expanded / compressed > limits.max_ratio:
                raise XlsxRefused("表格的压缩比异常（解压后比文件大上百倍），已拒绝。")
            for member in members:
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(
                    ".xml"
                ):
                    _check_dimension(archive, member, limits)
    finally:
        file.seek(position)


def _check_dimension(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: XlsxLimits) -> None:
    # The dimension element sits at the start of the sheet: read only the first few KB.
    with archive.open(member) as sheet:
        head = sheet.read(4096)
    found = _DIMENSION.search(head)
    if found is None:
        return
    columns, rows = _column_number(found.group(1)), int(found.group(2))
    if rows * columns > limits.max_cells:
        raise XlsxRefused(
            f"表格声明了 {rows} 行 × {columns} 列，超过上限 {limits.max_cells} 个单元格，"
            "请删除多余的空行空列或分成几个文件上传。"
        )
