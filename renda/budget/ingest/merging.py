# ruff: noqa: S608
# The SQL here is assembled from the kind declarations (kinds.py); every value that comes
# from a file passes through quote() or int() before it reaches a statement.
"""Merging checked rows into the budget tables, the change log and the follow-ups that keep references and summaries in step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper

from renda.budget.ingest import kinds as k
from renda.budget.ingest.checking import TYPED, Compiled
from renda.budget.ingest.dialects import quote
from renda.budget.ingest.kinds import KINDS
from renda.budget.ingest.values import REBUILD_INDEXES_FROM
from renda.budget.models import FinanceRegion
from renda.budget.services.summaries import (
    refresh_for_batch,
    refresh_overview,
    refresh_payment_summary,
)
from renda.core.models import ImportBatch

# --- merging ---------------------------------------------------------------------------


def merge(comp: Compiled, batch: ImportBatch, *, total: int) -> tuple[int, int]:
    """Write new and changed rows; keep changed rows' old values. Returns (inserted, updated)."""
    spec, d = comp.spec, comp.d
    values = comp.values()
    targets = list(values)
    compare = [c for c in targets if c not in spec.target_key]
    select = ", ".join(f"{expr} AS {name}" for name, expr in values.items())
    extra_cols, extra_vals = ["batch_id"], [str(batch.pk)]
    if spec.timestamps:
        extra_cols += ["created_at", "updated_at"]
        extra_vals += [d.now(), d.now()]
    source = f"SELECT {select} FROM {TYPED} s {comp.joins()}"
    updated = _record_changes(comp, batch, source, compare)
    insert_cols = ", ".join([*targets, *extra_cols])
    sets = [f"{c} = EXCLUDED.{c}" for c in compare] + ["batch_id = EXCLUDED.batch_id"]
    if spec.timestamps:
        sets.append("updated_at = EXCLUDED.updated_at")
    differs = (
        d.distinct([f"t.{c}" for c in compare], [f"EXCLUDED.{c}" for c in compare])
        if compare
        else "FALSE"
    )
    upsert = (
        f"INSERT INTO {spec.table} AS t ({insert_cols}) "
        f"SELECT src.*, {', '.join(extra_vals)} FROM ({source}) src WHERE {d.true} = {d.true} "
        f"ON CONFLICT ({', '.join(spec.target_key)}) DO "
        + (f"UPDATE SET {', '.join(sets)} WHERE {differs}" if compare else "NOTHING")
    )
    with connection.cursor() as cursor:
        if d.vendor == "postgresql":
            rebuild = _drop_secondary_indexes(cursor, spec.table, total)
            # The source joins the file with small reference tables: hash joins are right
            # whatever the statistics say (a nested loop over a misestimate costs minutes).
            # The conflict check uses the unique index either way.
            cursor.execute("SET LOCAL enable_nestloop = off")
            if comp.fresh:
                # Nothing stored yet for these treasuries and years: a plain INSERT (a
                # duplicate key in the file still fails on the unique index).
                cursor.execute(
                    f"INSERT INTO {spec.table} ({insert_cols}) SELECT src.*, {', '.join(extra_vals)} FROM ({source}) src"
                )
                inserted, changed = cursor.rowcount, 0
            else:
                cursor.execute(
                    f"WITH ins AS ({upsert} RETURNING (xmax = 0) AS fresh) "
                    "SELECT count(*) FILTER (WHERE fresh), count(*) FILTER (WHERE NOT fresh) FROM ins"
                )
                inserted, changed = (int(x) for x in cursor.fetchone())
            cursor.execute("SET LOCAL enable_nestloop = on")
            for statement in rebuild:
                cursor.execute(statement)
            return inserted, changed
        cursor.execute(f"SELECT count(*) FROM {spec.table}")
        before = int(cursor.fetchone()[0])
        cursor.execute(upsert)
        cursor.execute(f"SELECT count(*) FROM {spec.table}")
        return int(cursor.fetchone()[0]) - before, updated


