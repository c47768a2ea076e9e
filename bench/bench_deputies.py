"""Benchmark: importing 10,000 deputies from .xlsx, and the staff deputy list at 10,000.

Runs against a real, throwaway database: a temporary SQLite file (never the developer's
db.sqlite3), or — when DATABASE_URL is set, as in CI — a `test_<name>` database created and
dropped on that server. Uploaded files go to a temporary MEDIA_ROOT; Huey runs in memory.

Prints: validation (start_import) and commit (commit_import) time, rows/s and queries; the
time of re-uploading the same file (idempotent: no second import); the list page's time and
query count at 100 and at 10,000 deputies, and their ratio (bounded: it must be 1.00).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import io
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
WORK = Path(tempfile.mkdtemp(prefix="renda-bench-"))
atexit.register(shutil.rmtree, WORK, ignore_errors=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renda.settings")
os.environ["MEDIA_ROOT"] = str(WORK / "media")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from huey.contrib.djhuey import HUEY  # noqa: E402
from openpyxl import Workbook  # noqa: E402

# Progress keys go to memory, not to the developer's huey.sqlite3.
HUEY.immediate = True

BIG = 10_000
SMALL = 100
LIST_RUNS = 5

TOWNSHIPS = [
    ("431381001", "冷水江街道", "subdistrict"),
    ("431381002", "锡矿山街道", "subdistrict"),
    ("431381003", "沙塘湾街道", "subdistrict"),
    ("431381004", "布溪街道", "subdistrict"),
    ("431381100", "禾青镇", "township"),
    ("431381101", "铎山镇", "township"),
    ("431381102", "金竹山镇", "township"),
    ("431381103", "渣渡镇", "township"),
    ("431381104", "三尖镇", "township"),
    ("431381200", "中连乡", "township"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "建国志强秀英海燕伟明丽华文军春梅小红国平桂兰红霞德胜永红卫东玉兰晓燕新民"
CATEGORIES = ["工人", "农民", "专业技术人员", "党政领导干部", "企业负责人", "其他"]
HEADER = [
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "政治面貌",
    "学历",
    "工作单位",
    "职务",
    "代表构成",
    "层级",
    "乡镇（街道）",
    "代表团（组）",
    "选区",
    "联络站",
    "身份证号",
    "手机号",
    "当选日期",
]


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
    """A fresh, migrated database for one measurement, removed afterwards."""
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


def id_number(i: int) -> str:
    from renda.lib.idcard import id_check_digit

    birth = dt.date(1960, 1, 1) + dt.timedelta(days=i // 900)
    first17 = f"431381{birth:%Y%m%d}{100 + i % 900:03d}"
    return first17 + id_check_digit(first17)


def deputies_xlsx(count: int) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("代表名册")
    sheet.append(HEADER)
    for i in range(count):
        _, township, _ = TOWNSHIPS[i % len(TOWNSHIPS)]
        name = (
            SURNAMES[i % len(SURNAMES)]
            + GIVEN[(i * 7) % len(GIVEN)]
            + GIVEN[(i * 13 + 1) % len(GIVEN)]
        )
        sheet.append(
            [
                name,
                None,
                "汉族",
                None,
                "中共党员" if i % 3 else "群众",
                "大学本科",
                f"{township}第{i % 50 + 1}单位",
                "职员",
                CATEGORIES[i % len(CATEGORIES)],
                "市级",
                township,
                f"{township}代表团",
                None,
                f"{township}代表联络站",
                id_number(i),
                f"139{i:08d}",
                dt.date(2021, 11, 20),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def seed() -> Any:
    """The county, its townships, the city congress's current term with one delegation and
    one station per township, and a staff account — all through the services."""
    from renda.accounts import services as account_services
    from renda.core.models import Organization, Region
    from renda.core.roles import Role
    from renda.deputies import services
    from renda.stations.services import create_station

    county = Region.objects.create(code="431381", name="冷水江市", level=Region.Level.COUNTY)
    congress = Organization.objects.create(
        name="冷水江市人民代表大会", code="RD", kind="congress", region=county
    )
    office = Organization.objects.create(
        name="冷水江市人大常委会办公室", code="RD-BGS", kind="office", region=county
    )
    term = services.create_term(
        actor=None, congress=congress, level="city", number=18, start_date=dt.date(2021, 12, 28)
    )
    for index, (code, name, level) in enumerate(TOWNSHIPS):
        region = Region.objects.create(code=code, name=name, level=level, parent=county)
        services.create_delegation(actor=None, term=term, name=f"{name}代表团", region=region)
        create_station(
            actor=None,
            code=f"ST{index:02d}",
            name=f"{name}代表联络站",
            kind="station",
            region=region,
        )
    return account_services.create_user(
        actor=None,
        username="bench-staff",
        name="基准测试",
        role=Role.STAFF,
        password="Bench-Test-2026!",
        organization=office,
        mobile="13800009999",
        must_change_password=False,
    )


def timed(fn: Callable[[], Any]) -> tuple[Any, float, int]:
    with counted() as counter:
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
    return result, elapsed, counter.count


class WriteTimer:
    """Times the spec's `commit` (the writing inside the transaction) apart from the
    re-validation that `commit_import` does first."""

    seconds = 0.0

    @classmethod
    def install(cls) -> None:
        from renda.deputies.imports import DeputyImportSpec

        original = DeputyImportSpec.commit

        def commit(self: Any, rows: Any, actor: Any, batch: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(self, rows, actor, batch)
            finally:
                cls.seconds = time.perf_counter() - started

        DeputyImportSpec.commit = commit  # type: ignore[method-assign]


def import_file(staff: Any, content: bytes, name: str) -> dict[str, Any]:
    from renda.core import imports

    batch, t_validate, q_validate = timed(
        lambda: imports.start_import(
            actor=staff, kind="deputies", uploaded_file=SimpleUploadedFile(name, content)
        )
    )
    if batch.status != "ready":
        for error in batch.errors[:10]:
            print("  ", imports.error_text(error))
        raise SystemExit(f"{name}: validation failed ({batch.get_status_display()})")
    batch, t_commit, q_commit = timed(lambda: imports.commit_import(actor=staff, batch=batch))
    if batch.status != "committed":
        for error in batch.errors[:10]:
            print("  ", imports.error_text(error))
        raise SystemExit(f"{name}: commit failed")
    again, t_again, q_again = timed(
        lambda: imports.start_import(
            actor=staff, kind="deputies", uploaded_file=SimpleUploadedFile(name, content)
        )
    )
    assert again.pk == batch.pk, "re-upload of the same file must not create a new batch"
    return {
        "t_write": WriteTimer.seconds,
        "rows": batch.rows_total,
        "t_validate": t_validate,
        "q_validate": q_validate,
        "t_commit": t_commit,
        "q_commit": q_commit,
        "t_again": t_again,
        "q_again": q_again,
    }


def list_page(staff: Any, url: str) -> dict[str, Any]:
    from renda.conftest import login

    client = login(Client(), staff)
    client.get(url)  # warm-up: template compilation, first connection
    times, queries = [], set()
    for _ in range(LIST_RUNS):
        response, elapsed, count = timed(lambda: client.get(url))
        assert response.status_code == 200, (url, response.status_code)
        times.append(elapsed)
        queries.add(count)
    return {"t": statistics.median(times), "queries": max(queries), "stable": len(queries) == 1}


def measure(count: int, label: str) -> dict[str, Any]:
    from renda.deputies.models import Deputy

    with throwaway_database(label):
        staff = seed()
        started = time.perf_counter()
        content = deputies_xlsx(count)
        t_build = time.perf_counter() - started
        figures = import_file(staff, content, f"代表名册-{count}.xlsx")
        assert Deputy.objects.count() == count
        last_page = (count + 49) // 50
        figures.update(
            t_build=t_build,
            size=len(content),
            first=list_page(staff, "/deputies/"),
            last=list_page(staff, f"/deputies/?page={last_page}"),
            last_page=last_page,
        )
    return figures


def main() -> None:
    WriteTimer.install()
    print(f"database: {connection.vendor}; work dir {WORK}")
    small = measure(SMALL, "bench-100")
    big = measure(BIG, "bench-10000")
    for label, f in ((f"{SMALL:,}", small), (f"{BIG:,}", big)):
        rows = f["rows"]
        print(
            f"\n[{label} deputies] xlsx {f['size'] / 1024:,.0f} KB, built in {f['t_build']:.2f} s"
        )
        lines = [
            ("start_import (read + validate)", f["t_validate"], rows, f["q_validate"]),
            ("commit_import (re-validate + write)", f["t_commit"], rows, f["q_commit"]),
            ("  of which writing rows (spec.commit)", f["t_write"], rows, None),
            ("same file again (no-op)", f["t_again"], None, f["q_again"]),
            ("list page 1", f["first"]["t"], None, f["first"]["queries"]),
            (f"list page {f['last_page']} (last)", f["last"]["t"], None, f["last"]["queries"]),
        ]
        for name, seconds, count, queries in lines:
            speed = f"{count / seconds:9,.0f} rows/s" if count else " " * 16
            shown = f"{seconds:8.2f} s " if seconds >= 1 else f"{seconds * 1000:8.1f} ms"
            print(
                f"  {name:<42}{shown} {speed}  {'' if queries is None else f'{queries:>7,} queries'}"
            )
    ratio = big["first"]["queries"] / small["first"]["queries"]
    print(
        f"\nlist-page queries at {BIG:,} vs {SMALL:,} deputies: {big['first']['queries']} / {small['first']['queries']} = {ratio:.2f}"
        f"  ({'bounded' if ratio == 1 else 'NOT bounded'})"
    )
    print(
        f"list-page time at {BIG:,} vs {SMALL:,} deputies: {big['first']['t'] / small['first']['t']:.2f}×"
    )


if __name__ == "__main__":
    main()
