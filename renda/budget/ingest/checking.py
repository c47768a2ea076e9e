# ruff: noqa: S608
# The SQL here is assembled from the kind declarations (kinds.py); every value that comes
# from a file passes through quote() or int() before it reaches a statement.
"""Checking staged rows: formats, references and duplicates, set-based."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from renda.budget.ingest import kinds as k
from renda.budget.ingest.dialects import Dialect, quote
from renda.budget.ingest.names import (
    ambiguous_message,
    checks_unit_names,
    nameable,
    resolve,
    unit_name_problems,
)
from renda.budget.ingest.names import literal as _literal
from renda.budget.ingest.names import plain as _plain
from renda.budget.ingest.staging import staging_column
from renda.budget.ingest.values import MAX_ERRORS, STAGING, TYPED, Problem
from renda.budget.models import BudgetIndicator, BudgetUnit, ClassificationCode, FinanceRegion

# --- checking ---------------------------------------------------------------------------

FORMAT_MESSAGES = {
    "year": "「{value}」不是有效的预算年度（应为四位数字，如 2025）",
    "month": "「{value}」不是有效月份（应为 1–12）",
    "date": "「{value}」不是有效日期（应为 2025-03-31 这样的日期）",
    "money": "「{value}」不是有效金额（以元为单位，最多两位小数）",
    "decimal": "「{value}」不是有效数字（最多四位小数）",
}


@dataclass
class Compiled:
    """The SQL pieces of one kind for one staging table.

    `materialize()` turns the text staging table into a typed one in a single pass: trimmed
    text, then typed values, then every cell's error code, each level behind an optimisation
    fence (OFFSET 0) so that each expression is evaluated once per row. Everything after
    that reads plain columns of `budget_typed`, which the planner estimates well."""

    spec: k.KindSpec
    d: Dialect
    present: set[str]
    typed: dict[str, str] = field(default_factory=dict)  # key → column of the typed table (alias s)
    # (财政区划, year) pairs in the file, found by the reference check; None when not known.
    region_years: set[tuple[Any, Any]] | None = None
    fresh: bool = False  # no stored rows share the file's treasuries and years
    # Names given where a code belongs, and the codes they stand for (shown on the batch).
    understood: list[dict[str, Any]] = field(default_factory=list)
    # (column, value, year) of names that stand for more than one code.
    ambiguous: dict[tuple[str, str, Any], list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, spec: k.KindSpec, d: Dialect, present: Iterable[str]) -> Compiled:
        comp = cls(spec, d, set(present))
        comp.typed = {c.key: f"s.{c.key}" for c in spec.columns}
        return comp

    @property
    def columns(self) -> tuple[k.Column, ...]:
        """The kind's columns, and the template's example marker when the file has it."""
        marked = (k.EXAMPLE_MARK,) if k.EXAMPLE_MARK.key in self.present else ()
        return (*self.spec.columns, *marked)

    def _template_row_errors(self) -> list[str]:
        """A marked row (the template's example or hint row), and a row equal to the
        template's example in its key and amounts (a template from before the marker)."""
        errors = []
        if k.EXAMPLE_MARK.key in self.present:
            errors.append(
                f"CASE WHEN t2.{k.EXAMPLE_MARK.key} IS NOT NULL THEN 'example_mark:marked' END"
            )
        signature = self.spec.example_signature
        if signature and all(c.key in self.present for c in signature):
            same = " AND ".join(
                f"{'t2.' if c.type == 'text' else 't2.r_'}{c.key} = {quote(c.example)}"
                for c in signature
            )
            errors.append(f"CASE WHEN {same} THEN 'example:same' END")
        return errors

    def is_reference(self, key: str) -> bool:
        """Columns resolved against reference data: a malformed code fails that lookup with
        a clear message, so the per-row pattern check is left out (it costs a regex a row)."""
        return any(ref.column == key for ref in self.spec.refs)

    def _typed_expr(self, c: k.Column, t: str) -> str:
        d = self.d
        if c.type == "year":
            return d.year(t)
        if c.type == "month":
            return d.month(t)
        if c.type == "date":
            return d.date(t)
        if c.type == "money":
            return d.money(t)
        if c.type == "decimal":
            return d.decimal(t)
        if c.type == "choice":
            cases = " ".join(
                f"WHEN {quote(label)} THEN {quote(value)}" for label, value in c.choices
            )
            blank = quote(c.default) if c.default or not c.required else "NULL"
            return f"(CASE WHEN {t} IS NULL THEN {blank} ELSE CASE {t} {cases} END END)"
        return t

    def _cell_error(self, c: k.Column) -> str:
        """SQL giving 'key:code' for a bad cell, NULL for a good one (level 3 of materialize)."""
        d = self.d
        raw = f"t2.{c.key}" if c.type == "text" else f"t2.r_{c.key}"
        v = f"t2.{c.key}"
        whens = [f"WHEN {raw} IS NULL THEN {quote(c.key + ':required') if c.required else 'NULL'}"]
        if c.type == "text":
            # octet_length is read from the value's header; the character count is only
            # needed when the bytes could exceed the limit.
            whens.append(
                f"WHEN {d.octet_length(raw)} > {c.max_length} AND {d.length(raw)} > {c.max_length} "
                f"THEN {quote(c.key + ':too_long')}"
            )
            if c.pattern and not self.is_reference(c.key):
                whens.append(
                    f"WHEN NOT {d.matches(raw, c.pattern)} THEN {quote(c.key + ':pattern')}"
                )
        else:
            whens.append(f"WHEN {v} IS NULL THEN {quote(c.key + ':format')}")
        if c.type == "money":
            if not c.allow_zero:
                whens.append(f"WHEN {v} = 0 THEN {quote(c.key + ':zero')}")
            if not c.allow_negative:
                whens.append(f"WHEN {v} < 0 THEN {quote(c.key + ':negative')}")
        return "CASE " + " ".join(whens) + " END"

    def materialize(self, *, expected_year: int | None) -> int:
        d, spec = self.d, self.spec
        fence = "OFFSET 0" if d.vendor == "postgresql" else "LIMIT -1 OFFSET 0"
        columns = self.columns
        level1 = ", ".join(
            ["s.rn"]
            + [
                f"{d.trimmed(staging_column(c.key)) if c.key in self.present else d.null_text()} AS {c.key}"
                for c in columns
            ]
        )
        level2 = ["t1.rn"]
        for c in columns:
            if c.type != "text":
                level2.append(f"t1.{c.key} AS r_{c.key}")
            level2.append(f"{self._typed_expr(c, f't1.{c.key}')} AS {c.key}")
        not_blank = " OR ".join(f"t1.{key} IS NOT NULL" for key in sorted(self.present)) or d.true
        errors = self._template_row_errors()
        errors += [self._cell_error(c) for c in columns if c.key in self.present or c.required]
        level3 = {c.key: f"t2.{c.key}" for c in spec.columns}
        for n, check in enumerate(spec.checks):
            ready = " AND ".join(f"t2.{key} IS NOT NULL" for key in check.reads)
            errors.append(
                f"CASE WHEN {ready} AND {check.bad(d, level3)} THEN {quote(f'check{n}:check')} END"
            )
        if expected_year is not None and "fiscal_year" in level3:
            errors.append(
                f"CASE WHEN t2.fiscal_year <> {int(expected_year)} THEN 'fiscal_year:expected' END"
            )
        # Most rows are fine: test that first, and build the list of codes only for bad rows.
        errs = (
            (
                "CASE WHEN "
                + " AND ".join(f"({e}) IS NULL" for e in errors)
                + " THEN NULL ELSE "
                + " || ".join(f"COALESCE({e} || ',', '')" for e in errors)
                + " END"
            )
            if errors
            else "NULL"
        )
        sql = (
            f"CREATE TEMP TABLE {TYPED} AS SELECT t2.rn, "
            + ", ".join(f"t2.{c.key}" for c in columns)
            + f", {errs} AS errs FROM (SELECT {', '.join(level2)} FROM (SELECT {level1} FROM {STAGING} s {fence}) t1 "
            f"WHERE {not_blank} {fence}) t2"
        )
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TYPED}")
            cursor.execute(sql)
            if d.vendor == "postgresql":
                joined = [
                    key
                    for key in ("mof_div_code", "fiscal_year", "agency_code", "bgt_id")
                    if key in self.typed
                ]
                cursor.execute(f"ANALYZE {TYPED} ({', '.join(joined) or 'rn'})")
            cursor.execute(f"SELECT count(*) FROM {TYPED}")
            return int(cursor.fetchone()[0])

    def raw_values(self, rows: Iterable[int]) -> dict[int, dict[str, str]]:
        """The cells of some rows as the file had them (trimmed), for error messages."""
        rows = sorted(set(rows))
        if not rows:
            return {}
        keys = [c.key for c in self.columns if c.key in self.present]
        result: dict[int, dict[str, str]] = {}
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 500):
                chunk = ", ".join(str(int(r)) for r in rows[start : start + 500])
                cursor.execute(
                    f"SELECT s.rn{''.join(', ' + self.d.trimmed(staging_column(key)) for key in keys)} "
                    f"FROM {STAGING} s WHERE s.rn IN ({chunk})"
                )
                for record in cursor.fetchall():
                    result[int(record[0])] = {
                        key: value or "" for key, value in zip(keys, record[1:], strict=True)
                    }
        return result

    def message(self, c: k.Column, code: str, value: str) -> str:
        if code == "required":
            return "不能为空"
        if code == "too_long":
            return f"超过 {c.max_length} 个字"
        if code == "pattern":
            return f"「{value}」格式不对：{c.pattern_hint}"
        if code == "zero":
            return "金额不能为零"
        if code == "negative":
            return "金额不能为负数"
        if code == "marked":
            what = "说明行" if value.startswith("说明") else "示例行"
            return (
                f"「{value}」：这是模板的{what}，不会导入。请删除这一行"
                f"（真实数据的「{k.EXAMPLE_MARK.header}」列应留空）"
            )
        if c.type == "choice":
            return f"「{value}」不是可选的值（可填：{c.choice_labels}{'，或留空' if not c.required else ''}）"
        return FORMAT_MESSAGES[c.type].format(value=value)

    def values(self) -> dict[str, str]:
        return {target: expr(self.d, self.typed) for target, expr in self.spec.values.items()}

    def joins(self) -> str:
        return " ".join(join(self.d, self.typed) for join in self.spec.joins)