def _record_changes(comp: Compiled, batch: ImportBatch, source: str, compare: list[str]) -> int:
    spec, d = comp.spec, comp.d
    if not compare:
        return 0
    with connection.cursor() as cursor:
        if d.vendor == "postgresql":
            # A first load of a year meets no stored rows: skip the join altogether.
            if comp.region_years is not None:
                pairs = [
                    (code, year)
                    for code, year in comp.region_years
                    if code is not None and year is not None
                ]
                if not pairs:
                    return 0
                cursor.execute(
                    f"SELECT EXISTS (SELECT 1 FROM {spec.table} t JOIN budget_financeregion r ON r.id = t.region_id "
                    "WHERE "
                    + " OR ".join(
                        f"(r.code = {quote(str(c))} AND t.year = {int(y)})" for c, y in pairs
                    )
                    + ")"
                )
            else:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {spec.table})")
            if not cursor.fetchone()[0]:
                comp.fresh = comp.region_years is not None
                return 0
        key_join = " AND ".join(f"t.{c} = src.{c}" for c in spec.target_key)
        record_key = d.concat([f"src.{c}" for c in (spec.record_key or spec.target_key)])
        cursor.execute(
            "INSERT INTO budget_recordchange (batch_id, kind, record_key, before, after) "
            f"SELECT {batch.pk}, {quote(spec.slug)}, {record_key}, "
            f"{d.json_object([(c, f't.{c}') for c in compare])}, {d.json_object([(c, f'src.{c}') for c in compare])} "
            f"FROM ({source}) src JOIN {spec.table} t ON {key_join} "
            f"WHERE {d.distinct([f't.{c}' for c in compare], [f'src.{c}' for c in compare])}"
        )
        return max(cursor.rowcount, 0)


def _drop_secondary_indexes(cursor: Any, table: str, incoming: int) -> list[str]:
    """For a large load into a table that holds fewer rows than arrive, drop the indexes that
    ON CONFLICT does not need and return the statements that rebuild them."""
    if incoming < REBUILD_INDEXES_FROM:
        return []
    cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT {int(incoming)}) x")
    if int(cursor.fetchone()[0]) >= incoming:
        return []
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
        "WHERE t.relname = %s AND NOT x.indisunique AND NOT x.indisprimary",
        [table],
    )
    definitions = cursor.fetchall()
    for name, _ in definitions:
        cursor.execute(f'DROP INDEX "{name}"')
    if definitions:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    return [definition for _, definition in definitions]


def after_merge(
    spec: k.KindSpec, batch: ImportBatch, comp: Compiled, *, inserted: int, updated: int
) -> None:
    """Set-based follow-ups that keep references and summaries in step (same transaction)."""
    if spec.slug == "payments" and (inserted or updated):
        refresh_for_batch(batch.pk, only_added=not updated)
    elif spec.slug in _FOLLOW_UPS:
        with connection.cursor() as cursor:
            _FOLLOW_UPS[spec.slug](cursor, batch, comp)
    if spec.slug in ("indicators", "adjustments") and (inserted or updated):
        # After the payments are linked above: the dashboard's per-unit roll-up holds the
        # units' available amounts.
        for region_id, year in touched_years(batch.pk, spec.slug):
            refresh_overview(region_id, year)


def _codes_merged(cursor: CursorWrapper, batch: ImportBatch, comp: Compiled) -> None:
    cursor.execute(
        "UPDATE budget_classificationcode SET "
        "parent_code = CASE WHEN parent_code = '' AND length(code) > 3 THEN substr(code, 1, length(code) - 2) ELSE parent_code END, "
        "level = CASE WHEN length(code) <= 3 THEN 1 ELSE (length(code) - 1) / 2 END "
        f"WHERE batch_id = {batch.pk}"
    )
    cursor.execute(
        "UPDATE budget_classificationcode SET is_leaf = NOT EXISTS (SELECT 1 FROM budget_classificationcode ch "
        "WHERE ch.scheme = budget_classificationcode.scheme AND ch.year = budget_classificationcode.year "
        "AND ch.parent_code = budget_classificationcode.code) "
        f"WHERE year IN (SELECT DISTINCT year FROM budget_classificationcode WHERE batch_id = {batch.pk})"
    )


