"""Payment list and export benchmark (issue 14, item 10) on the demo year (~10^5 payments).

The filtered list: each URL through the whole stack (test client, staff session), median of
three, with the list's page query timed with and without the index `budget_pay_year_listed`
(dropped inside a rolled-back transaction on PostgreSQL), and the old two aggregate queries
(COUNT, SUM) beside the one that replaced them. The export: what the user waits for before
the page answers — the old in-request build of the whole year versus starting a background
job — and how long the worker then takes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renda_b .venv/bin/python bench/bench_budget_payments.py

The database must hold the demo data (`manage.py seed_demo`); without payments the benchmark
says so and stops. Figures only: it never fails on timing.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renda.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user  # noqa: E402

from renda.accounts.models import User  # noqa: E402
from renda.budget.models import ExportJob, Payment  # noqa: E402
from renda.budget.selectors.data import count_and_total, payments, total  # noqa: E402
from renda.budget.services import exports  # noqa: E402

URLS = [
    "/budget/payments/?year={y}",
    "/budget/payments/?year={y}&func_code=201",
    "/budget/payments/?year={y}&unit=101&func_code=201",
]
FILTERS = [{}, {"func_code": "201"}, {"unit": "101", "func_code": "201"}]


def timed(fn, n: int = 3) -> float:
    runs = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def staff_client(user: User) -> Client:
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(user)
    device = next(iter(devices_for_user(user)), None)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def page_query(filters: dict) -> None:
    list(payments(filters).select_related("unit")[:50])


def list_figures(client: Client, year: int) -> None:
    print(f"支付凭证列表（{year} 年，{Payment.objects.filter(year=year).count():,} 笔）")
    pg = connection.vendor == "postgresql"
    for url, extra in zip(URLS, FILTERS, strict=True):
        filters = {"year": year, **extra}
        u = url.format(y=year)
        status = client.get(u).status_code  # warm
        whole = timed(lambda u=u: client.get(u))
        with_index = timed(lambda f=filters: page_query(f))
        old_aggregates = timed(lambda f=filters: (payments(f).count(), total(payments(f))))
        new_aggregate = timed(lambda f=filters: count_and_total(payments(f)))
        line = (
            f"  {u}\n    page {whole * 1000:.0f} ms ({status}); "
            f"page query {with_index * 1000:.1f} ms"
        )
        if pg:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("DROP INDEX budget_pay_year_listed")
                without = timed(lambda f=filters: page_query(f))
                transaction.set_rollback(True)
            line += f", without the index {without * 1000:.1f} ms (×{without / with_index:.0f})"
        line += (
            f"; COUNT+SUM {old_aggregates * 1000:.0f} ms → one aggregate "
            f"{new_aggregate * 1000:.0f} ms (×{old_aggregates / new_aggregate:.1f})"
        )
        print(line, flush=True)


def export_figures(client: Client, user: User, year: int) -> None:
    rows = payments({"year": year}).count()
    print(f"导出（{year} 年全部 {rows:,} 笔）")
    start = time.perf_counter()
    exports.export_inline(actor=user, kind="payments", filters={"year": year})
    inline = time.perf_counter() - start
    print(f"  before: the request builds the whole file: {inline:.1f} s blank page", flush=True)
    ExportJob.objects.filter(requested_by=user).delete()
    # The request hands the job to Huey after its commit; here the queue is replaced by a
    # no-op (no worker of another checkout picks it up) and the worker's part runs below.
    import renda.budget.tasks as tasks

    tasks.run_export_job = lambda job_id: None  # type: ignore[assignment]
    start = time.perf_counter()
    job = exports.request_export(actor=user, kind="payments", filters={"year": year})
    answered = time.perf_counter() - start
    start = time.perf_counter()
    job = exports.run_export(job.pk)
    worker = time.perf_counter() - start
    print(
        f"  after: the page answers in {answered * 1000:.0f} ms (job #{job.pk}, progress shown), "
        f"the worker writes {job.rows_done:,} rows in {worker:.1f} s "
        f"({job.size / 1e6:.1f} MB); wait before feedback ×{inline / answered:.0f} shorter",
        flush=True,
    )
    job.file.delete(save=False)
    job.delete()


def main() -> int:
    year = Payment.objects.order_by("-year").values_list("year", flat=True).first()
    user = User.objects.filter(username="staff").first()
    if year is None or user is None:
        print("数据库里没有演示数据：请先运行 manage.py seed_demo（跳过）")
        return 0
    print(f"database: {connection.vendor}")
    client = staff_client(user)
    list_figures(client, year)
    if "--no-export" not in sys.argv:
        export_figures(client, user, year)
    return 0


if __name__ == "__main__":
    sys.exit(main())
