"""Budget ingest benchmark (issue 5): 1,000,000 generated payments imported into PostgreSQL
through the project's import path, beside a bare COPY of the same file into an unindexed
table of the same columns (the physical limit of this machine); then a 100,000-row file on
SQLite. Prints rows per second, the ratio, and the importer's peak memory.

    .venv/bin/python bench/budget_ingest.py [--rows 1000000] [--sqlite-rows 100000]

PostgreSQL: $BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/renda_bench
(created if missing; its budget tables are emptied). Target: import ≤ 2 × COPY, peak < 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/renda_bench")
YEAR = 2025

CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "renda.settings"
import django
django.setup()
from django.db import connection
from renda.accounts.models import User
from renda.budget.services import batches
timings = {{}}
def wrapper(execute, sql, params, many, context):
    start = time.monotonic()
    try:
        return execute(sql, params, many, context)
    finally:
        key = " ".join(sql.split()[:3])[:40]
        timings[key] = timings.get(key, 0) + time.monotonic() - start
user = User.objects.get(username="bench-importer")
start = time.monotonic()
with connection.execute_wrapper(wrapper):
    batch = batches.import_path(actor=user, kind={kind!r}, path={path!r})
elapsed = time.monotonic() - start
# VmHWM is this program's own peak (ru_maxrss would include the parent's pages before exec).
with open("/proc/self/status") as status:
    peak_kb = next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")),
                   resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
print(json.dumps({{"seconds": elapsed, "status": batch.status, "summary": batch.summary,
                  "errors": batch.errors[:5], "peak_mb": peak_kb / 1024,
                  "steps": sorted(((round(v, 2), k) for k, v in timings.items() if v > 0.2), reverse=True)}}))
"""


def child(env: dict[str, str], kind: str, path: Path) -> dict:
    code = CHILD.format(root=str(ROOT), kind=kind, path=str(path))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"import of {kind} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepare(env: dict[str, str], *, truncate: bool) -> None:
    code = f"""
import os, sys
sys.path.insert(0, {str(ROOT)!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "renda.settings"
import django
django.setup()
from django.core.management import call_command
from django.db import connection
call_command("migrate", verbosity=0)
from renda.accounts.models import User
User.objects.get_or_create(username="bench-importer", defaults={{"name": "基准测试", "role": "staff"}})
if {truncate!r}:
    from renda.budget import models as m
    tables = [model._meta.db_table for model in (m.RecordChange, m.Payment, m.BudgetAdjustment, m.CarryOver,
              m.BudgetIndicator, m.BudgetUnit, m.ClassificationCode, m.RevenueReceipt, m.RevenueBudget, m.DebtMonth,
              m.ProjectReport, m.EnterpriseReport, m.StatisticValue, m.IdempotencyRecord, m.FinanceRegion)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE " + ", ".join(tables) + " CASCADE")  # alerts, summaries
        else:
            for table in tables:
                cursor.execute("DELETE FROM " + table)
        cursor.execute("DELETE FROM core_importbatch WHERE kind LIKE 'budget.%'")
from renda.budget.services import batches
batches.ensure_finance_region(actor=None, code="431381", name="冷水江市")
"""
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"preparing the database failed:\n{out.stderr[-3000:]}")


def generate(rows: int, directory: Path) -> Path:
    manifest = directory / "manifest.json"
    if not manifest.exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "generate_budget_data",
                "--scale",
                "county",
                "--year",
                str(YEAR),
                "--payments",
                str(rows),
                "--out",
                str(directory),
            ],
            check=True,
            env={**os.environ, "DATABASE_URL": "sqlite:///" + str(directory / "unused.sqlite3")},
        )
    return directory


