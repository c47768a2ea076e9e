"""Province figures (issue 18, item 6): are the budget tables fit for 10^8 payments over ten
years, and should budget_payment be partitioned by year?

Builds, in a database of its own ($BENCH_PROVINCE_URL, default
postgres://postgres@127.0.0.1:5432/renda_province_bench, migrated with the project's
migrations), a province of 115 treasuries × 300 units × 10 years (2016–2025) and --rows
payments (default 10^7) spread evenly over the years, dates in order within each year (as the
daily pushes bring them). One county (431381) keeps the size of a real county at every scale,
10^5 payments a year, so that the per-treasury figures are measured at the size they have in
a province of 10^8; the other 114 treasuries share the rest. The rows are generated in
PostgreSQL (INSERT … SELECT generate_series: no CSV to write; the load is the first bulk load,
so the secondary indexes are built after it, docs/budget-data.md / NOTES).

Two copies of the same rows: `budget_payment` as the migrations make it (one table), and
`budget_payment_part`, declaratively partitioned BY RANGE (year), one partition per year, with
the same indexes (its primary key (id, year): a partition key must be in every unique index).
On both, with EXPLAIN (ANALYZE, BUFFERS), median of 3 runs, the statements the code runs —
their SQL taken from the selectors and services themselves (Django's queryset SQL, the table
name swapped for the partitioned copy):

  page   支付凭证列表 first page of a year; its COUNT+SUM header; a unit's payments page and its
         count; a unit's monthly totals (unit_detail)
  rules  a county-year's rule scan (RuleContext.payments GROUP BY unit), the summary rebuild's
         GROUP BY for a county-year, the incremental run over one daily batch
  year   the province's monthly totals of a year (a year-wide scan)
  write  one day's push into the largest year (10^4 rows, indexes maintained), rolled back;
         retiring the oldest year (DELETE vs DROP of its partition), rolled back

and prints the time of each on both, the partitions the plan touched, table and index sizes,
and the extrapolation to 10^8 rows (the method is printed with the figures and written in
docs/deploy.md "省级规模").

    .venv/bin/python bench/bench_province.py [--rows 10000000] [--reload] [--drop]

The data stay for later runs (unless --drop); --reload rebuilds them. Figures only, never
asserted. Needs ~8 GB of disk at 10^7 rows.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get(
    "BENCH_PROVINCE_URL", "postgres://postgres@127.0.0.1:5432/renda_province_bench"
)
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renda.settings")

YEARS = list(range(2016, 2026))
LAST = YEARS[-1]
REGIONS = 115  # 1 province, 14 prefectures, 100 counties: an order of magnitude for Hunan
UNITS = 300  # per treasury and year
COUNTY = "431381"
COUNTY_PER_YEAR = 100_000
TARGET = 100_000_000
PART = "budget_payment_part"
FUNC_CODES = [
    "2010101", "2010301", "2050203", "2050202", "2080501", "2100201", "2120101", "2130101",
    "2010601", "2040101", "2060101", "2070101", "2110101", "2140101", "2200101", "2240101",
    "2080201", "2100301", "2120201", "2130201",
]  # fmt: skip
COLUMNS = (
    "year, voucher_no, pay_date, bgt_id, func_code, gov_eco_code, dep_eco_code, fund_type,"
    " pay_type, settle_mode, payee_name, payee_account, payee_type, amount, purpose, thr_exp,"
    " kind, original_voucher, is_void, batch_id, indicator_id, region_id, unit_id"
)
# Unit ids: 1 + (region index × 10 + year index) × UNITS + u; region index 0 is the county.
# Batch ids: one per treasury and day, (year index × 366 + day) × REGIONS + region index + 1.
# Rows come day by day and, within a day, treasury by treasury: each treasury's daily push is
# one batch of consecutive rows, as the imports write them.
GENERATE = """
INSERT INTO {table} ({columns})
SELECT {year}, '{prefix}' || {year} || lpad(g::text, 10, '0'), make_date({year}, 1, 1) + d,
       '', (ARRAY[{funcs}])[1 + (g * 7) % 20], '502' || (g % 9 + 1), '302' || (g % 9 + 1),
       (1 + (g % 10 = 0)::int)::text, '国库集中支付', '转账',
       '收款单位' || ((g * 7919) % 50000), '4305017036360' || lpad((g % 100000)::text, 7, '0'),
       CASE WHEN g % 7 = 0 THEN 'individual' ELSE 'unit' END,
       round((1 + (g * 104729) % 5000000) / 100.0, 2), '办公用品采购及日常运转经费支出',
       CASE WHEN g % 50 = 0 THEN 'reception' ELSE '' END, 'payment', '', g % 500 = 0,
       ({yi} * 366 + d) * {regions} + r + 1, NULL, r + 1,
       1 + (r * 10 + {yi}) * {units} + (g * 7919 / 7) % {units}
