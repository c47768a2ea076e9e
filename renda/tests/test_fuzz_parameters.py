"""No query parameter makes a page answer 500 (security probe: "²", twenty-digit ids, year=0,
offsets beyond any integer). For every page that takes no URL arguments, a persona who may open
it sends the parameters the page's own GET forms name, plus the usual ones, with values drawn
by hypothesis from what broke pages before."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renda.tests.test_permission_matrix import MATRIX

COMMON = ["page", "year", "station", "region", "unit", "q", "level", "state", "month", "offset"]
NASTY = [
    "²",
    "٣",
    "１２",
    "-1",
    "0",
    "99999",
    "99999999999999999999",
    "1e3",
    "0x1f",
    "",
    " ",
    "2026-13-45",
    "%",
    "'",
    "<script>",
    "=1+1",
]
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.integers(min_value=-(10**21), max_value=10**21).map(str),
    st.text(max_size=12),
)
FORM = re.compile(r"<form\b[^>]*>(.*?)</form>", re.S | re.I)
NAME = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)


def _pages() -> list[tuple[str, str]]:
    pages = []
    for name, entry in sorted(MATRIX.items()):
        if entry.method != "get" or entry.args is not None or name.startswith("api:"):
            continue
        allowed = [p for p, status in entry.expect.items() if status == 200]
        if allowed:
            pages.append((name, "staff" if "staff" in allowed else allowed[0]))
    return pages


def _parameter_names(html: str) -> list[str]:
    names: set[str] = set()
    for form in FORM.finditer(html):
        tag = html[form.start() : form.start() + 200].lower()
        if 'method="post"' in tag:
            continue
        names.update(n for n in NAME.findall(form.group(1)) if n != "csrfmiddlewaretoken")
    return sorted(names | set(COMMON))


@pytest.mark.parametrize(("name", "persona"), _pages())
def test_no_parameter_makes_the_page_fail(
    name: str, persona: str, world: Any, client_for: Any
) -> None:
    client: Client = client_for(persona)
    url = reverse(name)
    first = client.get(url)
    assert first.status_code < 500
    names = _parameter_names(first.content.decode(errors="replace"))
    # Each parameter alone with the values that broke pages before, then random mixtures.
    for param in names:
        for value in ("²", "99999999999999999999", "0", "-1"):
            response = client.get(f"{url}?{urlencode({param: value})}")
            assert response.status_code < 500, (url, param, value)

    @settings(
        max_examples=8,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(params=st.dictionaries(st.sampled_from(names), VALUES, min_size=1, max_size=4))
    def check(params: dict[str, str]) -> None:
        response = client.get(f"{url}?{urlencode(params)}")
        assert response.status_code < 500, (url, params)

    check()
