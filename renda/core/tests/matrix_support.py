"""Declarations for the permission matrix (renda/tests/test_permission_matrix.py).

Every app lists each of its URL names in `renda/<app>/tests/matrix.py` as `MATRIX`, saying
for every persona what answer it must get. A URL without an entry fails the matrix test, so
no view can ship without saying who may see it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from renda.core.tests.personas import PERSONAS

LOGIN = 302  # anonymous users are sent to the log-in page


@dataclass(frozen=True)
class Entry:
    expect: dict[str, int]
    args: Callable[[Any], Sequence[Any]] | None = None  # world → URL arguments
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)
    query: str = ""
    # A 302 for the public must lead to the log-in page, unless the view redirects elsewhere.
    anonymous_to_login: bool = True


def expect(
    allowed: Sequence[str], *, ok: int = 200, denied: int = 403, anonymous: int = LOGIN
) -> dict[str, int]:
    """`allowed` personas get `ok`; other logged-in personas get `denied`; the public gets
    `anonymous` (a redirect to log in, unless the page is public)."""
    result = {p: (ok if p in allowed else denied) for p in PERSONAS}
    if "anonymous" not in allowed:
        result["anonymous"] = anonymous
    return result


def everyone(ok: int = 200) -> dict[str, int]:
    return dict.fromkeys(PERSONAS, ok)


def logged_in(ok: int = 200) -> dict[str, int]:
    return {p: (LOGIN if p == "anonymous" else ok) for p in PERSONAS}
