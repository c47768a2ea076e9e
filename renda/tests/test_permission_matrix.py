"""Every URL pattern of the project × every persona → the declared answer.

The matrix is assembled from `renda/<app>/tests/matrix*.py` and, for what belongs to the
project as a whole (the API root, pages that need several apps), `renda/tests/matrix*.py`. A URL name missing from it fails
`test_every_url_is_in_the_matrix`, so each new view must declare who may see it.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import renda
from renda.core.tests.matrix_support import Entry
from renda.core.tests.personas import PERSONAS

# URLs that are not views of ours: the API's generated documentation, served to everybody.
EXEMPT_PREFIXES = ()


def _all_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}{pattern.name}")
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}<unnamed {pattern.pattern}>")

    walk(get_resolver().url_patterns, "")
    return names


def _test_packages() -> list[str]:
    """`renda.tests` and every `renda.<app>.tests` package."""
    return [
        "renda.tests",
        *(f"renda.{app.name}.tests" for app in pkgutil.iter_modules(renda.__path__)),
    ]


def _matrix() -> dict[str, Entry]:
    """Merge `MATRIX` from every `matrix*.py` of those packages (one file per area of an app)."""
    merged: dict[str, Entry] = {}
    for package in _test_packages():
        try:
            tests = importlib.import_module(package)
        except ModuleNotFoundError:
            continue
        for module in pkgutil.iter_modules(tests.__path__):
            if not module.name.startswith("matrix") or module.name == "matrix_support":
                continue
            found = importlib.import_module(f"{package}.{module.name}")
            for name, entry in found.MATRIX.items():
                assert name not in merged, f"{name} is declared twice"
                merged[name] = entry
    return merged


MATRIX = _matrix()


def test_every_url_is_in_the_matrix() -> None:
    missing = sorted(n for n in _all_url_names() - set(MATRIX) if not n.startswith(EXEMPT_PREFIXES))
    assert not missing, f"URL names without a permission-matrix entry: {missing}"
    stale = sorted(set(MATRIX) - _all_url_names())
    assert not stale, f"matrix entries for URLs that no longer exist: {stale}"


def test_every_entry_covers_every_persona() -> None:
    for name, entry in MATRIX.items():
        assert set(entry.expect) == set(PERSONAS), (
            f"{name}: personas {set(PERSONAS) ^ set(entry.expect)}"
        )


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(name: str, world: Any, client_for: Any) -> None:
    entry = MATRIX[name]
    args = list(entry.args(world)) if entry.args else []
    url = reverse(name, args=args) + (f"?{entry.query}" if entry.query else "")
    wrong = {}
    for persona in PERSONAS:
        client = client_for(persona)
        response = (
            getattr(client, entry.method)(url, entry.data)
            if entry.method == "post"
            else client.get(url)
        )
        if response.status_code != entry.expect[persona]:
            wrong[persona] = (response.status_code, entry.expect[persona])
        if response.status_code == 302 and persona == "anonymous" and entry.anonymous_to_login:
            assert "/accounts/login/" in response["Location"], (
                f"{name}: anonymous redirected elsewhere"
            )
    assert not wrong, f"{url}: persona → (got, expected): {wrong}"