FROM (
    SELECT d, r, d::bigint * {per_day} + CASE WHEN r = 0 THEN 0 ELSE {county} + (r - 1) * {other} END + k AS g
    FROM generate_series({first}, {last}) AS d, generate_series(0, {regions} - 1) AS r,
         LATERAL generate_series(1, CASE WHEN r = 0 THEN {county} ELSE {other} END) AS k
    ORDER BY d, r, k
) AS s
"""
LAYOUT = "bench_province layout 2: daily batches per treasury"


def generate_sql(
    table: str, year: int, *, rows_per_year: int, first: int = 0, last: int = -1, prefix: str = "ZF"
) -> str:
    """Rows of `year` (days first..last) for a province of `rows_per_year` payments a year,
    the county keeping COUNTY_PER_YEAR of them."""
    days = 366 if year % 4 == 0 else 365
    county = COUNTY_PER_YEAR // days
    other = max(1, (rows_per_year // days - county) // (REGIONS - 1))
    return GENERATE.format(
        table=table,
        columns=COLUMNS,
        year=year,
        yi=year - YEARS[0],
        prefix=prefix,
        funcs=", ".join(f"'{c}'" for c in FUNC_CODES),
        regions=REGIONS,
        units=UNITS,
        county=county,
        other=other,
        per_day=county + other * (REGIONS - 1),
        first=first,
        last=days - 1 if last < 0 else last,
    )


INDEXES = [
    "CREATE INDEX {p}_unit_date ON {t} (unit_id, pay_date)",
    "CREATE INDEX {p}_indicator ON {t} (indicator_id)",
    "CREATE INDEX {p}_batch ON {t} (batch_id)",
    "CREATE INDEX {p}_year_listed ON {t} (year, pay_date DESC, id DESC) WHERE NOT is_void",
    "CREATE INDEX {p}_date_brin ON {t} USING brin (pay_date)",
    "ALTER TABLE {t} ADD CONSTRAINT {p}_unique_voucher UNIQUE (region_id, year, voucher_no)",
]


def say(text: str) -> None:
    print(text, flush=True)


def connect() -> Any:
    import psycopg

    return psycopg.connect(URL.replace("postgres://", "postgresql://"), autocommit=True)


def ensure_database(reload: bool) -> None:
    import psycopg

    name = URL.rsplit("/", 1)[1]
    admin = URL.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reload:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    migrated = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "python"),
            "manage.py",
            "migrate",
            "--noinput",
            "--skip-checks",
            "-v0",
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": URL},
        capture_output=True,
        text=True,
    )
    if migrated.returncode:
        raise SystemExit(migrated.stdout + migrated.stderr)


def timed(conn: Any, sql: str, params: Any = None) -> float:
    started = time.perf_counter()
    conn.execute(sql, params)
    return time.perf_counter() - started


def load(conn: Any, rows: int) -> dict[str, float]:
    """Reference rows, then the payments year by year into budget_payment (its secondary
    indexes dropped first and rebuilt after, as for a first load), then the partitioned copy."""
    marker = conn.execute("SELECT obj_description('budget_payment'::regclass)").fetchone()[0]
    wanted = f"{LAYOUT}, {rows} rows"
    if marker == wanted and conn.execute(f"SELECT to_regclass('{PART}')").fetchone()[0]:
        say(f"  data in place ({wanted}; --reload rebuilds them)")
        return {}
    took: dict[str, float] = {}
    conn.execute(f"DROP TABLE IF EXISTS {PART}")
    # The bench's own database: nothing else lives in the tables that refer to these.
    conn.execute("TRUNCATE budget_payment, budget_budgetunit, budget_financeregion CASCADE")
    conn.execute(
        "INSERT INTO budget_financeregion (id, created_at, updated_at, code, name)"
        " SELECT r + 1, now(), now(),"
        f" CASE WHEN r = 0 THEN '{COUNTY}' ELSE (430000 + r * 10)::text END,"
        " CASE WHEN r = 0 THEN '冷水江市' ELSE '区划' || r END"
        f" FROM generate_series(0, {REGIONS - 1}) AS r"
    )
    conn.execute(
        "INSERT INTO budget_budgetunit (id, created_at, updated_at, year, code, name,"
        " department_code, region_id)"
        f" SELECT 1 + (r * 10 + yi) * {UNITS} + u, now(), now(), 2016 + yi,"
        " (100001 + u)::text, '预算单位' || r || '-' || u, '', r + 1"
        f" FROM generate_series(0, {REGIONS - 1}) r, generate_series(0, 9) yi,"
        f" generate_series(0, {UNITS - 1}) u"
    )
    for name in ("unit_date", "indicator", "batch", "year_listed", "date_brin"):
        conn.execute(f"DROP INDEX IF EXISTS budget_pay_{name}")
    conn.execute("ALTER TABLE budget_payment DROP CONSTRAINT IF EXISTS payment_unique_voucher")
    per_year = rows // len(YEARS)
    started = time.perf_counter()
    for year in YEARS:
        conn.execute(generate_sql("budget_payment", year, rows_per_year=per_year))
        say(f"  {year} loaded ({time.perf_counter() - started:.0f} s so far)")
    took["insert (no secondary index)"] = time.perf_counter() - started
    started = time.perf_counter()
    for statement in INDEXES:
        conn.execute(
            statement.format(p="budget_pay", t="budget_payment").replace(
                "budget_pay_unique_voucher", "payment_unique_voucher"
            )
        )
    took["indexes of budget_payment"] = time.perf_counter() - started
    say(f"  budget_payment indexed in {took['indexes of budget_payment']:.0f} s")

    started = time.perf_counter()
    conn.execute(
        f"CREATE TABLE {PART} (LIKE budget_payment INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        " PARTITION BY RANGE (year)"
    )
    for year in YEARS:
        conn.execute(
            f"CREATE TABLE {PART}_{year} PARTITION OF {PART} FOR VALUES FROM ({year}) TO ({year + 1})"
        )
    conn.execute(f"INSERT INTO {PART} SELECT * FROM budget_payment ORDER BY year, id")
    # LIKE copies no identity: a sequence of its own, past the copied ids, for new rows.
    conn.execute(f"CREATE SEQUENCE {PART}_id_seq OWNED BY {PART}.id")
    conn.execute(f"SELECT setval('{PART}_id_seq', (SELECT max(id) FROM budget_payment))")
    conn.execute(f"ALTER TABLE {PART} ALTER COLUMN id SET DEFAULT nextval('{PART}_id_seq')")
    took["copy into the partitions"] = time.perf_counter() - started
    started = time.perf_counter()
    conn.execute(f"ALTER TABLE {PART} ADD PRIMARY KEY (id, year)")
    for statement in INDEXES:
        conn.execute(statement.format(p="part", t=PART))
    took["indexes of the partitions"] = time.perf_counter() - started
    conn.execute("VACUUM ANALYZE budget_payment")
    conn.execute(f"VACUUM ANALYZE {PART}")
    conn.execute(f"COMMENT ON TABLE budget_payment IS '{wanted}'")
    conn.execute("ANALYZE budget_budgetunit")
    for name, seconds in took.items():
        say(f"  {name}: {seconds:.0f} s")
    return took


# -- the statements -----------------------------------------------------------------------------
def statements(county_unit: int, batch: int) -> list[tuple[str, str, str]]:
    """(kind, label, sql): the code's own querysets, run once through Django on budget_payment
    (which also warms the cache) and their SQL captured as sent."""
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count, Sum
    from django.db.models.functions import ExtractMonth
    from django.test.utils import CaptureQueriesContext

    from renda.budget.models import BudgetUnit, Payment
    from renda.budget.selectors.data import count_and_total, payments, unit_monthly
    from renda.budget.services import summaries

    def captured(run: Callable[[], object]) -> str:
        with CaptureQueriesContext(connection) as queries:
            run()
        return str(queries.captured_queries[-1]["sql"])

    county = Payment.objects.filter(
        region_id=1, year=LAST, is_void=False, pay_date__lte=f"{LAST}-12-31"
    )
    year_list = payments({"year": LAST})
    unit_list = payments({"unit_id": county_unit, "year": LAST, "include_void": True})
    unit = BudgetUnit.objects.get(pk=county_unit)
    return [
        ("page", "支付凭证列表 第1页（全省一年）", captured(lambda: list(year_list[:50]))),
        ("year", "支付凭证列表 合计行（全省一年）", captured(lambda: count_and_total(year_list))),
        ("page", "单位支付明细 第1页", captured(lambda: list(unit_list[:50]))),
        ("page", "单位支付明细 条数（分页）", captured(lambda: unit_list.count())),
        ("page", "单位月度支出（unit_monthly）", captured(lambda: unit_monthly(unit))),
        (
            "rules",
            "规则扫描（一县一年，按单位）",
            captured(lambda: list(county.values("unit_id").annotate(s=Sum("amount")).order_by())),
        ),
        (
            "rules",
            "汇总重建（一县一年，按月分组）",
            captured(
                lambda: list(
                    summaries._payment_groups(Payment.objects.filter(region_id=1, year=LAST))
                )
            ),
        ),
        (
            "rules",
            "增量规则（一天一个批次）",
            captured(
                lambda: list(
                    Payment.objects.filter(batch_id=batch)
                    .values("unit_id")
                    .annotate(s=Sum("amount"), n=Count("id"))
                    .order_by()
                )
            ),
        ),
        (
            "year",
            "全省月度合计（一年）",
            captured(
                lambda: list(
                    Payment.objects.filter(year=LAST, is_void=False)
                    .annotate(month=ExtractMonth("pay_date"))
                    .values("month")
                    .annotate(s=Sum("amount"))
                    .order_by("month")
                )
            ),
        ),
    ]


def explain(conn: Any, query: str, table: str, analytic: bool, runs: int = 3) -> tuple[float, str]:
    """Median execution time of `query` on `table` and the plan's first scan node. The rules
    and summaries run with their session settings (summaries.ANALYTIC_SETTINGS: no JIT, 256 MB
    work_mem); pages with the server's defaults."""
    from renda.budget.services.summaries import ANALYTIC_SETTINGS

    if table != "budget_payment":
        query = query.replace('"budget_payment"', f'"{table}"')
    times, touched = [], ""
    for _ in range(runs):
        with conn.transaction():
            if analytic:
                for name, value in ANALYTIC_SETTINGS.items():
                    conn.execute("SELECT set_config(%s, %s, true)", [name, value])
            plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + query).fetchall()
        text = "\n".join(row[0] for row in plan)
        times.append(float(re.search(r"Execution Time: ([\d.]+) ms", text).group(1)) / 1000)  # type: ignore[union-attr]
        parts = sorted(set(re.findall(rf"{PART}_(\d{{4}})", text)))
        node = re.search(
            r"->\s+(?:Parallel )?(Index Only Scan|Index Scan|Bitmap Heap Scan|Seq Scan)", text
        )
        touched = (node.group(1) if node else text.split("\n")[0].split("(")[0].strip()) + (
            f", partitions {','.join(parts)}" if parts else ""
        )
    return statistics.median(times), touched