def check_formats(comp: Compiled, *, expected_year: int | None) -> tuple[list[Problem], int]:
    """The error codes written by `materialize`, turned into messages."""
    spec = comp.spec
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rn, errs, count(*) OVER () FROM {TYPED} WHERE errs IS NOT NULL ORDER BY rn LIMIT {MAX_ERRORS}"
        )
        found = cursor.fetchall()
    if not found:
        return [], 0
    raw = comp.raw_values(rn for rn, _, _ in found)
    problems: list[Problem] = []
    for rn, errs, _ in found:
        values = raw.get(int(rn), {})
        for item in errs.rstrip(",").split(","):
            key, code = item.split(":", 1)
            if code == "check":
                check = spec.checks[int(key.removeprefix("check"))]
                shown = {name: values.get(name, "") for name in check.reads}
                problems.append(
                    Problem(
                        int(rn),
                        spec.column(check.column).header,
                        check.message.format(value=shown[check.column], **shown),
                    )
                )
            elif code == "same":
                signature = spec.example_signature
                cells = "、".join(f"{c.header}「{values.get(c.key, '')}」" for c in signature[:4])
                problems.append(
                    Problem(
                        int(rn),
                        signature[0].header,
                        f"与模板的示例行相同（{cells}）：这是示例数据，不会导入，请删除这一行",
                    )
                )
            elif code == "expected":
                problems.append(
                    Problem(
                        int(rn),
                        "预算年度",
                        f"{values.get('fiscal_year', '')} 与本次导入指定的 {expected_year} 年度不符",
                    )
                )
            else:
                column = spec.column(key)
                problems.append(
                    Problem(int(rn), column.header, comp.message(column, code, values.get(key, "")))
                )
    return problems, int(found[0][2])