def _regions_merged(cursor: CursorWrapper, batch: ImportBatch, comp: Compiled) -> None:
    parent = comp.typed["parent_code"]
    cursor.execute(f"SELECT {comp.typed['code']}, {parent} FROM {TYPED} s")
    pairs = cursor.fetchall()
    ids = dict(FinanceRegion.objects.values_list("code", "id"))
    for code, parent_code in pairs:
        if parent_code and parent_code in ids and parent_code != code:
            FinanceRegion.objects.filter(code=code).update(parent_id=ids[parent_code])
    cursor.execute(
        "UPDATE budget_financeregion SET region_id = (SELECT c.id FROM core_region c WHERE c.code = budget_financeregion.code) "
        "WHERE region_id IS NULL"
    )


def _units_merged(cursor: CursorWrapper, batch: ImportBatch, comp: Compiled) -> None:
    cursor.execute(
        "UPDATE budget_budgetunit AS u SET department_id = d.id FROM budget_budgetunit AS d "
        "WHERE d.region_id = u.region_id AND d.year = u.year AND d.code = u.department_code "
        f"AND u.batch_id = {batch.pk} AND (u.department_id IS NULL OR u.department_id <> d.id)"
    )
    cursor.execute(
        f"UPDATE budget_budgetunit SET department_id = NULL WHERE batch_id = {batch.pk} AND department_code = ''"
    )


def _indicators_merged(cursor: CursorWrapper, batch: ImportBatch, comp: Compiled) -> None:
    # Payments that arrived before their indicator are linked now.
    cursor.execute(
        "UPDATE budget_payment AS p SET indicator_id = i.id FROM budget_budgetindicator AS i "
        "WHERE p.indicator_id IS NULL AND p.bgt_id <> '' AND i.region_id = p.region_id "
        f"AND i.year = p.year AND i.bgt_id = p.bgt_id AND i.batch_id = {batch.pk} "
        # SQLite's RETURNING sees only the updated table, and by bare column names.
        + (
            "RETURNING p.region_id, p.year, p.pay_date"
            if comp.d.vendor == "postgresql"
            else "RETURNING region_id, year, pay_date"
        )
    )
    linked: dict[tuple[int, int], set[int]] = {}
    for region_id, year, day in cursor.fetchall():
        month = day.month if isinstance(day, dt.date) else int(str(day)[5:7])
        linked.setdefault((region_id, year), set()).add(month)
    # The summaries keep payments by indicator: those months are rebuilt.
    for (region_id, year), months in linked.items():
        refresh_payment_summary(region_id=region_id, year=year, months=months)


_FOLLOW_UPS: dict[str, Callable[[CursorWrapper, ImportBatch, Compiled], None]] = {
    "codes": _codes_merged,
    "regions": _regions_merged,
    "units": _units_merged,
    "indicators": _indicators_merged,
}


def touched_years(batch_id: int, kind: str) -> list[tuple[int, int]]:
    """(region id, year) pairs a non-payment batch wrote, read from its kind's table."""

    spec = KINDS.get(kind)
    if spec is None:
        return []
    fields = {f.name for f in spec.model._meta.fields}
    if not {"region", "year", "batch"} <= fields:
        return []  # reference tables (codes, regions) change no year's figures by themselves
    return list(
        spec.model._default_manager.filter(batch_id=batch_id)
        .values_list("region_id", "year")
        .distinct()
        .order_by()
    )
