"""Numbers in suggestions' addresses: an id too large for the database is a 404, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db
HUGE = "9" * 20


@pytest.mark.parametrize(
    "url",
    [
        f"/suggestions/{HUGE}/",
        f"/suggestions/motions/{HUGE}/",
        f"/suggestions/public/{HUGE}/",
        f"/suggestions/attachments/{HUGE}/",
        f"/suggestions/replies/{HUGE}/letter.docx",
    ],
)
def test_an_id_too_large_is_not_found(world: Any, client_for: Any, url: str) -> None:
    assert client_for("staff").get(url).status_code == 404
