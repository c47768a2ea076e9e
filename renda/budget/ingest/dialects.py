# ruff: noqa: S608
# The SQL here is assembled from the kind declarations (kinds.py); every value that comes
# from a file passes through quote() or int() before it reaches a statement.
"""The SQL dialects the importer speaks (PostgreSQL, SQLite)."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from django.db import connection
from django.utils import timezone

from renda.budget.ingest.values import (
    ImportRejected,
    clean_text,
    parse_date,
    parse_int,
    parse_money,
)

# --- dialects ----------------------------------------------------------------------------


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Dialect:
    vendor = ""
    true = "TRUE"

    def trimmed(self, column: str) -> str:
        raise NotImplementedError

    def null_text(self) -> str:
        return "NULL"

    def year(self, t: str) -> str:
        raise NotImplementedError

    def month(self, t: str) -> str:
        raise NotImplementedError

    def date(self, t: str) -> str:
        raise NotImplementedError

    def money(self, t: str) -> str:
        raise NotImplementedError

    def decimal(self, t: str) -> str:
        raise NotImplementedError

    def matches(self, t: str, pattern: str) -> str:
        raise NotImplementedError

    def length(self, t: str) -> str:
        return f"length({t})"

    def octet_length(self, t: str) -> str:
        return f"length(CAST({t} AS BLOB))"

    def year_of(self, date_expr: str) -> str:
        raise NotImplementedError

    def int_of(self, text_expr: str) -> str:
        return f"CAST({text_expr} AS INTEGER)"

    def distinct(self, left: list[str], right: list[str]) -> str:
        raise NotImplementedError

    def json_object(self, pairs: list[tuple[str, str]]) -> str:
        raise NotImplementedError

    def concat(self, parts: list[str]) -> str:
        raise NotImplementedError

    def now(self) -> str:
        raise NotImplementedError


class PostgresDialect(Dialect):
    vendor = "postgresql"

    def trimmed(self, column: str) -> str:
        return f"NULLIF(btrim(s.{column}, E' \\t\\r\\n\\u3000\\ufeff'), '')"

    def null_text(self) -> str:
        return "CAST(NULL AS text)"

    def year(self, t: str) -> str:
        return f"(CASE WHEN {t} ~ '^20[0-9][0-9]$' THEN CAST({t} AS integer) END)"

    def month(self, t: str) -> str:
        return f"(CASE WHEN {t} ~ '^(0?[1-9]|1[0-2])$' THEN CAST({t} AS integer) END)"

    def date(self, t: str) -> str:
        # The canonical form is checked and cast inline (days 29–31 against the month and
        # leap years); anything else goes to budget_parse_date (migration 0002), which
        # never raises.
        m, day = f"substr({t}, 6, 2)", f"substr({t}, 9, 2)"
        leap = f"(CAST(substr({t}, 1, 4) AS integer) % 4 = 0 AND (CAST(substr({t}, 1, 4) AS integer) % 100 <> 0 OR CAST(substr({t}, 1, 4) AS integer) % 400 = 0))"
        return (
            f"(CASE WHEN {t} ~ '^[0-9]{{4}}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' THEN "
            f"CASE WHEN {day} <= '28' OR ({day} = '29' AND ({m} <> '02' OR {leap})) "
            f"OR ({day} = '30' AND {m} <> '02') OR ({day} = '31' AND {m} IN ('01', '03', '05', '07', '08', '10', '12')) "
            f"THEN CAST({t} AS date) END ELSE budget_parse_date({t}) END)"
        )

    def money(self, t: str) -> str:
        return (
            f"(CASE WHEN {t} ~ '^-?[0-9]{{1,16}}(\\.[0-9]{{1,2}})?$' THEN CAST({t} AS numeric) "
            f"ELSE budget_parse_money({t}) END)"
        )

    def decimal(self, t: str) -> str:
        return (
            f"(CASE WHEN {t} ~ '^-?[0-9]{{1,16}}(\\.[0-9]{{1,4}})?$' THEN CAST({t} AS numeric) END)"
        )

    def matches(self, t: str, pattern: str) -> str:
        return f"({t} ~ {quote(pattern)})"

    def length(self, t: str) -> str:
        return f"char_length({t})"

    def octet_length(self, t: str) -> str:
        return f"octet_length({t})"

    def year_of(self, date_expr: str) -> str:
        return f"CAST(extract(year FROM {date_expr}) AS integer)"

    def distinct(self, left: list[str], right: list[str]) -> str:
        return f"({', '.join(left)}) IS DISTINCT FROM ({', '.join(right)})"

    def json_object(self, pairs: list[tuple[str, str]]) -> str:
        return "jsonb_build_object(" + ", ".join(f"{quote(k)}, {v}" for k, v in pairs) + ")"

    def concat(self, parts: list[str]) -> str:
        return "concat_ws('/', " + ", ".join(parts) + ")"

    def now(self) -> str:
        return "now()"


class SqliteDialect(Dialect):
    vendor = "sqlite"
    true = "1"

    def trimmed(self, column: str) -> str:
        return f"budget_trim(s.{column})"

    def year(self, t: str) -> str:
        return f"budget_int({t}, 2000, 2099)"

    def month(self, t: str) -> str:
        return f"budget_int({t}, 1, 12)"

    def date(self, t: str) -> str:
        return f"budget_date({t})"

    def money(self, t: str) -> str:
        return f"budget_money({t}, 2)"

    def decimal(self, t: str) -> str:
        return f"budget_money({t}, 4)"

    def matches(self, t: str, pattern: str) -> str:
        return f"budget_match({t}, {quote(pattern)})"

    def year_of(self, date_expr: str) -> str:
        return f"CAST(substr({date_expr}, 1, 4) AS INTEGER)"

    def distinct(self, left: list[str], right: list[str]) -> str:
        return "(" + " OR ".join(f"{a} IS NOT {b}" for a, b in zip(left, right, strict=True)) + ")"

    def json_object(self, pairs: list[tuple[str, str]]) -> str:
        return "json_object(" + ", ".join(f"{quote(k)}, {v}" for k, v in pairs) + ")"

    def concat(self, parts: list[str]) -> str:
        return " || '/' || ".join(f"CAST({p} AS TEXT)" for p in parts)

    def now(self) -> str:
        return quote(str(connection.ops.adapt_datetimefield_value(timezone.now())))


def _sqlite_money(value: Any, places: int) -> float | None:
    number = parse_money(value, places)
    return float(number) if number is not None else None


def _register_sqlite_functions() -> None:
    raw = connection.connection
    if getattr(raw, "_budget_functions", False):
        return
    raw.create_function("budget_trim", 1, clean_text, deterministic=True)
    raw.create_function("budget_int", 3, parse_int, deterministic=True)
    raw.create_function("budget_date", 1, parse_date, deterministic=True)
    raw.create_function("budget_money", 2, _sqlite_money, deterministic=True)
    raw.create_function(
        "budget_match",
        2,
        lambda value, pattern: (
            None if value is None else int(re.search(pattern, value) is not None)
        ),
        deterministic=True,
    )
    with contextlib.suppress(AttributeError):
        raw._budget_functions = True


def dialect() -> Dialect:
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        return PostgresDialect()
    if connection.vendor == "sqlite":
        _register_sqlite_functions()
        return SqliteDialect()
    raise ImportRejected(f"不支持的数据库：{connection.vendor}")