def check_references(comp: Compiled) -> tuple[list[Problem], set[int]]:
    """Look up the distinct values of every referenced column (a name where a code belongs
    becomes its code, see names.py), then find the rows of the values that do not resolve,
    and of unit names that contradict their unit code."""
    spec = comp.spec
    if not spec.refs:
        return [], set()
    wanted = {key for ref in spec.refs for key in _ref_keys(ref)} & set(comp.typed)
    with_names = checks_unit_names(comp)
    columns = sorted(wanted | ({"agency_name"} if with_names else set()))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT {', '.join(comp.typed[key] for key in columns)} FROM {TYPED} s"
        )
        combos = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    problems: list[Problem] = []
    bad_rows: set[int] = set()
    # The refs are in dependency order (the treasury first): a treasury given by name is
    # its code by the time the units of that treasury are looked up.
    for ref in spec.refs:
        keys = _ref_keys(ref)
        if not set(keys) <= set(comp.typed):
            continue
        values = {tuple(_plain(c[key]) for key in keys) for c in combos}
        values = {v for v in values if all(x is not None for x in v)}
        bad = _unresolved(ref, keys, values, comp)
        if bad and nameable(ref):
            bad -= resolve(comp, ref, keys, bad, combos)
        if not bad:
            continue
        column = spec.column(ref.column)
        condition = " OR ".join(
            "("
            + " AND ".join(
                f"{comp.typed[key]} = {_literal(value)}"
                for key, value in zip(keys, combo, strict=True)
            )
            + ")"
            for combo in sorted(bad, key=str)[:200]
        )
        year = comp.typed.get("fiscal_year", "NULL")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.rn, {comp.typed[ref.column]}, {year} FROM {TYPED} s WHERE {condition} "
                f"ORDER BY s.rn LIMIT {MAX_ERRORS}"
            )
            for rn, value, fiscal_year in cursor.fetchall():
                year_value = _plain(fiscal_year)
                message = ambiguous_message(comp, ref, value, year_value) or _ref_message(
                    ref, value, year_value
                )
                problems.append(Problem(int(rn), column.header, message))
                bad_rows.add(int(rn))
    if {"mof_div_code", "fiscal_year"} <= wanted:
        comp.region_years = {(c["mof_div_code"], _plain(c["fiscal_year"])) for c in combos}
    if with_names:
        names = unit_name_problems(comp, combos)
        problems += names
        bad_rows |= {p.row for p in names if p.row is not None}
    return problems, bad_rows


