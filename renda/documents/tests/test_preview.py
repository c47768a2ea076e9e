"""The reader previews without office software: a real Word file as sanitised HTML (mammoth),
a real PDF through pdf.js from static/vendor (the page points it at the audited file URL)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from renda.documents.content import sanitize_preview
from renda.documents.samples import make_pdf

from .factories import docx_file, pdf_file, publish

pytestmark = pytest.mark.django_db


def test_a_word_file_previews_as_html(world: Any, client_for: Any) -> None:
    doc = publish(world, file=docx_file(), title="预算报告")
    html = client_for("deputy").get(reverse("documents:read", args=[doc.pk])).content.decode()
    preview = html.split('data-testid="docx-preview">', 1)[1].split("</article>", 1)[0]
    assert "<h1>预算报告</h1>" in preview
    assert "<p>一般公共预算收入完成二十五亿元。</p>" in preview
    assert "<td><p>250000</p></td>" in preview
    assert "pdf-viewer" not in html and "pdf.min.mjs" not in html


def test_a_pdf_previews_with_the_vendored_pdfjs(world: Any, client_for: Any) -> None:
    doc = publish(world, file=pdf_file())
    client = client_for("deputy")
    html = client.get(reverse("documents:read", args=[doc.pk])).content.decode()
    assert f'data-src="{reverse("documents:raw", args=[doc.pk])}"' in html
    assert 'data-lib="/static/vendor/pdfjs/pdf.min.mjs"' in html
    assert 'data-cmaps="/static/vendor/pdfjs/cmaps/"' in html
    assert '<script type="module" src="/static/documents/reader.mjs"' in html
    assert "cdn" not in html.lower()
    body = b"".join(client.get(reverse("documents:raw", args=[doc.pk])).streaming_content)  # type: ignore[attr-defined]
    text = PdfReader(io.BytesIO(body)).pages[0].extract_text()
    assert "政府工作报告" in text and "生产总值" in text


def test_a_word_file_has_no_raw_pdf(world: Any, client_for: Any) -> None:
    doc = publish(world, file=docx_file())
    assert client_for("deputy").get(reverse("documents:raw", args=[doc.pk])).status_code == 404


def test_the_preview_keeps_no_script_link_or_handler() -> None:
    dirty = (
        '<p onclick="x()">正文<script>alert(1)</script></p><a href="javascript:alert(1)">链接</a>'
        '<img src="data:image/png;base64,AAAA" onerror="x()"><img src="http://evil/x.png">'
        '<p style="color:red">样式</p><iframe src="/"></iframe>'
    )
    clean = sanitize_preview(dirty)
    for bad in (
        "script",
        "onclick",
        "onerror",
        "javascript",
        "http://evil",
        "style=",
        "iframe",
        "<a",
    ):
        assert bad not in clean
    assert '<img src="data:image/png;base64,AAAA">' in clean and "<p>正文</p>" in clean


def test_the_sample_pdf_is_valid_and_pages_break() -> None:
    long = make_pdf("长文件", [f"第{n}段，内容较长，用于分页。" for n in range(60)])
    reader = PdfReader(io.BytesIO(long))
    assert len(reader.pages) == 3
    assert "第59段" in reader.pages[2].extract_text()
