"""The data-format help page (issue 14, item 11): the upload page told users to read
"docs/budget-data.md", which only a developer has. The same document is now a page of the
site, linked from the upload page and the budget home."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from renda.budget.views.help import DOCUMENT, inline, render_markdown

pytestmark = pytest.mark.django_db


def test_the_upload_page_links_to_the_help_page_not_to_a_file(world: Any, client_for: Any) -> None:
    for name in ("budget:upload", "budget:home"):
        html = client_for("data_provider").get(reverse(name)).content.decode()
        assert "docs/budget-data.md" not in html, name
        assert f'href="{reverse("budget:data_help")}"' in html, name


def test_the_help_page_renders_the_document(world: Any, client_for: Any) -> None:
    response = client_for("data_provider").get(reverse("budget:data_help"))
    assert response.status_code == 200
    html = response.content.decode()
    body = html.split('data-testid="help-document"')[1]
    assert "<h1" in html and "预算联网监督：数据文件与接口格式" in html
    assert '<h2 id="payments">支付凭证（<code>payments</code>）</h2>' in body
    assert '<th scope="col">类型（KIND）</th>' in body and "<td><code>codes</code></td>" in body
    assert "<li><strong>表头</strong>：" in body
    assert "<pre" in body and "POST /api/v1/budget/&lt;类型&gt;/batches" in body
    # every section of the document is there, none of its markup is left over
    for line in DOCUMENT.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            assert line[3:].replace("`", "") in body.replace("<code>", "").replace("</code>", "")
    assert "**" not in body and "|---|" not in body and "```" not in body
    assert 'href="#payments"' in html


def test_text_is_escaped_before_any_markup() -> None:
    assert inline("**<b>x</b>** `<script>`") == (
        "<strong>&lt;b&gt;x&lt;/b&gt;</strong> <code>&lt;script&gt;</code>"
    )
    html = render_markdown("| a | b |\n|---|---|\n| <i> | `c` |\n\n段落 <x>")
    assert "<td>&lt;i&gt;</td>" in html and "<p>段落 &lt;x&gt;</p>" in html


def test_a_paragraph_that_starts_with_code_or_a_dash_is_a_paragraph() -> None:
    html = render_markdown("`manage.py` 命令\n-x 参数\n\n- 列表")
    assert html == "<p><code>manage.py</code> 命令<br>-x 参数</p>\n<ul><li>列表</li></ul>"
