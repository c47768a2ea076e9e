# ruff: noqa: S608
# The SQL here is assembled from the kind declarations (kinds.py); every value that comes
# from a file passes through quote() or int() before it reaches a statement.
"""The budget importer: files (xlsx, csv in UTF-8 or GB18030) and API records → staging table
→ set-based checks → one merge statement per kind.

Why not the row-by-row path of the generic import framework: a province sends 10^7 payments a
year, and only set-based SQL keeps up (NOTES.md: bulk load figures). The steps:

1. **Read** the header (the first of the first ten rows that looks like one; the Chinese
   header, the 一体化 name or another accepted name), then stream the rows into a temporary
   staging table of text columns. On PostgreSQL a CSV file goes to `COPY` as it is, without
   being parsed in Python; xlsx files and API records go through `COPY … FROM STDIN` row by
   row; on SQLite rows are inserted in chunks. Memory stays flat whatever the file size.
2. **Check** everything set-based: one scan for the format of every cell and the checks
   across columns of a row, one `GROUP BY` for references (units, codes, regions,
   indicators) whose distinct values are looked up, one for duplicate keys. Each bad cell
   gives one Chinese message "第 5 行「金额」：…", the same form as the core framework's.
3. **Merge** in one transaction: the rows that an earlier batch wrote and this one changes go
   to the batch history (`RecordChange`), then `INSERT … ON CONFLICT DO UPDATE … WHERE the
   row differs` writes new and changed rows and leaves equal rows alone, so a re-import
   changes nothing. Nothing is written unless every row passed.

The reader (`open_table`) is self-contained so that it can later be swapped for the core
import framework's reader; the error format is already the framework's.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone

from renda.core.models import ImportBatch

from . import kinds as k
from .models import BudgetIndicator, BudgetUnit, ClassificationCode, FinanceRegion

MAX_ERRORS = 1000  # stored on the batch; the count of all errors is in its summary
HEADER_SCAN_ROWS = 10
CHUNK_ROWS = 5000
PROGRESS_EVERY = 50_000
STAGING = "budget_stg"
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


# --- reading files -------------------------------------------------------------------


def normalise_header(text: Any) -> str:
    value = clean_text(text) or ""
    value = value.replace("*", "").replace("＊", "").strip()
    # "金额（元）" and "金额(元)" are the column 金额.
    value = re.sub(r"[（(][^）)]*[）)]$", "", value).strip()
    return value.upper()


def header_lookup(spec: k.KindSpec) -> dict[str, str]:
    names: dict[str, str] = {}
    for column in spec.columns:
        for name in column.names:
            names[normalise_header(name)] = column.key
    return names


def match_header(spec: k.KindSpec, cells: list[Any]) -> k.HeaderMatch:
    lookup = header_lookup(spec)
    result = k.HeaderMatch()
    seen: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = normalise_header(cell)
        if not name:
            result.blank_positions.append(index)
            continue
        key = lookup.get(name)
        if key is None:
            result.ignored.append(str(cell).strip())
        elif key in seen:
            result.duplicates.append(spec.column(key).header)
        else:
            seen[key] = index
            result.positions[index] = key
    result.missing = [c.header for c in spec.columns if c.required and c.key not in seen]
    # Trailing blank header cells are just the edge of the sheet.
    while result.blank_positions and result.blank_positions[-1] == len(cells) - 1:
        cells = cells[:-1]
        result.blank_positions.pop()
    return result


def header_problems(spec: k.KindSpec, match: k.HeaderMatch) -> list[Problem]:
    problems = []
    if match.duplicates:
        problems.append(
            Problem(
                None, "", f"表头中「{'、'.join(match.duplicates)}」出现了不止一次，请删去重复的列"
            )
        )
    if match.missing:
        aliases = "、".join(
            f"{c.header}（{c.alias}）" if c.alias else c.header
            for c in spec.columns
            if c.header in match.missing
        )
        message = f"缺少必需的列：{aliases}"
        if match.blank_positions:
            cols = "、".join(_column_letter(i) for i in match.blank_positions[:5])
            message += f"。表头第 {cols} 列为空，可能是合并单元格造成的：请取消合并，使每一列都有自己的表头"
        problems.append(Problem(None, "", message))
    return problems


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def find_header(spec: k.KindSpec, rows: list[list[Any]]) -> tuple[int, k.HeaderMatch]:
    """The index of the header among the first rows: the one that names most columns."""
    best_index, best = -1, k.HeaderMatch()
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        match = match_header(spec, cells)
        if len(match.positions) > len(best.positions):
            best_index, best = index, match
    required = [c for c in spec.columns if c.required]
    if best_index < 0 or len(best.positions) < min(2, len(required)):
        names = "、".join(c.header for c in required[:6])
        aliases = "、".join(c.alias for c in required[:6] if c.alias)
        raise ImportRejected(
            f"没有找到「{spec.title}」的表头：前 {HEADER_SCAN_ROWS} 行中没有一行含有 {names} 等列名。"
            f"请使用下载的模板，或使用预算管理一体化字段名（{aliases}）。"
        )
    return best_index, best


def detect_format(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRejected(
            "这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入"
        )
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        raise ImportRejected("文件不是有效的 Excel 文件，或已损坏、不完整")
    return "csv"


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or GB18030, the two encodings Chinese Excel writes."""
    with open(path, "rb") as handle:
        sample = handle.read(1 << 20)
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    cut = sample.rfind(b"\n")
    if cut > 0 and len(sample) == 1 << 20:
        sample = sample[:cut]
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A file cut off inside a character is still UTF-8; the reader reports the cut.
        if exc.reason == "unexpected end of data" and exc.start >= len(sample) - 3:
            return "utf-8"
    try:
        sample.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            "无法识别文件的文字编码，请另存为 UTF-8 或 GB18030（ANSI）编码的 CSV"
        ) from exc