def _ref_keys(ref: k.Ref) -> tuple[str, ...]:
    what = ref.what
    if what == "region":
        return (ref.column,)
    if what in ("unit", "department"):
        return ("mof_div_code", "fiscal_year", ref.column)
    if what.startswith("indicator:"):
        return ("mof_div_code", "fiscal_year", what.split(":", 1)[1])
    if what.startswith("code:"):
        return ("fiscal_year", ref.column)
    raise ValueError(what)


def _unresolved(
    ref: k.Ref, keys: tuple[str, ...], values: set[tuple[Any, ...]], comp: Compiled
) -> set[tuple[Any, ...]]:
    if not values:
        return set()
    what = ref.what
    if what == "region":
        known = set(
            FinanceRegion.objects.filter(code__in=[v[0] for v in values]).values_list(
                "code", flat=True
            )
        )
        return {v for v in values if v[0] not in known}
    if what in ("unit", "department"):
        pairs = {(v[0], v[1]) for v in values}
        known_units = set(
            BudgetUnit.objects.filter(
                region__code__in={p[0] for p in pairs}, year__in={p[1] for p in pairs}
            ).values_list("region__code", "year", "code")
        )
        if what == "department":
            known_units |= _staged_units(comp)
        return {v for v in values if (v[0], v[1], v[2]) not in known_units}
    if what.startswith("indicator:"):
        missing = set()
        by_pair: dict[tuple[str, int], set[str]] = {}
        for v in values:
            by_pair.setdefault((v[0], v[1]), set()).add(v[2])
        for (region_code, year), ids in by_pair.items():
            found: set[str] = set()
            id_list = sorted(ids)
            for start in range(0, len(id_list), 5000):
                found |= set(
                    BudgetIndicator.objects.filter(
                        region__code=region_code,
                        year=year,
                        bgt_id__in=id_list[start : start + 5000],
                    ).values_list("bgt_id", flat=True)
                )
            missing |= {(region_code, year, i) for i in ids - found}
        return missing
    if what.startswith("code:"):
        scheme = what.split(":", 1)[1]
        bad = set()
        for year in {v[0] for v in values}:
            rows = ClassificationCode.objects.filter(scheme=scheme, year=year).values_list(
                "code", "is_leaf"
            )
            exact = {code for code, _ in rows}
            leaves = {code for code, leaf in rows if leaf}
            for v in values:
                if v[0] != year:
                    continue
                code = str(v[1])
                if code in exact or any(code[:n] in leaves for n in range(1, len(code))):
                    continue
                bad.add(v)
        return bad
    raise ValueError(what)


