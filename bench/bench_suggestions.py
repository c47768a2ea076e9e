"""Benchmark: the suggestion pages at province scale (20,000 suggestions, 200 handling units).

Runs against a throwaway database: a temporary SQLite file, or — when DATABASE_URL is set, as
in CI — a `test_<name>` database created and dropped on that server.

Seeding: the registry (term, deputies, units, officers) goes through the services; the 20,000
suggestions, their assignments, replies and ratings are written with `bulk_create` in the
shapes the services produce (states, numbers, due dates, shingles), because running the full
workflow 20,000 times would take many minutes and measure the seeding, not the pages.

Prints, at 200 and at 20,000 suggestions: time (median of 5) and query count of the staff
list (plain and with filters), the unit workspace, the public list and search, the statistics
page; and the time to rank similar items for one new suggestion against the whole term.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
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
WORK = Path(tempfile.mkdtemp(prefix="renda-bench-sugg-"))
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
from huey.contrib.djhuey import HUEY  # noqa: E402

HUEY.immediate = True

BIG = 20_000
SMALL = 200
UNITS = 200
DEPUTIES = 600
RUNS = 5
STATES = (
    ("registered", 1),
    ("assigned", 6),
    ("returned", 1),
    ("replied", 3),
    ("rehandling", 1),
    ("tracking", 2),
    ("closed", 6),
)


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


def seed(count: int) -> dict[str, Any]:
    from renda.accounts import services as account_services
    from renda.core.models import Organization, Region
    from renda.core.roles import Role
    from renda.deputies import services as deputy_services
    from renda.deputies.models import Deputy
    from renda.lib.idcard import id_check_digit
    from renda.suggestions import similarity
    from renda.suggestions.demo import REPLIES
    from renda.suggestions.demo_topics import TOPICS, places
    from renda.suggestions.models import Assignment, Evaluation, Reply, Signature, Suggestion

    county = Region.objects.create(code="431381", name="冷水江市", level=Region.Level.COUNTY)
    township = Region.objects.create(
        code="431381001", name="冷水江街道", level="subdistrict", parent=county
    )
    congress = Organization.objects.create(
        name="人民代表大会", code="RD", kind="congress", region=county
    )
    office = Organization.objects.create(name="办公室", code="RD-BGS", kind="office", region=county)
    term = deputy_services.create_term(
        actor=None, congress=congress, level="city", number=18, start_date=dt.date(2021, 12, 28)
    )
    delegation = deputy_services.create_delegation(
        actor=None, term=term, name="冷水江街道代表团", region=township
    )
    units = Organization.objects.bulk_create(
        Organization(
            name=f"承办单位{i:03d}",
            short_name=f"单位{i:03d}",
            code=f"U{i:03d}",
            kind="government_department",
            region=county,
            is_handling_unit=True,
        )
        for i in range(UNITS)
    )

    def idn(i: int) -> str:
        first17 = f"431381{dt.date(1970, 1, 1) + dt.timedelta(days=i):%Y%m%d}{i % 900 + 100:03d}"
        return first17 + id_check_digit(first17)

    deputy_services.create_deputies_in_bulk(
        actor=None,
        records=(
            {
                "term": term,
                "name": f"代表{i:03d}",
                "gender": "M",
                "birth_date": dt.date(1970, 1, 1) + dt.timedelta(days=i),
                "party": "中共党员",
                "category": "worker",
                "region": township,
                "delegation": delegation,
                "id_number": idn(i),
                "elected_on": dt.date(2021, 11, 20),
            }
            for i in range(DEPUTIES)
        ),
    )
    deputies = list(Deputy.objects.order_by("pk"))
    staff = account_services.create_user(
        actor=None,
        username="bench-staff",
        name="工作人员",
        role=Role.STAFF,
        password="Bench-Test-2026!",
        organization=office,
        must_change_password=False,
    )
    officer = account_services.create_user(
        actor=None,
        username="bench-officer",
        name="经办人",
        role=Role.HANDLING_OFFICER,
        password="Bench-Test-2026!",
        organization=units[0],
        must_change_password=False,
    )

    now = timezone.now()
    plan = [state for state, weight in STATES for _ in range(weight)]
    rows = []
    for i in range(count):
        topic = TOPICS[i % len(TOPICS)]
        field, title, content = topic.field, topic.title, topic.content
        place = places(topic.places)[i % len(places(topic.places))]
        title = title.format(place=place) + f"（{i}）"
        content = content.format(place=place)
        state = plan[i % len(plan)]
        assigned = state != "registered"
        rows.append(
            Suggestion(
                term=term,
                serial=i + 1,
                code=f"第18届闭会期间第{i + 1:05d}号",
                title=title,
                content=content,
                field=field,
                lead_deputy=deputies[i % DEPUTIES],
                source="paper",
                state=state,
                due_at=now + dt.timedelta(days=(i % 120) - 20) if assigned else None,
                submitted_at=now - dt.timedelta(days=i % 300),
                registered_at=now,
                assigned_at=now if assigned else None,
                mode="lead" if assigned else "",
                is_key=i % 17 == 0,
                reply_class="ABCD"[i % 4]
                if state in ("replied", "rehandling", "tracking", "closed")
                else "",
                satisfaction="satisfied" if state == "closed" else "",
                published_at=now if state == "closed" and i % 2 else None,
                public_title=title,
                public_content=content,
                public_reply=REPLIES["A"],
                shingles=similarity.shingles_for(title, content),
            )
        )
    Suggestion.objects.bulk_create(rows, batch_size=2000)
    items = list(Suggestion.objects.order_by("pk").values_list("pk", "state", "lead_deputy_id"))
    Signature.objects.bulk_create(
        (
            Signature(suggestion_id=pk, deputy_id=d, is_lead=True, confirmed_at=now)
            for pk, _, d in items
        ),
        batch_size=5000,
    )
    Assignment.objects.bulk_create(
        (
            Assignment(
                suggestion_id=pk,
                unit=units[n % UNITS],
                role="lead",
                assigned_at=now,
                return_until=now,
                assigned_by=staff,
            )
            for n, (pk, state, _) in enumerate(items)
            if state != "registered"
        ),
        batch_size=5000,
    )
    answered = [
        (n, pk)
        for n, (pk, state, _) in enumerate(items)
        if state in ("replied", "rehandling", "tracking", "closed")
    ]
    Reply.objects.bulk_create(
        (
            Reply(
                suggestion_id=pk,
                unit=units[n % UNITS],
                round=1,
                reply_class="ABCD"[n % 4],
                content=REPLIES["A"],
                signer="负责人",
                on_time=n % 5 != 0,
                created_by=officer,
            )
            for n, pk in answered
        ),
        batch_size=5000,
    )
    Evaluation.objects.bulk_create(
        (
            Evaluation(
                suggestion_id=pk,
                deputy_id=items[n][2],
                round=1,
                rating=("satisfied", "basic", "dissatisfied")[n % 3],
            )
            for n, pk in answered
            if items[n][1] != "replied"
        ),
        batch_size=5000,
    )
    return {"staff": staff, "officer": officer, "term": term, "deputy": deputies[0]}


def page(client: Client, url: str) -> dict[str, Any]:
    client.get(url)  # warm-up
    times, queries = [], set()
    for _ in range(RUNS):
        with counted() as counter:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries.add(counter.count)
    return {"t": statistics.median(times), "q": max(queries)}


PAGES = (
    ("staff list, page 1", "staff", "/suggestions/"),
    (
        "staff list, filtered (field+overdue+q)",
        "staff",
        "/suggestions/?field=urban&overdue=on&q=排水",
    ),
    ("staff list, last page", "staff", "/suggestions/?page=last"),
    ("unit workspace (unit 1 of 200)", "officer", "/suggestions/unit/"),
    ("public list", None, "/suggestions/public/"),
    ("public search", None, "/suggestions/public/?q=公交"),
    ("statistics (by unit/field/delegation)", "staff", "/suggestions/stats/"),
)


def measure(count: int) -> dict[str, Any]:
    from renda.conftest import login
    from renda.suggestions.models import Suggestion
    from renda.suggestions.selectors import similar_to

    with throwaway_database(f"sugg-{count}"):
        started = time.perf_counter()
        people = seed(count)
        figures: dict[str, Any] = {"seed": time.perf_counter() - started}
        clients = {
            "staff": login(Client(), people["staff"]),
            "officer": login(Client(), people["officer"]),
            None: Client(),
        }
        for label, who, url in PAGES:
            figures[label] = page(clients[who], url)
        target = Suggestion.objects.order_by("-pk")[0]
        started = time.perf_counter()
        with counted() as counter:
            matches = similar_to(target)
        figures["similar"] = {
            "t": time.perf_counter() - started,
            "q": counter.count,
            "n": len(matches),
        }
    return figures


def main() -> None:
    print(f"database: {connection.vendor}; work dir {WORK}")
    small = measure(SMALL)
    big = measure(BIG)
    print(
        f"\nseeding: {SMALL:,} in {small['seed']:.1f} s, {BIG:,} in {big['seed']:.1f} s ({UNITS} units, {DEPUTIES} deputies)"
    )
    print(f"\n{'page':<42}{SMALL:>8,} items        {BIG:>8,} items        queries ratio")
    for label, _, _ in PAGES:
        s, b = small[label], big[label]
        print(
            f"  {label:<40}{s['t'] * 1000:8.1f} ms {s['q']:3d} q   {b['t'] * 1000:8.1f} ms {b['q']:3d} q   {b['q'] / s['q']:.2f}"
        )
    s, b = small["similar"], big["similar"]
    print(
        f"  {'similar items (whole term, ≤5000 newest)':<40}{s['t'] * 1000:8.1f} ms {s['q']:3d} q   {b['t'] * 1000:8.1f} ms {b['q']:3d} q   matches {b['n']}"
    )
    bounded = all(big[label]["q"] <= small[label]["q"] for label, _, _ in PAGES)
    print(
        f"\nquery counts at {BIG:,} vs {SMALL:,}: {'bounded (never more)' if bounded else 'NOT bounded'}"
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