@dataclass
class Table:
    """A readable source: its header and a stream of data rows (row number, cells)."""

    spec: k.KindSpec
    match: k.HeaderMatch
    header_row: int  # 1-based row number of the header (0 for API records)
    rows: Iterator[tuple[int, list[Any]]]
    row_label: str = "行"
    # Set for CSV files, which PostgreSQL can COPY without Python parsing them.
    csv_path: Path | None = None
    csv_encoding: str = ""
    csv_data_offset: int = 0
    width: int = 0
    problems: list[Problem] = field(default_factory=list)  # structural, found while reading
    size_hint: int = 0  # bytes, for the progress estimate

    @property
    def keys(self) -> list[str]:
        return [self.match.positions[i] for i in sorted(self.match.positions)]


def open_table(spec: k.KindSpec, path: Path) -> Table:
    fmt = detect_format(path)
    return _open_xlsx(spec, path) if fmt == "xlsx" else _open_csv(spec, path)


def _open_csv(spec: k.KindSpec, path: Path) -> Table:
    encoding = detect_encoding(path)
    head_lines: list[bytes] = []
    offsets: list[int] = []
    with open(path, "rb") as handle:
        if encoding == "utf-8-sig":
            handle.read(3)
        for _ in range(HEADER_SCAN_ROWS):
            line = handle.readline()
            if not line:
                break
            head_lines.append(line)
            offsets.append(handle.tell())
    text_encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    decoded = [line.decode(text_encoding, errors="replace") for line in head_lines]
    parsed = [next(csv.reader([line.rstrip("\r\n")]), []) for line in decoded]
    index, match = find_header(spec, parsed)
    width = len(parsed[index])
    problems = header_problems(spec, match)
    table = Table(
        spec=spec,
        match=match,
        header_row=index + 1,
        rows=iter(()),
        csv_path=path,
        csv_encoding=text_encoding,
        csv_data_offset=offsets[index],
        width=width,
        problems=problems,
        size_hint=path.stat().st_size,
    )
    table.rows = _csv_rows(table)
    return table


