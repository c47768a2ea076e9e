"""Excel output shared by every export (openpyxl, write-only mode for big lists).

Everything an export writes may have come from an anonymous visitor (a public opinion, a
login attempt's user name), so the one writer here is safe for any stored text:
- control characters that XML 1.0 forbids are dropped (openpyxl would raise on them, and one
  such row would break the export for good);
- a text that starts like a formula (`=`, `+`, `-`, `@`, tab, CR) is written as a text cell
  with Excel's quote prefix, so it never runs as a formula when staff open or edit the file.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str) -> str:
    """The text without the control characters an .xlsx file cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    if not text.startswith(FORMULA_STARTS):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # stored as a string, never as a formula
    cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def write_xlsx(
    out: Any,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    progress: Callable[[int], None] | None = None,
    every: int = 2000,
) -> int:
    """Write the workbook into the file object ``out`` row by row; ``progress(n)`` is called
    every ``every`` rows (a background export publishes it). Returns the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=clean_text(title)[:31])
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(sheet, value=clean_text(h))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    n = 0
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
        n += 1
        if progress is not None and n % every == 0:
            progress(n)
    workbook.save(out)
    return n


def build_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, title, headers, rows)
    return buffer.getvalue()


def xlsx_response(
    title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, filename: str
) -> HttpResponse:
    response = HttpResponse(build_xlsx(title, headers, rows), content_type=XLSX_TYPE)
    # RFC 5987 so that Chinese file names survive every browser.
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