def bare_copy(path: Path) -> float:
    import psycopg

    with open(path, encoding="utf-8-sig") as handle:
        header = handle.readline().rstrip("\r\n").split(",")
    columns = ", ".join(f"c{i} text" for i in range(len(header)))
    with psycopg.connect(PG_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_bare_copy")
        conn.execute(f"CREATE TABLE bench_bare_copy ({columns})")
        start = time.monotonic()
        with (
            conn.cursor() as cursor,
            cursor.copy("COPY bench_bare_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            open(path, "rb") as handle,
        ):
            handle.read(3)  # the UTF-8 byte-order mark
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        elapsed = time.monotonic() - start
        conn.execute("DROP TABLE bench_bare_copy")
    return elapsed


def ensure_database() -> None:
    import psycopg

    name = PG_URL.rsplit("/", 1)[1]
    admin = PG_URL.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def load_reference(env: dict[str, str], directory: Path) -> None:
    for kind in ("codes", "units", "indicators"):
        result = child(env, kind, directory / f"{kind}.csv")
        if result["status"] != "committed":
            raise SystemExit(f"{kind}: {result['status']} {result['errors']}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sqlite-rows", type=int, default=100_000)
    parser.add_argument(
        "--data", default=tempfile.gettempdir(), help="where generated files are cached"
    )
    args = parser.parse_args()

    print(
        f"预算数据导入基准（{args.rows:,} 条支付凭证，PostgreSQL；{args.sqlite_rows:,} 条，SQLite）"
    )
    big = generate(args.rows, Path(args.data) / f"renda-budget-bench-{args.rows}")
    payments = big / "payments.csv"
    with open(payments, "rb") as handle:
        rows = sum(1 for _ in handle) - 1
    size_mb = payments.stat().st_size / 1024 / 1024
    print(f"文件：{payments}（{rows:,} 行，{size_mb:.0f} MB）")

    ensure_database()
    pg_env = {**os.environ, "DATABASE_URL": PG_URL}
    prepare(pg_env, truncate=True)
    load_reference(pg_env, big)
    copy_seconds = bare_copy(payments)
    result = child(pg_env, "payments", payments)
    if result["status"] != "committed":
        raise SystemExit(f"import failed: {result['status']} {result['errors']}")
    ratio = result["seconds"] / copy_seconds
    print(
        f"PostgreSQL 裸 COPY（无索引表）：{copy_seconds:6.2f} s  {rows / copy_seconds:12,.0f} 行/秒"
    )
    print(
        f"PostgreSQL 项目导入（首次）：    {result['seconds']:6.2f} s  {rows / result['seconds']:12,.0f} 行/秒"
        f"  比值 {ratio:.2f}×（目标 ≤ 2×）  峰值内存 {result['peak_mb']:.0f} MB（目标 < 300 MB）"
    )
    print("  主要步骤：" + "；".join(f"{name} {seconds}s" for seconds, name in result["steps"][:6]))
    # The same rows again, from a file that differs by one byte: every row compared, none written.
    again = big / "payments-again.csv"
    with open(payments, "rb") as source, open(again, "wb") as target:
        shutil.copyfileobj(source, target, 1 << 20)
        target.write(b"\r\n")
    second = child(pg_env, "payments", again)
    print(
        f"PostgreSQL 重复导入（全部未变）：{second['seconds']:6.2f} s  {rows / second['seconds']:12,.0f} 行/秒"
        f"  新增 {second['summary'].get('inserted')} 修改 {second['summary'].get('updated')}"
        f" 未变 {second['summary'].get('unchanged')}"
    )
    again.unlink()

    small = generate(args.sqlite_rows, Path(args.data) / f"renda-budget-bench-{args.sqlite_rows}")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
        prepare(sqlite_env, truncate=False)
        load_reference(sqlite_env, small)
        lite = child(sqlite_env, "payments", small / "payments.csv")
        lite_rows = lite["summary"]["rows"]
        print(
            f"SQLite 项目导入：               {lite['seconds']:6.2f} s  {lite_rows / lite['seconds']:12,.0f} 行/秒"
            f"  峰值内存 {lite['peak_mb']:.0f} MB"
        )
    ok = ratio <= 2 and result["peak_mb"] < 300
    print("结论：" + ("达到目标" if ok else "未全部达到目标（见上面的比值与内存）"))


if __name__ == "__main__":
    main()
