# ruff: noqa: S608
# The SQL here is assembled from the kind declarations (kinds.py); every value that comes
# from a file passes through quote() or int() before it reaches a statement.
"""The whole import run: read, stage, check, merge (`run`, in named steps)."""

from __future__ import annotations

import contextlib
import json
from typing import IO, Any

from django.db import connection, transaction

from renda.budget.ingest import kinds as k
from renda.budget.ingest.checking import (
    TYPED,
    Compiled,
    check_duplicates,
    check_formats,
    check_references,
)
from renda.budget.ingest.dialects import Dialect, dialect
from renda.budget.ingest.merging import after_merge, merge
from renda.budget.ingest.reading import Table
from renda.budget.ingest.staging import load_staging
from renda.budget.ingest.values import MAX_ERRORS, STAGING, Outcome
from renda.core.models import ImportBatch

# --- the whole run -------------------------------------------------------------------


def run(
    spec: k.KindSpec,
    table: Table,
    batch: ImportBatch,
    *,
    expected_year: int | None = None,
    on_progress: Any = None,
    before_merge: Any = None,
) -> Outcome:
    """Load, check and (when everything passed) merge one table into its kind."""
    d = dialect()
    outcome = Outcome(ignored_columns=list(table.match.ignored))
    if table.problems:  # header problems: nothing can be read
        outcome.errors = table.problems
        outcome.error_count = len(table.problems)
        return outcome
    if d.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET work_mem = '256MB'")
    try:
        # Inside an outer transaction (tests, a caller's atomic block) a failed COPY must not
        # poison it; outside one, the load runs in autocommit so progress stays visible.
        with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
            outcome.rows_total = load_staging(table, d, progress=on_progress)
        comp = Compiled.build(spec, d, table.keys)
        if table.problems:
            outcome.errors = table.problems[:MAX_ERRORS]
            outcome.error_count = len(table.problems)
            outcome.rejected = len({p.row for p in table.problems if p.row})
            return outcome
        if on_progress:
            on_progress(outcome.rows_total, phase="checking", step="formats")
        outcome.rows_total = comp.materialize(expected_year=expected_year)
        passed = _passes_checks(comp, d, outcome, expected_year, on_progress)
        outcome.understood = comp.understood
        if not passed:
            return outcome
        if on_progress:
            on_progress(outcome.rows_total, phase="merging")
        if _merge_checked(spec, comp, batch, outcome, before_merge):
            _analyse_after_writes(spec, d, outcome)
        return outcome
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
            cursor.execute(f"DROP TABLE IF EXISTS {TYPED}")
            if d.vendor == "postgresql":
                cursor.execute("RESET work_mem")


def _passes_checks(
    comp: Compiled, d: Dialect, outcome: Outcome, expected_year: int | None, on_progress: Any
) -> bool:
    """Formats, references and duplicates; the problems found land on `outcome`."""
    problems, bad_format = check_formats(comp, expected_year=expected_year)
    if on_progress:
        on_progress(outcome.rows_total, phase="checking", step="references")
    ref_problems, _ref_rows = check_references(comp)
    problems += ref_problems
    if d.vendor != "postgresql" or problems:
        if on_progress:
            on_progress(outcome.rows_total, phase="checking", step="duplicates")
        dup_problems, _dup_rows = check_duplicates(comp)
        problems += dup_problems
    if not problems:
        return True
    problems.sort(key=lambda p: p.row or 0)
    outcome.errors = problems[:MAX_ERRORS]
    outcome.error_count = len(problems)
    outcome.rejected = max(bad_format, len({p.row for p in problems}))
    return False


def _merge_checked(
    spec: k.KindSpec, comp: Compiled, batch: ImportBatch, outcome: Outcome, before_merge: Any
) -> bool:
    """Merge a checked table in one transaction; a duplicate key that the checks did not see
    (PostgreSQL leaves duplicates to the unique index) becomes the file's errors (False)."""
    try:
        with transaction.atomic():
            inserted, updated = merge(comp, batch, total=outcome.rows_total)
            after_merge(spec, batch, comp, inserted=inserted, updated=updated)
            if before_merge:
                before_merge(inserted, updated, comp.understood)
    except Exception as exc:
        if not _is_duplicate_key_error(exc):
            raise
        dup_problems, _ = check_duplicates(comp)
        if not dup_problems:
            raise  # another unique constraint: not this file's fault
        outcome.errors = dup_problems
        outcome.error_count = len(dup_problems)
        outcome.rejected = len({p.row for p in dup_problems})
        return False
    outcome.inserted, outcome.updated = inserted, updated
    outcome.unchanged = outcome.rows_total - inserted - updated
    return True


# Mirrors autovacuum's own analyse threshold (autovacuum_analyze_scale_factor, 10 %).
ANALYSE_SHARE = 0.1


def _analyse_after_writes(spec: k.KindSpec, d: Dialect, outcome: Outcome) -> None:
    """Fresh statistics keep the next import's join plans right: a table the planner
    believes empty gets nested loops that cost minutes. So a load that changes a tenth of the
    table or more (a first load, a year's file) is analysed at once. A smaller batch (a day's
    push of 100 payments) is left to autovacuum, whose threshold is the same tenth: the
    statistics change little, and ANALYZE samples a fixed number of rows, so it cost a push
    of 100 payments into 10^5 about 240 ms of its 350 (bench_mixed), whatever the batch."""
    changed = outcome.inserted + outcome.updated
    if d.vendor != "postgresql" or not changed:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [spec.table])
        row = cursor.fetchone()
        if needs_analyse(changed=changed, known=float(row[0]) if row else -1.0):
            cursor.execute(f"ANALYZE {spec.table}")


def needs_analyse(*, changed: int, known: float) -> bool:
    """`known`: the planner's row count (pg_class.reltuples; -1 never analysed, 0 empty)."""
    return known <= 0 or changed >= ANALYSE_SHARE * known


def _is_duplicate_key_error(exc: Exception) -> bool:
    # PostgreSQL refuses an upsert that meets the same key twice in one statement; a plain
    # INSERT of a first load meets the unique index instead.
    text = str(exc)
    return (
        "cannot affect row a second time" in text
        or "duplicate key value violates unique constraint" in text
    )


def sha256_of_file(handle: IO[bytes]) -> str:
    import hashlib

    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def sha256_of_records(records: Any) -> str:
    import hashlib

    return hashlib.sha256(
        json.dumps(records, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
