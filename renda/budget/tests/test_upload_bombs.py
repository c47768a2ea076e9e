"""Upload bombs (issue 13 item 7): an .xlsx that expands hugely, one that hides millions of
empty rows and a file above the site's one upload size are refused fast, with a Chinese
message, and nothing is written (no batch from the upload page, no rows from any path)."""

from __future__ import annotations

import io
import re
import time
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from renda.budget.ingest.kinds import KINDS
from renda.budget.models import Payment
from renda.budget.services import batches
from renda.budget.tests.factories import payment_row
from renda.core.models import ImportBatch

SHEET = "xl/worksheets/sheet1.xml"


def _workbook_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([c.header for c in KINDS["payments"].columns])
    sheet.append(payment_row("BOMB1"))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _with_sheet(xml: bytes) -> bytes:
    """The small valid workbook with its first sheet's XML replaced."""
    source = zipfile.ZipFile(io.BytesIO(_workbook_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = xml if info.filename == SHEET else source.read(info.filename)
            target.writestr(info.filename, data)
    return out.getvalue()


def expanding_bomb() -> bytes:
    """A sheet whose XML holds 60 MB of padding: ~60 KB on disk, ratio ≈ 1000."""
    original = zipfile.ZipFile(io.BytesIO(_workbook_bytes())).read(SHEET)
    return _with_sheet(original.replace(b"</worksheet>", b" " * 60_000_000 + b"</worksheet>"))


def empty_rows_bomb(rows: int, declared: str) -> bytes:
    body = b"".join(b'<row r="%d"/>' % n for n in range(1, rows + 1))
    return _with_sheet(
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:' + declared.encode() + b'"/><sheetData>' + body + b"</sheetData>"
        b"</worksheet>"
    )


def post(client, name: str, content: bytes):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    started = time.perf_counter()
    response = client.post(reverse("budget:upload"), {"kind": "payments", "file": upload})
    return response, time.perf_counter() - started


def test_an_expanding_xlsx_is_refused_at_upload_before_anything_is_stored(world, client_for):
    content = expanding_bomb()
    assert len(content) < 1_000_000
    response, seconds = post(client_for("staff"), "支付.xlsx", content)
    assert response.status_code == 200 and seconds < 5
    assert "压缩比异常" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_millions_of_declared_empty_rows_are_refused_at_upload(world, client_for):
    content = empty_rows_bomb(1000, "U2000000")
    response, seconds = post(client_for("staff"), "支付.xlsx", content)
    assert response.status_code == 200 and seconds < 5
    assert "超过上限" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_reader_refuses_a_bomb_given_by_path_and_writes_nothing(world, tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(expanding_bomb())
    started = time.perf_counter()
    batch = batches.import_path(actor=world.staff, kind="payments", path=path)
    assert time.perf_counter() - started < 5
    assert batch.status == ImportBatch.Status.INVALID
    assert "压缩比异常" in batch.errors[0]["text"]
    assert not Payment.objects.exists()


def test_the_upload_size_is_the_sites_one_import_limit(world, client_for, settings):
    settings.IMPORT_MAX_BYTES = 1024
    response, _ = post(client_for("staff"), "支付.csv", b"a,b\n" * 1000)
    assert response.status_code == 200
    assert "上限为 0 MB" not in response.content.decode()
    assert "文件太大" in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert batches.max_upload_bytes() == 1024


def test_the_site_limit_stays_under_nginx_body_size():
    from pathlib import Path

    from django.conf import settings

    conf = (Path(settings.BASE_DIR) / "deploy" / "nginx-renda.conf").read_text()
    nginx_mb = int(re.search(r"client_max_body_size\s+(\d+)m;", conf).group(1))
    assert batches.max_upload_bytes() <= nginx_mb * 1024 * 1024
