from django.template import Context, Template

from renda.lib.richtext import sanitize_html, strip_markup


def test_it_removes_scripts_handlers_and_javascript_links() -> None:
    dirty = '<p onclick="x()">好<script>alert(1)</script><a href="javascript:alert(1)">链接</a><img src=x onerror=alert(1)></p>'
    clean = sanitize_html(dirty)
    assert "<script" not in clean and "onclick" not in clean and "onerror" not in clean
    assert "javascript:" not in clean and "<img" not in clean
    assert "<p>好" in clean and "链接" in clean


def test_it_keeps_basic_formatting() -> None:
    assert sanitize_html("<p><strong>重点</strong></p>") == "<p><strong>重点</strong></p>"


def test_strip_markup_leaves_text_only() -> None:
    assert strip_markup("<b>路灯</b>坏了<script>x</script>") == "路灯坏了"


def test_strip_markup_stores_text_not_entities() -> None:
    assert strip_markup("路灯 & 井盖 <b>坏了</b> a<b") == "路灯 & 井盖 坏了 a"
    assert strip_markup("1 < 2 & 3 > 2") == "1 < 2 & 3 > 2"
    # Shown through a template, the text is escaped exactly once.
    html = Template("{{ v }}").render(Context({"v": strip_markup("A & B")}))
    assert html == "A &amp; B"


def test_the_rich_filter_sanitises_in_templates() -> None:
    html = Template("{% load renda %}{{ body|rich }}").render(
        Context({"body": "<em>好</em><script>x</script>"})
    )
    assert html == "<em>好</em>"


def test_wanyuan_formats_amounts() -> None:
    html = Template("{% load renda %}{{ v|wanyuan }}").render(Context({"v": 123456789}))
    assert html == "12,345.68"
