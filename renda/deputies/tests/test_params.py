"""Numbers in deputies' addresses and query parameters: a year out of range, an id too large
for the database or a non-ASCII digit is a 404 or an ignored filter, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from .factories import make_deputy

pytestmark = pytest.mark.django_db
HUGE = "9" * 20


def test_bad_numbers_in_addresses_are_not_found(world: Any, client_for: Any) -> None:
    deputy = make_deputy(world, user=world.deputy)
    staff = client_for("staff")
    for url in (
        f"/suggestions/duty/{deputy.pk}/99999/",
        f"/suggestions/duty/{deputy.pk}/0/",
        f"/suggestions/duty/{HUGE}/2025/",
        f"/suggestions/duty/{deputy.pk}/99999/report.docx",
        f"/deputies/{HUGE}/",
        f"/deputies/{deputy.pk}/memberships/{HUGE}/end/",
    ):
        assert staff.get(url).status_code == 404, url


def test_bad_numbers_in_query_parameters_are_ignored(world: Any, client_for: Any) -> None:
    make_deputy(world, user=world.deputy)
    staff = client_for("staff")
    for url in (
        "/suggestions/duty/rankings/?year=²",
        f"/suggestions/duty/rankings/?year={HUGE}",
        "/deputies/?q=²²²²²²²²²²²²²²²²²²",
    ):
        assert staff.get(url).status_code == 200, url
    assert client_for("deputy").get("/suggestions/duty/me/?year=²").status_code == 200
