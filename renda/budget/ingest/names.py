# ruff: noqa: S608
# The SQL here is assembled from the kind declarations (kinds.py); every value that comes
# from a file passes through quote() or int() before it reaches a statement.
"""Names where codes belong (issue 14, item 4) and unit names that contradict their code
(item 3).

A file typed by staff says 一般公共预算 where the treasury's export says 1. Every coded column
takes the code or the exact name of that year's code: a value that does not resolve as a code
is looked up among the names; a name that stands for exactly one code is rewritten to that
code in the typed table (before any other check reads it) and reported on the batch
("一般公共预算 → 1"); a name that stands for several codes stays an error that lists them.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection

from renda.budget.ingest import kinds as k
from renda.budget.ingest.dialects import quote
from renda.budget.ingest.values import MAX_ERRORS, TYPED, Problem
from renda.budget.models import BudgetUnit, ClassificationCode, FinanceRegion

if TYPE_CHECKING:
    from renda.budget.ingest.checking import Compiled

Combo = tuple[Any, ...]


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def literal(value: Any) -> str:
    return str(int(value)) if isinstance(value, int) else quote(str(value))


def nameable(ref: k.Ref) -> bool:
    return ref.what in ("region", "unit", "department") or ref.what.startswith("code:")


def resolve(
    comp: Compiled,
    ref: k.Ref,
    keys: tuple[str, ...],
    bad: set[Combo],
    combos: list[dict[str, Any]],
) -> set[Combo]:
    """Rewrite the unresolved values of `ref` that are names of exactly one code; returns
    the combinations resolved this way (their rows no longer hold names)."""
    found = _codes_by_name(comp, ref, bad)
    resolved: dict[Combo, str] = {}
    for combo in bad:
        codes = sorted(found.get(combo, ()))
        if len(codes) == 1:
            resolved[combo] = codes[0]
        elif codes:
            year = combo[keys.index("fiscal_year")] if "fiscal_year" in keys else None
            comp.ambiguous[(ref.column, str(combo[-1]), year)] = codes
    if resolved:
        _rewrite(comp, ref, keys, resolved, combos)
    return set(resolved)


def _codes_by_name(comp: Compiled, ref: k.Ref, bad: set[Combo]) -> dict[Combo, set[str]]:
    """For each unresolved combination (its last item the value), the codes so named."""
    names = {str(combo[-1]) for combo in bad}
    found: dict[Combo, set[str]] = {}
    what = ref.what
    if what == "region":
        for name, code in FinanceRegion.objects.filter(name__in=names).values_list("name", "code"):
            found.setdefault((name,), set()).add(code)
    elif what in ("unit", "department"):
        rows = list(
            BudgetUnit.objects.filter(
                region__code__in={c[0] for c in bad}, year__in={c[1] for c in bad}, name__in=names
            ).values_list("region__code", "year", "name", "code")
        )
        if what == "department":
            rows += _staged_unit_names(comp)
        for region, year, name, code in rows:
            found.setdefault((region, plain(year), name), set()).add(str(code))
    else:
        scheme = what.split(":", 1)[1]
        for year, name, code in ClassificationCode.objects.filter(
            scheme=scheme, year__in={c[0] for c in bad}, name__in=names
        ).values_list("year", "name", "code"):
            found.setdefault((year, name), set()).add(code)
    return {combo: found[combo] for combo in bad if combo in found}


def _staged_unit_names(comp: Compiled) -> list[tuple[Any, ...]]:
    """The units the file itself defines (a units file names its departments)."""
    if "agency_name" not in comp.present:
        return []
    t = comp.typed
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT {t['mof_div_code']}, {t['fiscal_year']}, {t['agency_name']}, "
            f"{t['agency_code']} FROM {TYPED} s WHERE {t['agency_name']} IS NOT NULL"
        )
        return [tuple(row) for row in cursor.fetchall()]


def _rewrite(
    comp: Compiled,
    ref: k.Ref,
    keys: tuple[str, ...],
    resolved: dict[Combo, str],
    combos: list[dict[str, Any]],
) -> None:
    column = comp.spec.column(ref.column)
    target = ref.column
    counts: dict[tuple[str, str], int] = {}
    with connection.cursor() as cursor:
        for combo, code in sorted(resolved.items(), key=str):
            where = " AND ".join(
                f"{key} = {literal(value)}" for key, value in zip(keys, combo, strict=True)
            )
            cursor.execute(f"UPDATE {TYPED} SET {target} = {quote(code)} WHERE {where}")
            shown = (str(combo[-1]), code)
            counts[shown] = counts.get(shown, 0) + max(cursor.rowcount, 0)
    for combo_dict in combos:
        key = tuple(plain(combo_dict[name]) for name in keys)
        if key in resolved:
            combo_dict[target] = resolved[key]
    comp.understood += [
        {"column": column.header, "value": name, "code": code, "rows": rows}
        for (name, code), rows in sorted(counts.items())
    ]


def ambiguous_message(comp: Compiled, ref: k.Ref, value: Any, year: Any) -> str | None:
    codes = comp.ambiguous.get((ref.column, str(value), year)) or comp.ambiguous.get(
        (ref.column, str(value), None)
    )
    if not codes:
        return None
    listed = "、".join(codes[:5]) + ("等" if len(codes) > 5 else "")
    where = f" {year} 年度的" if year is not None and ref.what != "region" else ""
    return f"「{value}」在{where}{_register(ref)}中对应多个编码（{listed}），请填写编码"


def _register(ref: k.Ref) -> str:
    if ref.what == "region":
        return "财政区划"
    if ref.what in ("unit", "department"):
        return "预算单位"
    return str(ClassificationCode.Scheme(ref.what.split(":", 1)[1]).label)


# --- unit names --------------------------------------------------------------------------


def checks_unit_names(comp: Compiled) -> bool:
    return "agency_name" in comp.present and any(
        ref.what == "unit" and ref.column == "agency_code" for ref in comp.spec.refs
    )


def _normal(name: str) -> str:
    return re.sub(r"\s+", "", name).replace("（", "(").replace("）", ")")


def names_agree(given: str, registered: str) -> bool:
    """The file's name is the registered one, or a part of it (a short name: 第一中学 for
    冷水江市第一中学), or contains it; anything else contradicts the code."""
    a, b = _normal(given), _normal(registered)
    return a == b or a in b or b in a


def unit_name_problems(comp: Compiled, combos: list[dict[str, Any]]) -> list[Problem]:
    """A unit name that contradicts the name of the unit code in the same year is an error
    on the name's cell, naming both."""
    given = {
        (c["mof_div_code"], plain(c["fiscal_year"]), c["agency_code"], c["agency_name"])
        for c in combos
        if c.get("agency_name") and c.get("agency_code") and c.get("mof_div_code")
    }
    if not given:
        return []
    registered = {
        (region, year, code): name
        for region, year, code, name in BudgetUnit.objects.filter(
            region__code__in={g[0] for g in given},
            year__in={g[1] for g in given},
            code__in={g[2] for g in given},
        ).values_list("region__code", "year", "code", "name")
    }
    wrong = {
        g: registered[g[:3]]
        for g in given
        if g[:3] in registered and not names_agree(str(g[3]), registered[g[:3]])
    }
    problems: list[Problem] = []
    t = comp.typed
    header = comp.spec.column("agency_name").header
    with connection.cursor() as cursor:
        for (region, year, code, name), right in sorted(wrong.items(), key=str)[:200]:
            cursor.execute(
                f"SELECT s.rn FROM {TYPED} s WHERE {t['mof_div_code']} = {literal(region)} "
                f"AND {t['fiscal_year']} = {literal(year)} AND {t['agency_code']} = {literal(code)} "
                f"AND {t['agency_name']} = {literal(name)} ORDER BY s.rn LIMIT {MAX_ERRORS}"
            )
            message = (
                f"单位名称「{name}」与单位编码「{code}」不符：{year} 年度的预算单位中 {code} 是"
                f"「{right}」（请核对单位编码或单位名称）"
            )
            problems += [Problem(int(rn), header, message) for (rn,) in cursor.fetchall()]
    return problems
