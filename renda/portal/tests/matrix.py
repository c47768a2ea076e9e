from __future__ import annotations

from typing import Any

from renda.core.tests.matrix_support import Entry, everyone


def a_deputy(world: Any) -> list[int]:
    from renda.deputies.tests.factories import make_deputy

    return [make_deputy(world).pk]


MATRIX = {
    "portal:home": Entry(everyone()),
    "portal:deputies": Entry(everyone()),
    "portal:deputy": Entry(everyone(), args=a_deputy),
}