def _staged_units(comp: Compiled) -> set[tuple[Any, ...]]:
    t = comp.typed
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT {t['mof_div_code']}, {t['fiscal_year']}, {t['agency_code']} FROM {TYPED} s"
        )
        return {tuple(_plain(x) for x in row) for row in cursor.fetchall()}


def _ref_message(ref: k.Ref, value: Any, year: Any) -> str:
    what = ref.what
    if what == "region":
        return f"财政区划「{value}」不存在（请先导入财政区划）"
    if what == "unit":
        return f"单位编码「{value}」在 {year} 年度的预算单位中不存在（请先导入该年度的预算单位）"
    if what == "department":
        return f"主管部门「{value}」在 {year} 年度的预算单位中不存在"
    if what.startswith("indicator:"):
        return f"指标编号「{value}」在 {year} 年度不存在（请先导入预算指标）"
    scheme = ClassificationCode.Scheme(what.split(":", 1)[1]).label
    return f"「{value}」不在 {year} 年度的{scheme}中"


def check_duplicates(comp: Compiled) -> tuple[list[Problem], set[int]]:
    keys = [comp.typed[key] for key in comp.spec.key]
    shown = comp.spec.column(comp.spec.key[-1])
    sql = (
        f"SELECT s.rn, {comp.typed[shown.key]}, first_rn FROM {TYPED} s JOIN ("
        f"SELECT {', '.join(f'{e} AS k{i}' for i, e in enumerate(keys))}, min(s.rn) AS first_rn "
        f"FROM {TYPED} s GROUP BY {', '.join(keys)} HAVING count(*) > 1) dup ON "
        + " AND ".join(f"dup.k{i} = {e}" for i, e in enumerate(keys))
        + f" WHERE s.rn <> dup.first_rn ORDER BY s.rn LIMIT {MAX_ERRORS}"
    )
    problems: list[Problem] = []
    rows: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for rn, value, first in cursor.fetchall():
            problems.append(
                Problem(int(rn), shown.header, f"「{value}」在本文件中重复（与第 {first} 行相同）")
            )
            rows.add(int(rn))
    return problems, rows
