"""Reading and validating an import file: find the header, parse every cell, run the spec's
row checks and collect every error (one Chinese message per bad cell); the preview of a
stored batch."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from renda.core.models import ImportBatch
from renda.core.roles import Actor

from .files import FileProblem, max_rows, read_rows, sniff, unseal
from .parsers import as_text, normalise_header
from .specs import Column, ImportContext, ImportRow, ImportSpec, get_spec

# The header is row 1 of the template, but people often put a title above it: look this far.
HEADER_SEARCH_ROWS = 10


@dataclass
class Validation:
    columns: list[Column]  # the spec's columns found in the file, in spec order
    rows: list[ImportRow]
    errors: list[dict[str, Any]]  # file-level and cell errors, stored as JSON

    @property
    def error_count(self) -> int:
        return len(self.errors)


def error_text(error: Mapping[str, Any]) -> str:
    """ "第 5 行「身份证号」：身份证号校验位错误"; file-level errors are the message alone."""
    row, column, message = error.get("row"), error.get("column"), error.get("message", "")
    if row and column:
        return f"第 {row} 行「{column}」：{message}"
    if row:
        return f"第 {row} 行：{message}"
    return str(message)


def _find_header(
    spec: ImportSpec, rows: Iterator[tuple[int, list[Any]]]
) -> tuple[int, list[Any], list[tuple[int, list[Any]]]]:
    """Return (header row number, header cells, rows read before it that were not it)."""
    known = set().union(*(c.names for c in spec.columns))
    needed = min(2, len(spec.columns))
    seen: list[tuple[int, list[Any]]] = []
    for number, values in rows:
        if any(v is not None for v in values):
            matches = sum(1 for v in values if v is not None and normalise_header(v) in known)
            if matches >= needed:
                return number, values, seen
            seen.append((number, values))
            if len(seen) >= HEADER_SEARCH_ROWS:
                break
    if not seen:
        raise FileProblem("文件中没有任何内容")
    # No recognisable header: take the first non-empty row, so that every required column is
    # reported missing and the user sees what the template expects.
    return seen[0][0], seen[0][1], seen[1:]


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _header_positions(
    spec: ImportSpec, header: list[Any]
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Where each of the spec's columns is in the header row (column key → index), and the
    errors of the header: a column given twice, a required column missing."""
    errors: list[dict[str, Any]] = []
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        if cell is None:
            continue
        name = normalise_header(cell)
        for column in spec.columns:
            if name in column.names:
                if column.key in positions:
                    errors.append(
                        {
                            "row": None,
                            "column": column.header,
                            "message": f"「{column.header}」列出现了不止一次（第 {column_letter(positions[column.key])} 列和第 {column_letter(index)} 列）",
                        }
                    )
                else:
                    positions[column.key] = index
                break
    for column in spec.columns:
        if column.required and column.key not in positions:
            errors.append(
                {"row": None, "column": column.header, "message": f"缺少必填列「{column.header}」"}
            )
    return positions, errors


def _parse_row(
    number: int,
    values: list[Any],
    positions: dict[str, int],
    present: list[Column],
    examples: dict[str, str],
) -> ImportRow:
    """One data row with every cell of the present columns parsed (or its error noted)."""
    raw = {key: (values[i] if i < len(values) else None) for key, i in positions.items()}
    row = ImportRow(number=number, raw=raw, values={})
    for column in present:
        cell = raw[column.key]
        if cell is None:
            row.values[column.key] = None
            if column.required:
                row.error(column.key, "必填，不能为空")
            continue
        try:
            row.values[column.key] = column.convert(cell)
        except (ValueError, ValidationError) as exc:
            row.values[column.key] = None
            row.error(column.key, message_of(exc))
    if examples and all(raw[k] is not None and as_text(raw[k]) == v for k, v in examples.items()):
        row.error("", "这是模板自带的示例行，请删除后再导入")
    return row


def _read_table(
    spec: ImportSpec, file_type: str, content: bytes, *, limit: int | None = None
) -> Validation:
    rows_iter = read_rows(file_type, content)
    header_number, header, before = _find_header(spec, rows_iter)
    positions, errors = _header_positions(spec, header)
    present = [c for c in spec.columns if c.key in positions]
    examples = {c.key: as_text(c.example) for c in present if c.example not in ("", None)}

    def data_rows() -> Iterator[tuple[int, list[Any]]]:
        yield from ((n, v) for n, v in before if n > header_number)
        yield from rows_iter

    parsed: list[ImportRow] = []
    count = 0
    for number, values in data_rows():
        if all(v is None for v in values):
            continue  # blank rows, typically trailing, are not data
        count += 1
        if count > max_rows():
            raise FileProblem(f"文件超过 {max_rows():,} 行数据，请拆分成多个文件分批导入")
        parsed.append(_parse_row(number, values, positions, present, examples))
        if limit is not None and len(parsed) >= limit:
            break
    if not parsed and not errors:
        raise FileProblem(f"文件只有表头，没有数据行（数据应从第 {header_number + 1} 行开始填写）")
    return Validation(columns=present, rows=parsed, errors=errors)


def message_of(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(str(m) for m in exc.messages)
    return str(exc)


def validate_file(
    spec: ImportSpec,
    file_type: str,
    content: bytes,
    *,
    actor: Actor | None,
    limit: int | None = None,
) -> Validation:
    """Read, parse every cell, run the spec's row checks; collect every error."""
    result = _read_table(spec, file_type, content, limit=limit)
    context = ImportContext(
        spec=spec, actor=actor, present=frozenset(c.key for c in result.columns)
    )
    spec.prepare(context)
    order = {c.key: i for i, c in enumerate(spec.columns)}
    for row in result.rows:
        spec.validate_row(row, context)
        for key, message in sorted(row.errors, key=lambda e: order.get(e[0], -1)):
            result.errors.append(
                {"row": row.number, "column": spec.header_of(key), "message": message}
            )
    return result


def load_stored(batch: ImportBatch) -> bytes:
    if not batch.file:
        raise FileProblem("该批次的原始文件已不存在，请重新上传")
    try:
        with batch.file.open("rb") as handle:
            return unseal(handle.read())
    except FileNotFoundError:
        raise FileProblem("该批次的原始文件已不存在，请重新上传") from None


@dataclass
class Preview:
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    total: int


def preview(batch: ImportBatch, limit: int = 20) -> Preview:
    """The first `limit` rows as the system understood them (personal numbers masked)."""
    spec = get_spec(batch.kind)
    content = load_stored(batch)
    result = validate_file(
        spec,
        batch.summary.get("file_type") or sniff(batch.file_name, content),
        content,
        actor=None,
        limit=limit,
    )
    return Preview(
        headers=[c.header for c in result.columns],
        rows=[
            (row.number, [c.display(row.values.get(c.key)) for c in result.columns])
            for row in result.rows
        ],
        total=batch.rows_total,
    )
