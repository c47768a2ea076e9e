# ruff: noqa: S608
# The SQL here is assembled from the kind declarations (kinds.py); every value that comes
# from a file passes through quote() or int() before it reaches a statement.
"""Import constants, the problems and outcome an import reports, and the normalisation of cell values (the same in Python and in SQL)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.dispatch import Signal

MAX_ERRORS = 1000  # stored on the batch; the count of all errors is in its summary
HEADER_SCAN_ROWS = 10
CHUNK_ROWS = 5000
PROGRESS_EVERY = 5_000  # rows between progress reports while a file is read (issue 14, item 10)
STAGING = "budget_stg"
TYPED = "budget_typed"  # the staged rows with typed values and each row's error codes
# Large first loads rebuild the secondary indexes after the insert instead of updating them
# row by row (building a btree from sorted input is several times faster).
REBUILD_INDEXES_FROM = 100_000

# Sent after a batch is committed: the rules (next issue) re-run for what it touched.
data_imported = Signal()  # kwargs: kind (slug), batch

WHITESPACE = " \t\r\n\u3000\ufeff"


class ImportRejected(Exception):
    """The file or request cannot be read at all (no header, not a spreadsheet …)."""


@dataclass
class Problem:
    row: int | None
    column: str
    message: str

    def as_dict(self, row_label: str = "行") -> dict[str, Any]:
        where = f"第 {self.row} {row_label}" if self.row is not None else "文件"
        text = (
            f"{where}「{self.column}」：{self.message}"
            if self.column
            else f"{where}：{self.message}"
        )
        return {"row": self.row, "column": self.column, "message": self.message, "text": text}


@dataclass
class Outcome:
    rows_total: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0  # rows with at least one error
    error_count: int = 0
    errors: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    # Names given where codes belong and the codes they were read as (names.py).
    understood: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows_total,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": self.error_count,
        }


# --- values: the same normalisation in Python (SQLite functions) and in PostgreSQL ---------

_DATE_RE = re.compile(r"^([0-9]{4})[-/.年]?([0-9]{1,2})[-/.月]?([0-9]{1,2})日?(?:[ T].*)?$")
_MONEY_STRIP = str.maketrans("", "", ",，¥￥ 元")


def clean_text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip(WHITESPACE)
    return text or None


def parse_date(value: Any) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    match = _DATE_RE.match(text)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        return None


def parse_money(value: Any, places: int = 2) -> Decimal | None:
    text = clean_text(value)
    if text is None:
        return None
    text = text.translate(_MONEY_STRIP).replace("－", "-").replace("．", ".")
    if not re.fullmatch(rf"[-+]?[0-9]{{1,16}}(\.[0-9]{{1,{places}}})?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already excludes it
        return None


def parse_int(value: Any, low: int, high: int) -> int | None:
    text = clean_text(value)
    if text is None or not re.fullmatch(r"[0-9]{1,4}", text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def format_cell(value: Any) -> str:
    """An xlsx or JSON value as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    return str(value)
