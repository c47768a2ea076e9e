# ruff: noqa: S608
# The SQL here is assembled from the kind declarations (kinds.py); every value that comes
# from a file passes through quote() or int() before it reaches a statement.
"""Reading files: header matching, format and encoding detection, CSV and XLSX tables."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from renda.budget.ingest import kinds as k
from renda.budget.ingest.values import (
    HEADER_SCAN_ROWS,
    ImportRejected,
    Problem,
    clean_text,
    format_cell,
)
from renda.core.attachments import xlsx_limits
from renda.lib.xlsxcheck import XlsxRefused, check_xlsx

# --- reading files -------------------------------------------------------------------


def normalise_header(text: Any) -> str:
    value = clean_text(text) or ""
    value = value.replace("*", "").replace("＊", "").strip()
    # "金额（元）" and "金额(元)" are the column 金额.
    value = re.sub(r"[（(][^）)]*[）)]$", "", value).strip()
    return value.upper()


def header_lookup(spec: k.KindSpec) -> dict[str, str]:
    names: dict[str, str] = {}
    for column in spec.file_columns:
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
    rows_estimate: int = 0  # data rows the sheet declares (xlsx), 0 when unknown

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


def _refuse_bomb(path: Path) -> None:
    """The shared bomb check (expanded size, ratio, declared cells) from the zip directory,
    before openpyxl builds anything."""
    if not zipfile.is_zipfile(path):
        return  # not a zip at all: openpyxl's refusal says the file is broken
    with open(path, "rb") as handle:
        try:
            check_xlsx(handle, xlsx_limits())
        except XlsxRefused as exc:
            raise ImportRejected(str(exc)) from exc


def _open_xlsx(spec: k.KindSpec, path: Path) -> Table:
    from openpyxl import load_workbook

    _refuse_bomb(path)
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
        # The sheet's declared extent (Excel writes it; a generated file may not).
        rows_estimate=max((sheet.max_row or 0) - index - 1, 0),
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