def _csv_rows(table: Table) -> Iterator[tuple[int, list[Any]]]:
    assert table.csv_path is not None
    with open(table.csv_path, "rb") as raw:
        raw.seek(table.csv_data_offset)
        text = io.TextIOWrapper(raw, encoding=table.csv_encoding, newline="")
        reader = csv.reader(text, strict=True)
        row_number = table.header_row
        try:
            for cells in reader:
                row_number += 1
                if not any(c.strip() for c in cells):
                    continue  # a blank line, or a row of empty cells
                if len(cells) < table.width or any(c.strip() for c in cells[table.width :]):
                    table.problems.append(_width_problem(row_number, len(cells), table.width))
                    continue
                yield row_number, cells
        except csv.Error as exc:
            table.problems.append(
                Problem(row_number + 1, "", f"CSV 格式错误（{exc}）：可能是引号未闭合或文件被截断")
            )
        except UnicodeDecodeError:
            table.problems.append(
                Problem(
                    row_number + 1, "", "文字无法识别：文件可能被截断，或不是 UTF-8 / GB18030 编码"
                )
            )


def _width_problem(row: int, found: int, expected: int) -> Problem:
    if found < expected:
        return Problem(
            row,
            "",
            f"该行只有 {found} 列，少于表头的 {expected} 列（文件可能被截断，或该行不完整）",
        )
    return Problem(row, "", f"该行有 {found} 列，多于表头的 {expected} 列")


