"""The help page of the data formats: docs/budget-data.md rendered inside the site, for the
people who prepare and upload the files (they have no repository to read it in).

The document uses a handful of Markdown constructs (headings, paragraphs, bullet lists, pipe
tables, fenced code, **bold** and `code`); no Markdown library is installed, so this module
renders exactly those. Every piece of text is escaped before any tag is added."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from renda.budget.permissions import HOME
from renda.budget.views.pages import render_page
from renda.core.roles import role_required

DOCUMENT = Path(settings.BASE_DIR) / "docs" / "budget-data.md"

_INLINE = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*")


def inline(text: str) -> str:
    """`code` and **bold** in one line of text, everything else escaped."""
    out: list[str] = []
    last = 0
    for match in _INLINE.finditer(text):
        out.append(escape(text[last : match.start()]))
        code, bold = match.groups()
        out.append(
            f"<code>{escape(code)}</code>"
            if code is not None
            else f"<strong>{inline(bold)}</strong>"
        )
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _table(lines: list[str]) -> str:
    head, rows = _cells(lines[0]), [_cells(r) for r in lines[2:]]
    th = "".join(f'<th scope="col">{inline(c)}</th>' for c in head)
    body = "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in r) + "</tr>" for r in rows)
    return (
        '<div class="table-responsive"><table class="table table-sm table-bordered small">'
        f"<thead><tr>{th}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _blocks(lines: list[str]) -> Iterator[str]:
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            end = next(
                (j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), len(lines)
            )
            yield f'<pre class="bg-light border rounded p-2 small"><code>{escape(chr(10).join(lines[i + 1 : end]))}</code></pre>'
            i = end + 1
        elif heading := re.match(r"(#{1,4}) (.*)", line):
            level = len(heading.group(1))
            anchor = f' id="{escape(_slug(heading.group(2)))}"' if level == 2 else ""
            yield f"<h{level}{anchor}>{inline(heading.group(2))}</h{level}>"
            i += 1
        elif line.startswith("|"):
            end = next(
                (j for j in range(i, len(lines)) if not lines[j].startswith("|")), len(lines)
            )
            yield _table(lines[i:end])
            i = end
        elif line.startswith("- "):
            end = next(
                (j for j in range(i, len(lines)) if not lines[j].startswith("- ")), len(lines)
            )
            yield (
                "<ul>" + "".join(f"<li>{inline(item[2:])}</li>" for item in lines[i:end]) + "</ul>"
            )
            i = end
        elif not line.strip():
            i += 1
        else:
            end = next((j for j in range(i + 1, len(lines)) if _starts_block(lines[j])), len(lines))
            yield "<p>" + "<br>".join(inline(p) for p in lines[i:end]) + "</p>"
            i = end


def _starts_block(line: str) -> bool:
    """Whether a line ends the paragraph above it (a blank line or another block)."""
    return not line.strip() or line.startswith(("#", "|", "- ", "```"))


def _slug(title: str) -> str:
    code = re.search(r"`([a-z-]+)`", title)
    return code.group(1) if code else re.sub(r"\W+", "-", title).strip("-")


def render_markdown(text: str) -> SafeString:
    return mark_safe(
        "\n".join(_blocks(text.splitlines()))
    )  # every text piece is escaped in _blocks/inline


@lru_cache(maxsize=1)
def _document(mtime: float) -> tuple[str, SafeString, list[tuple[str, str]]]:
    text = DOCUMENT.read_text(encoding="utf-8")
    lines = text.splitlines()
    title = lines[0].lstrip("# ").strip() if lines else "数据格式说明"
    sections = [
        (_slug(m.group(1)), re.sub(r"`", "", m.group(1)))
        for m in re.finditer(r"^## (.*)$", text, flags=re.M)
    ]
    return title, render_markdown("\n".join(lines[1:])), sections


@role_required(*HOME)
def data_help(request: HttpRequest) -> HttpResponse:
    """数据文件与接口格式 — the same text as docs/budget-data.md."""
    try:
        title, body, sections = _document(DOCUMENT.stat().st_mtime)
    except FileNotFoundError as exc:
        raise Http404("说明文档不存在") from exc
    return render_page(
        request,
        "budget/help.html",
        {"title": title, "body": body, "sections": sections},
        section="help",
    )