def write_figures(conn: Any) -> list[tuple[str, float, float]]:
    """A day's push of 10^4 rows into the last year, and retiring the oldest year: each in a
    transaction rolled back."""
    out = []
    # The province's push of the year's last day at 10^8 (10^7 a year): ~27,000 rows.
    day = generate_sql(
        "{table}", LAST, rows_per_year=TARGET // len(YEARS), first=364, last=364, prefix="ZX"
    )
    seconds = {}
    for table in ("budget_payment", PART):
        with conn.transaction():
            started = time.perf_counter()
            conn.execute(day.format(table=table))
            seconds[table] = time.perf_counter() - started
            raise_rollback()
    out.append(("一日推送写入（10^8 时的一天）", seconds["budget_payment"], seconds[PART]))
    for table in ("budget_payment", PART):
        with conn.transaction():
            started = time.perf_counter()
            if table == PART:
                conn.execute(f"DROP TABLE {PART}_{YEARS[0]}")
            else:
                conn.execute(f"DELETE FROM budget_payment WHERE year = {YEARS[0]}")
            seconds[table] = time.perf_counter() - started
            raise_rollback()
    out.append(
        (
            f"退出最早一年（{YEARS[0]}：DELETE 对 DROP 分区）",
            seconds["budget_payment"],
            seconds[PART],
        )
    )
    return out