def _open_xlsx(spec: k.KindSpec, path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportRejected(
            "文件不是有效的 Excel 文件，或已损坏、不完整（请重新导出后再导入）"
        ) from exc
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    head: list[list[Any]] = []
    try:
        for _ in range(HEADER_SCAN_ROWS):
            row = next(iterator, None)
            if row is None:
                break
            head.append(list(row))
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportRejected("Excel 文件已损坏或不完整（请重新导出后再导入）") from exc
    index, match = find_header(spec, head)
    table = Table(
        spec=spec,
        match=match,
        header_row=index + 1,
        rows=iter(()),
        problems=header_problems(spec, match),
        size_hint=path.stat().st_size,
    )

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = index + 1
        for cells in head[index + 1 :]:
            number += 1
            if any(c not in (None, "") for c in cells):
                yield number, [format_cell(c) for c in cells]
        try:
            for cells in iterator:
                number += 1
                if any(c not in (None, "") for c in cells):
                    yield number, [format_cell(c) for c in cells]
        except (zipfile.BadZipFile, OSError, EOFError, KeyError):
            table.problems.append(
                Problem(number + 1, "", "Excel 文件在此处中断：文件已损坏或不完整")
            )
        finally:
            workbook.close()

    table.rows = rows()
    return table


def records_table(spec: k.KindSpec, records: list[Any]) -> Table:
    """API records (JSON objects with the same field names as the file columns)."""
    lookup = header_lookup(spec)
    keys: list[str] = []
    ignored: set[str] = set()
    for record in records:
        if isinstance(record, dict):
            for name in record:
                key = lookup.get(normalise_header(name))
                if key is None:
                    ignored.add(str(name))
                elif key not in keys:
                    keys.append(key)
    match = k.HeaderMatch(positions=dict(enumerate(keys)), ignored=sorted(ignored))
    match.missing = [c.header for c in spec.columns if c.required and c.key not in keys]
    table = Table(spec=spec, match=match, header_row=0, rows=iter(()), row_label="条")
    if match.missing and records:
        table.problems.extend(header_problems(spec, match))

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, record in enumerate(records, start=1):
            if not isinstance(record, dict):
                table.problems.append(Problem(number, "", "每条记录应为一个 JSON 对象"))
                continue
            values = {lookup.get(normalise_header(name)): value for name, value in record.items()}
            yield number, [format_cell(values.get(key)) for key in keys]

    table.rows = rows()
    return table


# --- staging ----------------------------------------------------------------------------


def _staging_column(key: str) -> str:
    return f"c_{key}"


def load_staging(table: Table, d: Dialect, *, progress: Any = None) -> int:
    """Create the staging table and stream the rows into it; returns the number of rows."""
    keys = table.keys
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        if d.vendor == "postgresql" and table.csv_path is not None and not table.problems:
            return _copy_csv(table, cursor, progress)
        columns = ", ".join(f"{_staging_column(key)} text" for key in keys)
        rn_type = "bigint PRIMARY KEY" if d.vendor == "postgresql" else "INTEGER PRIMARY KEY"
        cursor.execute(
            f"CREATE TEMP TABLE {STAGING} (rn {rn_type}{', ' + columns if columns else ''})"
        )
        positions = sorted(table.match.positions)
        count = 0
        if d.vendor == "postgresql":
            names = ", ".join(["rn", *(_staging_column(key) for key in keys)])
            with cursor.cursor.copy(f"COPY {STAGING} ({names}) FROM STDIN") as copy:
                for number, cells in table.rows:
                    copy.write_row([number, *(_cell(cells, p) for p in positions)])
                    count += 1
                    if progress and count % PROGRESS_EVERY == 0:
                        progress(count)
        else:
            placeholders = ", ".join(["%s"] * (len(keys) + 1))
            sql = f"INSERT INTO {STAGING} VALUES ({placeholders})"
            chunk: list[list[Any]] = []
            for number, cells in table.rows:
                chunk.append([number, *(_cell(cells, p) for p in positions)])
                if len(chunk) >= CHUNK_ROWS:
                    cursor.executemany(sql, chunk)
                    count += len(chunk)
                    chunk = []
                    if progress and count % PROGRESS_EVERY < CHUNK_ROWS:
                        progress(count)
            if chunk:
                cursor.executemany(sql, chunk)
                count += len(chunk)
        return count


def _cell(cells: list[Any], position: int) -> str | None:
    if position >= len(cells):
        return None
    value = cells[position]
    return None if value is None else str(value)


def _copy_csv(table: Table, cursor: Any, progress: Any) -> int:
    """PostgreSQL: the CSV bytes go to COPY untouched; unknown columns land in x_<n>."""
    assert table.csv_path is not None
    names = [
        _staging_column(table.match.positions[i]) if i in table.match.positions else f"x_{i}"
        for i in range(table.width)
    ]
    start = table.header_row + 1
    cursor.execute(
        f"CREATE TEMP TABLE {STAGING} (rn bigint GENERATED BY DEFAULT AS IDENTITY (START WITH {start}), "
        + ", ".join(f"{n} text" for n in names)
        + ")"
    )
    encoding = "GB18030" if table.csv_encoding == "gb18030" else "UTF8"
    rows = 0
    try:
        with (
            cursor.cursor.copy(
                f"COPY {STAGING} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv, ENCODING '{encoding}')"
            ) as copy,
            open(table.csv_path, "rb") as handle,
        ):
            handle.seek(table.csv_data_offset)
            # Trailing blank lines would be rows of one empty column: hold back the line
            # breaks at the end of each chunk, and end the data with a single one.
            pending = b""
            while chunk := handle.read(1 << 20):
                data = pending + chunk
                stripped = data.rstrip(b"\r\n")
                pending = data[len(stripped) :]
                if stripped:
                    copy.write(stripped)
                    rows += stripped.count(b"\n")
                    if progress:
                        progress(rows)
            if pending:
                copy.write(pending[:2] if pending.startswith(b"\r\n") else pending[:1])
    except Exception as exc:
        from psycopg import errors as pg_errors

        if not isinstance(
            exc,
            pg_errors.DataError
            | pg_errors.BadCopyFileFormat
            | pg_errors.CharacterNotInRepertoire
            | pg_errors.UntranslatableCharacter
            | pg_errors.InvalidTextRepresentation,
        ):
            raise
        raise ImportRejected(_copy_error_message(exc, table.header_row)) from exc
    cursor.execute(f"SELECT count(*) FROM {STAGING}")
    return int(cursor.fetchone()[0])


def _copy_error_message(exc: Exception, header_row: int) -> str:
    text = str(exc)
    diag = getattr(exc, "diag", None)
    context = (getattr(diag, "context", None) or "") + " " + text
    line = re.search(r"line (\d+)", context)
    where = f"第 {int(line.group(1)) + header_row} 行：" if line else ""
    if "missing data for column" in text:
        return where + "列数少于表头（文件可能被截断，或该行不完整）"
    if "extra data after last expected column" in text:
        return where + "列数多于表头"
    if "unterminated CSV quoted field" in text:
        return where + "引号未闭合（文件可能被截断）"
    if "invalid byte sequence" in text or "has no equivalent" in text:
        return where + "文字无法识别：文件可能被截断，或不是 UTF-8 / GB18030 编码"
    return where + f"CSV 格式错误：{text.splitlines()[0]}"


# --- checking ---------------------------------------------------------------------------

FORMAT_MESSAGES = {
    "year": "「{value}」不是有效的预算年度（应为四位数字，如 2025）",
    "month": "「{value}」不是有效月份（应为 1–12）",
    "date": "「{value}」不是有效日期（应为 2025-03-31 这样的日期）",
    "money": "「{value}」不是有效金额（以元为单位，最多两位小数）",
    "decimal": "「{value}」不是有效数字（最多四位小数）",
}


TYPED = "budget_typed"


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

    @classmethod
    def build(cls, spec: k.KindSpec, d: Dialect, present: Iterable[str]) -> Compiled:
        comp = cls(spec, d, set(present))
        comp.typed = {c.key: f"s.{c.key}" for c in spec.columns}
        return comp

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
        level1 = ", ".join(
            ["s.rn"]
            + [
                f"{d.trimmed(_staging_column(c.key)) if c.key in self.present else d.null_text()} AS {c.key}"
                for c in spec.columns
            ]
        )
        level2 = ["t1.rn"]
        for c in spec.columns:
            if c.type != "text":
                level2.append(f"t1.{c.key} AS r_{c.key}")
            level2.append(f"{self._typed_expr(c, f't1.{c.key}')} AS {c.key}")
        not_blank = " OR ".join(f"t1.{key} IS NOT NULL" for key in sorted(self.present)) or d.true
        errors = [self._cell_error(c) for c in spec.columns if c.key in self.present or c.required]
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
            + ", ".join(f"t2.{c.key}" for c in spec.columns)
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
        keys = [c.key for c in self.spec.columns if c.key in self.present]
        result: dict[int, dict[str, str]] = {}
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 500):
                chunk = ", ".join(str(int(r)) for r in rows[start : start + 500])
                cursor.execute(
                    f"SELECT s.rn{''.join(', ' + self.d.trimmed(_staging_column(key)) for key in keys)} "
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
    """Look up the distinct values of every referenced column, then find the rows of the
    values that do not resolve."""
    spec = comp.spec
    if not spec.refs:
        return [], set()
    wanted = sorted({key for ref in spec.refs for key in _ref_keys(ref)} & set(comp.typed))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT {', '.join(comp.typed[key] for key in wanted)} FROM {TYPED} s"
        )
        combos = [dict(zip(wanted, row, strict=True)) for row in cursor.fetchall()]
    if {"mof_div_code", "fiscal_year"} <= set(wanted):
        comp.region_years = {(c["mof_div_code"], _plain(c["fiscal_year"])) for c in combos}
    problems: list[Problem] = []
    bad_rows: set[int] = set()
    for ref in spec.refs:
        keys = _ref_keys(ref)
        if not set(keys) <= set(comp.typed):
            continue
        values = {tuple(_plain(c[key]) for key in keys) for c in combos}
        values = {v for v in values if all(x is not None for x in v)}
        bad = _unresolved(ref, keys, values, comp)
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
                problems.append(
                    Problem(int(rn), column.header, _ref_message(ref, value, _plain(fiscal_year)))
                )
                bad_rows.add(int(rn))
    return problems, bad_rows


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _literal(value: Any) -> str:
    return str(int(value)) if isinstance(value, int) else quote(str(value))


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
    with connection.cursor() as cursor:
        if spec.slug == "payments" and (inserted or updated):
            from .summaries import refresh_for_batch

            refresh_for_batch(batch.pk, only_added=not updated)
        elif spec.slug == "codes":
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
        elif spec.slug == "regions":
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
        elif spec.slug == "units":
            cursor.execute(
                "UPDATE budget_budgetunit AS u SET department_id = d.id FROM budget_budgetunit AS d "
                "WHERE d.region_id = u.region_id AND d.year = u.year AND d.code = u.department_code "
                f"AND u.batch_id = {batch.pk} AND (u.department_id IS NULL OR u.department_id <> d.id)"
            )
            cursor.execute(
                f"UPDATE budget_budgetunit SET department_id = NULL WHERE batch_id = {batch.pk} AND department_code = ''"
            )
        elif spec.slug == "indicators":
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
            if linked:
                # The summaries keep payments by indicator: those months are rebuilt.
                from .summaries import refresh_payment_summary

                for (region_id, year), months in linked.items():
                    refresh_payment_summary(region_id=region_id, year=year, months=months)
    if spec.slug in ("indicators", "adjustments") and (inserted or updated):
        # After the payments are linked above: the dashboard's per-unit roll-up holds the
        # units' available amounts.
        from .summaries import refresh_overview, touched_years

        for region_id, year in touched_years(batch.pk, spec.slug):
            refresh_overview(region_id, year)


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
            on_progress(outcome.rows_total, phase="checking")
        outcome.rows_total = comp.materialize(expected_year=expected_year)
        problems, bad_format = check_formats(comp, expected_year=expected_year)
        ref_problems, ref_rows = check_references(comp)
        problems += ref_problems
        dup_rows: set[int] = set()
        if d.vendor != "postgresql" or problems:
            dup_problems, dup_rows = check_duplicates(comp)
            problems += dup_problems
        if problems:
            problems.sort(key=lambda p: p.row or 0)
            outcome.errors = problems[:MAX_ERRORS]
            outcome.error_count = len(problems)
            outcome.rejected = max(bad_format, len({p.row for p in problems}))
            return outcome
        if on_progress:
            on_progress(outcome.rows_total, phase="merging")
        try:
            with transaction.atomic():
                inserted, updated = merge(comp, batch, total=outcome.rows_total)
                after_merge(spec, batch, comp, inserted=inserted, updated=updated)
                if before_merge:
                    before_merge(inserted, updated)
        except Exception as exc:
            if not _is_duplicate_key_error(exc):
                raise
            dup_problems, _ = check_duplicates(comp)
            if not dup_problems:
                raise  # another unique constraint: not this file's fault
            outcome.errors = dup_problems
            outcome.error_count = len(dup_problems)
            outcome.rejected = len({p.row for p in dup_problems})
            return outcome
        outcome.inserted, outcome.updated = inserted, updated
        outcome.unchanged = outcome.rows_total - inserted - updated
        if d.vendor == "postgresql" and (inserted or updated):
            # Fresh statistics keep the next import's join plans right: a table the planner
            # believes empty gets nested loops that cost minutes. ANALYZE samples a fixed
            # number of rows, so it stays cheap at 10^7 payments.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {spec.table}")
        return outcome
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
            cursor.execute(f"DROP TABLE IF EXISTS {TYPED}")
            if d.vendor == "postgresql":
                cursor.execute("RESET work_mem")


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
