"""Permission matrix of 知情知政 (merged by renda/tests/test_permission_matrix.py)."""

from __future__ import annotations

import tempfile
from typing import Any

from django.test import override_settings

from renda.core.tests.matrix_support import Entry, expect

READERS = ["deputy", "sc_member"]
OPENERS = ["staff", *READERS]
_media: Any = None


def _use_temp_media() -> None:
    global _media
    if _media is None:  # uploads in the matrix go to a temp dir, never to ./media
        _media = override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="renda-matrix-docs-"))
        _media.enable()


def a_document(world: Any) -> list[int]:
    """A PDF released now to all deputies (the deputy and SC-member personas read it)."""
    from renda.documents.tests.factories import publish

    _use_temp_media()
    return [publish(world).pk]


def a_meeting(world: Any) -> list[int]:
    from renda.documents.tests.factories import notified_item

    return [notified_item(world).meeting_id]


MATRIX = {
    "documents:library": Entry(expect(["staff"])),
    "documents:upload": Entry(expect(["staff"])),
    "documents:meeting": Entry(expect(["staff"]), args=a_meeting),
    "documents:edit": Entry(expect(["staff"]), args=a_document),
    "documents:withdraw": Entry(
        expect(["staff"], ok=302), args=a_document, method="post", data={"reason": "版本有误"}
    ),
    "documents:report": Entry(expect(["staff"]), args=a_document),
    "documents:report_export": Entry(expect(["staff"]), args=a_document),
    "documents:mine": Entry(expect(READERS)),
    "documents:read": Entry(expect(OPENERS), args=a_document),
    "documents:raw": Entry(expect(OPENERS), args=a_document),
    "documents:download": Entry(expect(OPENERS), args=a_document),
}
