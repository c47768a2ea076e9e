from __future__ import annotations

from typing import Any

from renda.core.tests.matrix_support import Entry, everyone, expect

CONGRESS = ["staff", "sc_member"]


def a_deputy(world: Any) -> list[int]:
    from renda.deputies.tests.factories import make_deputy

    return [make_deputy(world).pk]


MATRIX = {
    "portal:home": Entry(everyone()),
    "portal:deputies": Entry(everyone()),
    "portal:deputy": Entry(everyone(), args=a_deputy),
    "portal:annual_report": Entry(expect(CONGRESS)),
    "portal:annual_report_docx": Entry(expect(CONGRESS)),
}