def raise_rollback() -> None:
    """Leave the enclosing conn.transaction() block, rolling it back."""
    import psycopg

    raise psycopg.Rollback()


def sizes(conn: Any) -> tuple[int, int, int, int]:
    one = conn.execute(
        "SELECT pg_table_size('budget_payment'), pg_indexes_size('budget_payment')"
    ).fetchone()
    part = conn.execute(
        "SELECT sum(pg_table_size(c.oid)), sum(pg_indexes_size(c.oid)) FROM pg_inherits i"
        f" JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '{PART}'::regclass"
    ).fetchone()
    return int(one[0]), int(one[1]), int(part[0]), int(part[1])


SCALING = {
    "page": (
        "×1",
        "index-bound: a page of 50 rows or one unit's rows; B-tree depth grows by at most one level",
    ),
    "rules": ("×1", "one treasury-year: a county has ~10^5 payments a year at any province size"),
    "year": ("×N", "year-wide: rows per year × (10^8 / rows); time linear in rows scanned"),
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args(argv)
    load_avg = os.getloadavg()
    say(
        f"bench_province: {args.rows:,} payments over {len(YEARS)} years, {REGIONS} treasuries "
        f"× {UNITS} units; load average {load_avg[0]:.2f} on {os.cpu_count()} cores"
    )
    ensure_database(args.reload)
    with connect() as conn:
        load(conn, args.rows)
        unit = conn.execute(
            "SELECT unit_id FROM budget_payment WHERE region_id = 1 AND year = %s"
            " GROUP BY unit_id ORDER BY count(*) DESC LIMIT 1",
            [LAST],
        ).fetchone()[0]
        batch = conn.execute(
            "SELECT batch_id FROM budget_payment WHERE region_id = 1 AND year = %s"
            " ORDER BY id DESC LIMIT 1",
            [LAST],
        ).fetchone()[0]
        counts = conn.execute(
            "SELECT count(*) FILTER (WHERE region_id = 1 AND year = %s),"
            " count(*) FILTER (WHERE year = %s), count(*) FILTER (WHERE unit_id = %s),"
            " count(*) FILTER (WHERE batch_id = %s) FROM budget_payment",
            [LAST, LAST, unit, batch],
        ).fetchone()
        say(
            f"  sizes: county-year {counts[0]:,}, province-year {counts[1]:,}, "
            f"unit {counts[2]:,}, daily batch {counts[3]:,} rows"
        )
        t1, i1, t2, i2 = sizes(conn)
        gb = 1024**3
        total = conn.execute("SELECT count(*) FROM budget_payment").fetchone()[0]
        factor = TARGET / total
        say(
            f"  budget_payment: table {t1 / gb:.2f} GB, indexes {i1 / gb:.2f} GB; "
            f"partitioned: table {t2 / gb:.2f} GB, indexes {i2 / gb:.2f} GB; "
            f"at 10^8 ×{factor:.0f}: ≈ {(t1 + i1) * factor / gb:.0f} GB"
        )
        say(
            f"\n  {'statement':<30} {'one table':>10} {'by year':>10}  {'10^8 one':>9} "
            f"{'10^8 year':>9}  plan (one table | by year)"
        )
        for kind, label, query in statements(unit, batch):
            one, plan1 = explain(conn, query, "budget_payment", kind == "rules")
            part, plan2 = explain(conn, query, PART, kind == "rules")
            grow = factor if kind == "year" else 1.0
            say(
                f"  {label:<30} {one * 1000:>8.1f}ms {part * 1000:>8.1f}ms  "
                f"{one * grow * 1000:>7.0f}ms {part * grow * 1000:>7.0f}ms  {plan1} | {plan2}"
            )
        for label, one, part in write_figures(conn):
            say(f"  {label:<30} {one * 1000:>8.0f}ms {part * 1000:>8.0f}ms")
        say("\n  extrapolation to 10^8 (×10 rows, same ten years):")
        for kind, (scale, why) in SCALING.items():
            say(f"    {kind:<6} {scale:>4}: {why}")
    if args.drop:
        import psycopg

        name = URL.rsplit("/", 1)[1]
        admin = URL.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    say(f"  load average at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
