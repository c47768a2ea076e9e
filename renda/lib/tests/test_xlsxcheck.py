"""xlsx bombs are refused from the zip directory alone (security probe, issue 13 item 7)."""

import io
import time
import zipfile

import pytest
from openpyxl import Workbook

from renda.lib.xlsxcheck import XlsxLimits, XlsxRefused, check_xlsx

LIMITS = XlsxLimits(max_expanded_bytes=50 * 1024 * 1024, max_cells=2_000_000)


def _real_xlsx(rows: int = 50) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    for i in range(rows):
        ws.append([f"单位{i}", i, "冷水江市"])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def _bomb(sheet_xml: bytes) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    buffer.seek(0)
    return buffer


def test_a_real_spreadsheet_passes_and_keeps_its_position():
    file = _real_xlsx()
    file.seek(3)
    check_xlsx(file, LIMITS)
    assert file.tell() == 3


def test_a_sheet_that_expands_hugely_is_refused_quickly():
    padding = b"<row>" + b" " * (200 * 1024 * 1024) + b"</row>"  # 200 MB of one repeated byte
    file = _bomb(b"<worksheet><sheetData>" + padding + b"</sheetData></worksheet>")
    assert len(file.getvalue()) < 1024 * 1024  # the upload itself is small
    started = time.perf_counter()
    with pytest.raises(XlsxRefused, match="解压后超过"):
        check_xlsx(file, LIMITS)
    assert time.perf_counter() - started < 2


def test_a_high_compression_ratio_is_refused():
    file = _bomb(b"<worksheet>" + b"A" * (20 * 1024 * 1024) + b"</worksheet>")
    with pytest.raises(XlsxRefused, match="压缩比"):
        check_xlsx(file, LIMITS)


def test_millions_of_declared_rows_are_refused():
    sheet = b'<worksheet><dimension ref="A1:XFD1048576"/><sheetData/></worksheet>'
    with pytest.raises(XlsxRefused, match="行 × "):
        check_xlsx(_bomb(sheet), LIMITS)


def test_a_file_that_is_no_zip_is_refused():
    with pytest.raises(XlsxRefused, match="不是有效的 xlsx"):
        check_xlsx(io.BytesIO(b"PK\x03\x04 not really"), LIMITS)
