"""Sanitising user-supplied rich text (Ammonia via nh3): allow basic formatting, never
scripts, event handlers, styles or javascript: links."""

from __future__ import annotations

import html

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def sanitize_html(value: str) -> str:
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def strip_markup(value: str) -> str:
    """Plain text only (public forms keep no markup at all). The sanitiser answers with HTML
    (`&` as `&amp;`); what is stored is the text itself, which templates escape once when they
    show it — storing the entities showed `&amp;amp;` on every page."""
    return html.unescape(nh3.clean(value, tags=set()))
