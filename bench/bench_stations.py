"""Benchmark: the stations module at county scale (20 stations, 2,000 opinions) and at
province scale (2,000 stations, 200,000 opinions, 100,000 receptions, 24,000 reception days).

Runs against a throwaway database: a temporary SQLite file, or — when DATABASE_URL is set —
a `test_<name>` database created and dropped on that server. The bulk rows are written with
`bulk_create` (going through the services, with an audit row each, would take hours and
measure the audit chain rather than the pages); the pages read them exactly as they read
rows written by the services.

Prints, for each scale: the time (median of 5) and query count of the staff opinion list
(first page, last page, overdue filter), the statistics page, the public station page and
the public tracking page; then the query ratio big/small for each page (bounded: 1.00).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="renda-bench-stations-"))
atexit.register(shutil.rmtree, WORK, ignore_errors=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renda.settings")
os.environ["MEDIA_ROOT"] = str(WORK / "media")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

RUNS = 5
SCALES = (("county", 20, 2_000, 1_000), ("province", 2_000, 200_000, 100_000))


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


@contextlib.contextmanager
def counted() -> Iterator[QueryCounter]:
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


@contextlib.contextmanager
def throwaway_database(label: str) -> Iterator[None]:
    if connection.vendor == "sqlite":
        connection.close()
        connection.settings_dict["NAME"] = str(WORK / f"{label}.sqlite3")
        call_command("migrate", verbosity=0, interactive=False)
        try:
            yield
        finally:
            connection.close()
    else:
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        try:
            yield
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def build(stations: int, opinions: int, receptions: int) -> dict[str, Any]:
    """Regions, stations, units, deputies, reception days, receptions and opinions."""
    from renda.accounts import services as account_services
    from renda.core.fields import make_blind_index
    from renda.core.models import Organization, Region
    from renda.core.roles import Role
    from renda.deputies import services as deputy_services
    from renda.deputies.models import Deputy
    from renda.stations.models import (
        ChecklistItem,
        DutyAssignment,
        DutySlot,
        Opinion,
        Reception,
        Station,
    )
    from renda.stations.services import new_tracking_code

    rng = random.Random(4)
    county = Region.objects.create(code="430000", name="湖南省", level="prefecture")
    towns = Region.objects.bulk_create(
        [
            Region(code=f"43{i:04d}001", name=f"第{i}乡镇", level="township", parent=county)
            for i in range(max(1, stations // 2))
        ]
    )
    units = Organization.objects.bulk_create(
        [
            Organization(
                name=f"承办单位{i}",
                code=f"U{i}",
                kind="government_department",
                region=county,
                is_handling_unit=True,
            )
            for i in range(100)
        ]
    )
    office = Organization.objects.create(
        name="人大常委会办公室", code="BGS", kind="office", region=county
    )
    congress = Organization.objects.create(
        name="人民代表大会", code="RD", kind="congress", region=county
    )
    term = deputy_services.create_term(
        actor=None, congress=congress, level="city", number=14, start_date=dt.date(2023, 1, 1)
    )
    station_rows = Station.objects.bulk_create(
        [
            Station(
                code=f"S{i:05d}",
                name=f"第{i}代表联络站",
                kind="station" if i % 2 == 0 else "point",
                region=towns[i % len(towns)],
                address=f"第{i}号便民服务中心",
                latitude=27 + (i % 50) / 100,
                longitude=111 + (i // 50) / 100,
            )
            for i in range(stations)
        ]
    )
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(station=s, item=item)
            for s in station_rows
            for item in ChecklistItem.Item.values
        ],
        batch_size=5000,
    )
    deputies = Deputy.objects.bulk_create(
        [
            Deputy(
                term=term,
                name=f"代表{i}",
                gender="M",
                birth_date=dt.date(1970, 1, 1),
                party="群众",
                category="worker",
                region=towns[i % len(towns)],
                station=station_rows[i % stations],
                id_number=f"ID{i}",
                id_number_index=make_blind_index(f"ID{i}"),
                elected_on=dt.date(2023, 1, 1),
            )
            for i in range(stations * 5)
        ],
        batch_size=2000,
    )
    year = timezone.localdate().year
    today = timezone.localdate()
    slots = DutySlot.objects.bulk_create(
        [
            DutySlot(
                station=s,
                date=dt.date(year, m, 15),
                start_time=dt.time(9),
                end_time=dt.time(11),
                status="published",
            )
            for s in station_rows
            for m in range(1, 13)
        ],
        batch_size=5000,
    )
    by_station: dict[int, list[Deputy]] = {}
    for d in deputies:
        by_station.setdefault(d.station_id, []).append(d)  # type: ignore[arg-type]
    zone = timezone.get_current_timezone()
    DutyAssignment.objects.bulk_create(
        [
            DutyAssignment(
                slot=slot,
                deputy=d,
                checked_in_at=dt.datetime.combine(slot.date, dt.time(9), tzinfo=zone)
                if slot.date < today
                else None,
                checked_out_at=dt.datetime.combine(slot.date, dt.time(11), tzinfo=zone)
                if slot.date < today
                else None,
            )
            for slot in slots
            for d in rng.sample(by_station[slot.station_id], 2)
        ],
        batch_size=5000,
    )
    start = dt.datetime(year, 1, 1, 9, tzinfo=zone)
    span = max(1, (timezone.now() - start).days)
    Reception.objects.bulk_create(
        [
            Reception(
                station=station_rows[i % stations],
                received_at=start + dt.timedelta(days=rng.randint(0, span - 1)),
                matter="群众反映道路破损，请求维修。",
                category="transport",
            )
            for i in range(receptions)
        ],
        batch_size=5000,
    )
    states = ["submitted", "assigned", "replied", "closed", "closed", "closed", "rejected"]
    batch: list[Opinion] = []
    for i in range(opinions):
        state = states[i % len(states)]
        created = start + dt.timedelta(days=rng.randint(0, span - 1), minutes=i % 600)
        batch.append(
            Opinion(
                tracking_code=new_tracking_code(),
                station=station_rows[i % stations],
                source="web",
                category="transport",
                content="小区门口路灯不亮，晚上出行不便，请尽快维修。",
                state=state,
                unit=units[i % 100] if state in ("assigned", "replied", "closed") else None,
                due_at=created + dt.timedelta(days=10),
                reply_class="A" if state in ("replied", "closed") and i % 3 == 0 else "",
                rating="satisfied" if state == "closed" and i % 2 else "",
            )
        )
        if len(batch) == 5000:
            Opinion.objects.bulk_create(batch)
            batch = []
    Opinion.objects.bulk_create(batch)
    # created_at is auto_now_add (bulk_create sets it to now): every opinion counts in this
    # year's statistics, which is the heavier case for the statistics page.
    staff = account_services.create_user(
        actor=None,
        username="bench-staff",
        name="基准测试",
        role=Role.STAFF,
        password="Bench-Test-2026!",
        organization=office,
        mobile="13800009999",
        must_change_password=False,
    )
    officer = account_services.create_user(
        actor=None,
        username="bench-officer",
        name="承办员",
        role=Role.HANDLING_OFFICER,
        password="Bench-Test-2026!",
        organization=units[0],
        mobile="13800009998",
        must_change_password=False,
    )
    sample = Opinion.objects.order_by("pk").first()
    return {
        "staff": staff,
        "officer": officer,
        "station": station_rows[0],
        "code": sample.tracking_code if sample else "",
        "last_page": (opinions + 49) // 50,
    }


def measure_page(client: Client, url: str) -> dict[str, Any]:
    client.get(url)  # warm-up
    times, queries = [], set()
    for _ in range(RUNS):
        with counted() as counter:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        times.append(elapsed)
        queries.add(counter.count)
    return {"t": statistics.median(times), "q": max(queries)}


def measure(label: str, stations: int, opinions: int, receptions: int) -> dict[str, Any]:
    from renda.conftest import login

    with throwaway_database(f"bench-{label}"):
        started = time.perf_counter()
        data = build(stations, opinions, receptions)
        t_build = time.perf_counter() - started
        staff = login(Client(), data["staff"])
        officer = login(Client(), data["officer"])
        public = Client()
        pk = data["station"].pk
        pages = {
            "staff opinion list, page 1": (staff, "/stations/opinions/"),
            "staff opinion list, last page": (
                staff,
                f"/stations/opinions/?page={data['last_page']}",
            ),
            "staff opinion list, overdue only": (staff, "/stations/opinions/?overdue=on"),
            "handling-unit opinion list": (officer, "/stations/opinions/"),
            "statistics page (year)": (staff, "/stations/stats/"),
            "public station page": (public, f"/stations/public/{pk}/"),
            "public tracking page": (public, f"/stations/public/track/{data['code']}/"),
        }
        results = {name: measure_page(client, url) for name, (client, url) in pages.items()}
    return {"t_build": t_build, "pages": results}


def main() -> None:
    print(f"database: {connection.vendor}; work dir {WORK}")
    figures = {}
    for label, stations, opinions, receptions in SCALES:
        figures[label] = measure(label, stations, opinions, receptions)
        print(
            f"\n[{label}: {stations:,} stations, {opinions:,} opinions, {receptions:,} receptions]"
            f" built in {figures[label]['t_build']:.1f} s"
        )
        for name, f in figures[label]["pages"].items():
            shown = f"{f['t']:8.2f} s " if f["t"] >= 1 else f"{f['t'] * 1000:8.1f} ms"
            print(f"  {name:<36}{shown} {f['q']:>5} queries")
    small, big = figures["county"]["pages"], figures["province"]["pages"]
    print("\nqueries province / county (bounded = 1.00), time ratio:")
    for name in small:
        ratio = big[name]["q"] / small[name]["q"]
        print(
            f"  {name:<36}{big[name]['q']:>4} / {small[name]['q']:<4} = {ratio:.2f}"
            f"  {'bounded' if ratio == 1 else 'NOT bounded'}   time ×{big[name]['t'] / small[name]['t']:.1f}"
        )


if __name__ == "__main__":
    main()
