"""进站 moved from ``Deputy.station`` (deputies) to ``StationMember`` (stations): on a database
filled before the move every deputy keeps their station (and a deputy without one stays
without), and migrating back puts every station on the deputy again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("deputies", "0004_scorerule"), ("stations", "0005_opinion_rating_code")]
AFTER = [("deputies", "0005_remove_deputy_station"), ("stations", "0006_stationmember")]


def _world(apps):  # type: ignore[no-untyped-def]
    Region = apps.get_model("core", "Region")
    Organization = apps.get_model("core", "Organization")
    county = Region.objects.create(code="431381", name="冷水江市", level="county")
    town = Region.objects.create(code="431381001", name="冷水江街道", level="subdistrict")
    congress = Organization.objects.create(
        name="冷水江市人民代表大会", code="RD", kind="congress", region=county
    )
    term = apps.get_model("deputies", "Term").objects.create(
        congress=congress, level="city", number=19, start_date="2021-12-01", is_current=True
    )
    Station = apps.get_model("stations", "Station")
    stations = [
        Station.objects.create(code=f"LSJ-0{n}", name=f"第{n}站", kind="station", region=town)
        for n in (1, 2)
    ]
    return term, town, stations


@pytest.mark.django_db(transaction=True)
def test_every_deputy_keeps_their_station_across_the_move() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        term, town, stations = _world(old)
        Deputy = old.get_model("deputies", "Deputy")
        placed = {}
        for n, station in enumerate([stations[0], stations[1], stations[0], None]):
            deputy = Deputy.objects.create(
                term=term,
                region=town,
                name=f"代表{n}",
                id_number=f"ID{n}",
                id_number_index=f"idx{n}",
                elected_on="2021-11-20",
                station=station,
                birth_date="1970-01-01",
                gender="M",
            )
            placed[deputy.pk] = station.pk if station else None

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        assert "station" not in {f.name for f in new.get_model("deputies", "Deputy")._meta.fields}
        members = dict(
            new.get_model("stations", "StationMember").objects.values_list(
                "deputy_id", "station_id"
            )
        )
        assert members == {pk: s for pk, s in placed.items() if s is not None}

        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        back = executor.loader.project_state(BEFORE).apps.get_model("deputies", "Deputy")
        assert dict(back.objects.values_list("pk", "station_id")) == placed
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
