"""The import framework (DESIGN §5): template download, upload (.xlsx/.csv), validation with one
Chinese message per bad cell, preview, all-or-nothing commit, progress for long files and
idempotent re-import of the same file. Deputies, question banks, budget data and stations all
import through it.

An app describes one kind of import as an `ImportSpec` (its columns, cross-field and database
checks, and a `commit` that writes through the app's own services) and registers it with
`register_spec`. The services here do the rest:

    start_import   upload → stored (sealed) file, SHA-256, validation → INVALID or READY
    preview        the first rows as the system understood them
    queue_commit_import  small files commit at once; long ones go to a Huey worker
    commit_import  one transaction: re-validate, write every row through the spec, or nothing
    discard_import give up a batch that was not imported

Progress of a long commit: the rows are written inside ONE transaction (all or nothing), so a
`rows_done` column updated on the way would be invisible to the page that polls it until the
very end, and on SQLite a second connection could not even write it while the first holds the
write lock. The worker therefore publishes its count through Huey's key-value store, which
lives outside the business database (huey.sqlite3 or Redis, shared by web servers and
workers alike); `rows_done` in the batch row is written once, when the commit is final.
(On SQLite every other write — even saving a session — waits while the rows are written, a
few seconds for 10,000 rows; on PostgreSQL nothing waits.)

Adding a kind (see renda/deputies/imports.py for a full one):

    class StationImportSpec(ImportSpec):
        kind, title, back_url_name = "stations", "代表工作站点", "stations:list"
        columns = (
            Column("code", "编号", required=True, parse=text(20), example="LSJ-01"),
            Column("name", "名称", required=True, parse=text(100), example="冷水江街道代表联络站"),
        )
        def can_import(self, user): return can_manage_stations(user)
        def prepare(self, context): context.data["codes"] = set(Station.objects.values_list("code", flat=True))
        def validate_row(self, row, context):
            if row["code"] in context.data["codes"]:
                row.error("code", "该编号已存在")
        def commit(self, rows, actor, batch):
            for row in rows:
                services.create_station(actor=actor, code=row["code"], name=row["name"], ...)
            return {"created": ...}

    # in the app's AppConfig.ready():
    register_spec(StationImportSpec())

The pages (core.views.imports) then serve it at /imports/<kind>/. If roles other than staff
may import it, widen `core:import_list` in renda/core/tests/matrix_imports.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from renda.lib.idcard import id_number_problem, is_mobile, normalise_id_number

from . import audit, import_tasks
from .import_files import (
    INSTRUCTIONS_SHEET,
    FileProblem,
    human_size,
    max_bytes,
    max_rows,
    read_rows,
    seal,
    sniff,
    unseal,
)
from .models import ImportBatch

logger = logging.getLogger(__name__)

Status = ImportBatch.Status

# At most this many cell errors are stored and shown; the count says how many there were.
MAX_STORED_ERRORS = 1000
# Files up to this many rows commit inside the request; longer ones in a Huey worker while
# the page shows a progress bar.
SYNC_COMMIT_MAX_ROWS = 500
# How often (seconds) a committing worker publishes its row count.
PROGRESS_INTERVAL = 0.5
# A background commit not finished after this long may be started again.
STALLED_AFTER = dt.timedelta(minutes=15)
# The header is row 1 of the template, but people often put a title above it: look this far.
HEADER_SEARCH_ROWS = 10

COMMITTABLE = frozenset({Status.READY, Status.COMMITTING, Status.FAILED})
DISCARDABLE = frozenset({Status.READY, Status.INVALID, Status.FAILED})

Parser = Callable[[Any], Any]


# --- parsers: raw cell value → value, or ValueError with a Chinese message -----------------


def as_text(raw: Any) -> str:
    """A cell as text: numbers without a spurious '.0', dates as 2021-11-20."""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time.min else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


def text(max_length: int | None = None) -> Parser:
    def parse(raw: Any) -> str:
        value = as_text(raw)
        if max_length is not None and len(value) > max_length:
            raise ValueError(f"不能超过 {max_length} 个字（现有 {len(value)} 个字）")
        return value

    return parse


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m-%d %H:%M:%S")


def date_value(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    value = as_text(raw)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError("日期格式应为 2021-11-20（年-月-日）")


def integer(raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    try:
        return int(as_text(raw).replace(",", ""))
    except ValueError:
        raise ValueError("应为整数") from None


def decimal_value(raw: Any) -> Decimal:
    """Amounts: Decimal, never float (DESIGN §4.6); thousands separators are allowed."""
    try:
        return Decimal(as_text(raw).replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise ValueError("应为数字，如 1234.56") from None


def id_number(raw: Any) -> str:
    if isinstance(raw, float):
        # Excel shows an 18-digit number as 4.31381E+17 and keeps only 15 digits of it.
        raise ValueError(
            "身份证号被 Excel 当作数字保存，后几位已丢失：请把该列设为“文本”格式后重新填写"
        )
    value = normalise_id_number(as_text(raw))
    problem = id_number_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def mobile(raw: Any) -> str:
    value = as_text(raw).replace(" ", "").replace("-", "")
    if value.startswith("+86"):
        value = value[3:]
    if not is_mobile(value):
        raise ValueError("应为 11 位中国大陆手机号码")
    return value


def _mask(value: str) -> str:
    """Personal numbers in previews: enough to recognise a row, not enough to reuse."""
    if len(value) <= 7:
        return "*" * len(value)
    keep_head = 6 if len(value) >= 15 else 3
    return value[:keep_head] + "*" * (len(value) - keep_head - 4) + value[-4:]


def _normalise_header(value: Any) -> str:
    text_value = as_text(value) if value is not None else ""
    for full, half in (("（", "("), ("）", ")"), ("：", ":"), ("＊", "*")):
        text_value = text_value.replace(full, half)
    return "".join(text_value.split()).strip("*").lower()


# --- the declarative part ------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of an import file."""

    key: str  # name in code and in `ImportRow.values`
    header: str  # Chinese header, as in the template
    required: bool = False  # the column must exist and no cell may be blank
    parse: Parser | None = None  # raw value → value; raises ValueError("中文说明")
    choices: Mapping[str, Any] | None = (
        None  # Chinese label → stored value (a dropdown in the template)
    )
    aliases: tuple[str, ...] = ()  # other headers accepted for this column
    example: Any = ""  # the example row of the template
    help: str = ""  # the instructions sheet
    as_text: bool = False  # the template formats this column as text (long digit strings)
    sensitive: bool = False  # masked in previews (ID-card and mobile numbers)

    def convert(self, raw: Any) -> Any:
        if self.choices is not None:
            label = as_text(raw)
            if label in self.choices:
                return self.choices[label]
            if label in self.choices.values():
                return label
            raise ValueError(f"应填写{'、'.join(self.choices)}之一")
        return (self.parse or text())(raw)

    def display(self, value: Any) -> str:
        if value is None or value == "":
            return ""
        if self.choices is not None:
            for label, stored in self.choices.items():
                if stored == value:
                    return label
        shown = as_text(value)
        return _mask(shown) if self.sensitive else shown

    @property
    def names(self) -> set[str]:
        return {_normalise_header(self.header), *(_normalise_header(a) for a in self.aliases)}


@dataclass
class ImportRow:
    """One data row: `number` is the row number Excel shows (the header is row 1)."""

    number: int
    raw: dict[str, Any]
    values: dict[str, Any]
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column key or "", message)

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None else value

    def error(self, key: str, message: str) -> None:
        """Report a bad cell (`key` = column key) or a bad row (`key` = "")."""
        self.errors.append((key, message))

    def has_error(self, key: str) -> bool:
        return any(k == key for k, _ in self.errors)


@dataclass
class ImportContext:
    """Shared by `prepare` and every `validate_row` call of one validation pass. `data` holds
    what `prepare` loaded once (lookups), so that a row costs no query of its own."""

    spec: ImportSpec
    actor: Any
    present: frozenset[str]
    data: dict[str, Any] = field(default_factory=dict)


class ImportSpec:
    """One kind of import. Subclass, fill in the class attributes, register an instance."""

    kind: ClassVar[str] = ""
    title: ClassVar[str] = ""  # e.g. "代表名册"; the template's sheet and file name
    columns: ClassVar[tuple[Column, ...]] = ()
    notes: ClassVar[tuple[str, ...]] = ()  # general instructions, first on the instructions sheet
    back_url_name: ClassVar[str] = ""  # the list page the import belongs to

    def can_import(self, user: Any) -> bool:
        return False

    def prepare(self, context: ImportContext) -> None:
        """Load once what every row needs (lookups by name, existing keys)."""

    def validate_row(self, row: ImportRow, context: ImportContext) -> None:
        """Cross-field and database checks; report with `row.error(key, message)`. Called for
        every row, also rows with bad cells (whose values are None)."""

    def commit(self, rows: Iterable[ImportRow], actor: Any, batch: ImportBatch) -> dict[str, Any]:
        """Write every row through the owning app's services; return a summary (JSON). Raise
        ValidationError to abort: nothing of the batch is kept."""
        raise NotImplementedError

    def describe(self, summary: Mapping[str, Any]) -> str:
        """The result line shown after a commit."""
        return f"已导入 {summary.get('rows', 0)} 行"

    # helpers
    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def header_of(self, key: str) -> str:
        return self.column(key).header if key else ""


_REGISTRY: dict[str, ImportSpec] = {}


def register_spec(spec: ImportSpec) -> ImportSpec:
    existing = _REGISTRY.get(spec.kind)
    if not spec.kind or not spec.columns:
        raise ImproperlyConfigured(f"{type(spec).__name__}: kind and columns are required")
    if existing is not None and type(existing) is not type(spec):
        raise ImproperlyConfigured(f"import kind {spec.kind!r} is registered twice")
    keys = [c.key for c in spec.columns]
    if len(keys) != len(set(keys)):
        raise ImproperlyConfigured(f"{spec.kind}: duplicate column keys")
    _REGISTRY[spec.kind] = spec
    return spec


def get_spec(kind: str) -> ImportSpec:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise LookupError(f"no import spec for kind {kind!r}") from None


def all_specs() -> list[ImportSpec]:
    return sorted(_REGISTRY.values(), key=lambda s: s.kind)


# --- access (scoped fetches for the views) -------------------------------------------------


def specs_for_user(user: Any) -> list[ImportSpec]:
    return [spec for spec in all_specs() if spec.can_import(user)]


def get_spec_for_user(user: Any, kind: str) -> ImportSpec:
    try:
        spec = get_spec(kind)
    except LookupError:
        raise Http404("没有这种导入类型") from None
    if not spec.can_import(user):
        raise PermissionDenied("您无权导入此类数据。")
    return spec


def get_batch_for_user(user: Any, pk: int) -> ImportBatch:
    """Whoever may import a kind sees every batch of that kind (staff share the work)."""
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by"), pk=pk)
    get_spec_for_user(user, batch.kind)
    return batch


def recent_batches_for_user(user: Any, kind: str | None = None) -> QuerySet[ImportBatch]:
    kinds = [spec.kind for spec in specs_for_user(user)]
    qs = ImportBatch.objects.filter(created_by=user, kind__in=kinds)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-pk")


# --- reading and validating a file ---------------------------------------------------------


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
            matches = sum(1 for v in values if v is not None and _normalise_header(v) in known)
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


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _read_table(
    spec: ImportSpec, file_type: str, content: bytes, *, limit: int | None = None
) -> Validation:
    rows_iter = read_rows(file_type, content)
    header_number, header, before = _find_header(spec, rows_iter)
    errors: list[dict[str, Any]] = []
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        if cell is None:
            continue
        name = _normalise_header(cell)
        for column in spec.columns:
            if name in column.names:
                if column.key in positions:
                    errors.append(
                        {
                            "row": None,
                            "column": column.header,
                            "message": f"「{column.header}」列出现了不止一次（第 {_column_letter(positions[column.key])} 列和第 {_column_letter(index)} 列）",
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
                row.error(column.key, _message_of(exc))
        if examples and all(
            raw[k] is not None and as_text(raw[k]) == v for k, v in examples.items()
        ):
            row.error("", "这是模板自带的示例行，请删除后再导入")
        parsed.append(row)
        if limit is not None and len(parsed) >= limit:
            break
    if not parsed and not errors:
        raise FileProblem(f"文件只有表头，没有数据行（数据应从第 {header_number + 1} 行开始填写）")
    return Validation(columns=present, rows=parsed, errors=errors)


def _message_of(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(str(m) for m in exc.messages)
    return str(exc)


def validate_file(
    spec: ImportSpec, file_type: str, content: bytes, *, actor: Any, limit: int | None = None
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


# --- services ------------------------------------------------------------------------------


def _read_upload(uploaded_file: Any) -> bytes:
    limit = max_bytes()
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise FileProblem(
            f"文件太大（{human_size(size)}），导入文件不能超过 {human_size(limit)}：请拆分后分批导入"
        )
    uploaded_file.seek(0)
    content = uploaded_file.read(limit + 1)
    if len(content) > limit:
        raise FileProblem(f"文件太大，导入文件不能超过 {human_size(limit)}：请拆分后分批导入")
    return bytes(content)


def _reject(actor: Any, kind: str, file_name: str, message: str) -> ValidationError:
    audit.record(
        actor=actor,
        action="import.reject",
        outcome="failure",
        details={"kind": kind, "file_name": file_name, "reason": message},
    )
    return ValidationError(message)


def start_import(*, actor: Any, kind: str, uploaded_file: Any) -> ImportBatch:
    """Store and validate an upload. Returns the new batch (INVALID with its errors, or READY),
    or — when the very same file was already imported for this kind — that COMMITTED batch,
    untouched. Raises ValidationError (Chinese) when the file cannot be read as a table."""
    spec = get_spec(kind)
    if not spec.can_import(actor):
        audit.record(
            actor=actor,
            action="import.start",
            outcome="failure",
            details={"kind": kind, "reason": "permission"},
        )
        raise PermissionDenied("您无权导入此类数据。")
    file_name = os.path.basename(str(getattr(uploaded_file, "name", "") or ""))[:255]
    try:
        content = _read_upload(uploaded_file)
        file_type = sniff(file_name, content)
    except FileProblem as exc:
        raise _reject(actor, kind, file_name, exc.message) from None
    digest = hashlib.sha256(content).hexdigest()

    done = ImportBatch.objects.filter(kind=kind, sha256=digest, status=Status.COMMITTED).first()
    if done is not None:
        audit.record(
            actor=actor,
            action="import.duplicate",
            target=done,
            details={"kind": kind, "file_name": file_name, "duplicate_of": done.pk},
        )
        return done

    try:
        # Validation only reads; it runs outside the write transaction so that a long file
        # does not hold the database's write lock.
        result = validate_file(spec, file_type, content, actor=actor)
    except FileProblem as exc:
        raise _reject(actor, kind, file_name, exc.message) from None

    status = Status.INVALID if result.errors else Status.READY
    batch = ImportBatch(
        kind=kind,
        file_name=file_name or "未命名",
        sha256=digest,
        status=status,
        rows_total=len(result.rows),
        rows_done=0,
        errors=result.errors[:MAX_STORED_ERRORS],
        summary={
            "file_type": file_type,
            "error_count": result.error_count,
            "columns": [c.header for c in result.columns],
        },
        created_by=actor,
    )
    batch.full_clean(exclude=["file"])
    stored_name = ""
    with transaction.atomic():
        if status == Status.READY:
            # Only a file that can be imported is kept, sealed, until it is committed.
            batch.file.save(f"{uuid.uuid4().hex}.sealed", ContentFile(seal(content)), save=False)
            stored_name = batch.file.name or ""
        try:
            batch.save()
        except DatabaseError:
            if stored_name:
                batch.file.storage.delete(stored_name)
            raise
        audit.record(
            actor=actor,
            action="import.start",
            target=batch,
            outcome="success" if status == Status.READY else "failure",
            details={
                "kind": kind,
                "status": status,
                "rows": batch.rows_total,
                "errors": result.error_count,
                "file_name": batch.file_name,
            },
        )
    return batch


def _load(batch: ImportBatch) -> bytes:
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
    content = _load(batch)
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


def _progress_key(batch_pk: int) -> str:
    return f"renda:import-progress:{batch_pk}"


def published_progress(batch: ImportBatch) -> int:
    """Rows written so far by a running commit, as its worker last published them."""
    if batch.status != Status.COMMITTING:
        return batch.rows_done
    try:
        value = import_tasks.progress_store().get(_progress_key(batch.pk), peek=True)
    except Exception:  # progress is a courtesy; a broken store must not break the page
        logger.warning("import progress unavailable", exc_info=True)
        value = None
    return max(batch.rows_done, int(value or 0))


class _Progress:
    """Wraps the rows given to `spec.commit`: knows the current row (for error messages) and
    publishes the count now and then — only for a background commit: nobody polls a commit
    that runs inside the request."""

    def __init__(self, batch: ImportBatch) -> None:
        self.key = _progress_key(batch.pk)
        self.enabled = batch.status == Status.COMMITTING
        self.current: ImportRow | None = None
        self.done = 0
        self._last = 0.0

    def _publish(self) -> None:
        if not self.enabled:
            return
        try:
            import_tasks.progress_store().put(self.key, self.done)
        except Exception:
            logger.warning("could not publish import progress", exc_info=True)

    def iterate(self, rows: list[ImportRow]) -> Iterator[ImportRow]:
        for row in rows:
            self.current = row
            yield row
            self.done += 1
            now = time.monotonic()
            if now - self._last >= PROGRESS_INTERVAL:
                self._last = now
                self._publish()
        self.current = None
        self._publish()

    def clear(self) -> None:
        if not self.enabled:
            return
        try:
            import_tasks.progress_store().delete(self.key)
        except Exception:
            logger.warning("could not clear import progress", exc_info=True)


class _Abort(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _lock(batch: ImportBatch) -> ImportBatch:
    """Lock every batch of the same file (kind + SHA-256): two commits of one file, from one
    batch or from two uploads of it, run one after the other and the second sees the first."""
    same_file = list(
        ImportBatch.objects.select_for_update()
        .filter(kind=batch.kind, sha256=batch.sha256)
        .order_by("pk")
    )
    for candidate in same_file:
        if candidate.pk == batch.pk:
            return candidate
    raise ImportBatch.DoesNotExist


def _committable(batch: ImportBatch) -> bool:
    """True when the batch may be committed now; False when it already was (a no-op)."""
    if batch.status == Status.COMMITTED:
        return False
    if batch.status not in COMMITTABLE:
        raise ValidationError(f"该批次{batch.get_status_display()}，不能导入")
    return True


def _committed_twin(batch: ImportBatch) -> ImportBatch | None:
    return (
        ImportBatch.objects.filter(kind=batch.kind, sha256=batch.sha256, status=Status.COMMITTED)
        .exclude(pk=batch.pk)
        .first()
    )


def _row_error(row: ImportRow | None, message: str) -> list[dict[str, Any]]:
    return [{"row": row.number if row else None, "column": "", "message": message}]


def commit_import(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """All or nothing: re-validate the stored file (the database may have changed since the
    upload), then in ONE transaction write every row through the spec and mark COMMITTED. On
    any error nothing is written and the batch becomes FAILED with the reason. Committing a
    batch that is already committed, or a second batch of an already committed file, writes
    nothing."""
    spec = get_spec(batch.kind)
    current = ImportBatch.objects.get(pk=batch.pk)
    if not _committable(current):
        return current
    twin = _committed_twin(current)
    if twin is not None:
        with transaction.atomic():
            return _close_as_duplicate(actor, _lock(current), twin)
    # Re-validation only reads: it runs before the write transaction, so that the write lock
    # (SQLite has one for the whole database) is held only while rows are written. The spec's
    # services and the database constraints still guard against anything that changes between.
    try:
        content = _load(current)
        file_type = current.summary.get("file_type") or sniff(current.file_name, content)
        result = validate_file(spec, file_type, content, actor=actor)
    except FileProblem as exc:
        return _mark_failed(actor, current, _row_error(None, exc.message))
    if result.errors:
        return _mark_failed(actor, current, result.errors)

    progress = _Progress(current)
    try:
        with transaction.atomic():
            locked = _lock(current)
            if not _committable(locked):
                return locked
            twin = _committed_twin(locked)
            if twin is not None:
                return _close_as_duplicate(actor, locked, twin)
            try:
                summary = spec.commit(progress.iterate(result.rows), actor, locked) or {}
            except ValidationError as exc:
                # Rows are handed to the spec one at a time: the current one was rejected.
                raise _Abort(_row_error(progress.current, _message_of(exc))) from exc
            except DatabaseError as exc:
                # A bulk INSERT fails for a whole chunk: no single row to blame.
                logger.warning(
                    "import commit refused by the database (batch %s): %s", batch.pk, exc
                )
                raise _Abort(
                    _row_error(
                        None,
                        "数据库拒绝写入（可能与刚登记的数据冲突），已全部撤销；请重新上传文件校验",
                    )
                ) from exc
            locked.status = Status.COMMITTED
            locked.rows_total = locked.rows_done = len(result.rows)
            locked.summary = {**locked.summary, **summary, "rows": len(result.rows)}
            locked.errors = []
            locked.committed_at = timezone.now()
            locked.save()
            audit.record(
                actor=actor,
                action="import.commit",
                target=locked,
                details={"kind": locked.kind, "rows": len(result.rows), "summary": summary},
            )
    except _Abort as exc:
        return _mark_failed(actor, current, exc.errors)
    except ValidationError:
        raise
    except Exception:
        logger.exception("import commit crashed (batch %s)", batch.pk)
        return _mark_failed(
            actor,
            current,
            _row_error(None, "导入时发生系统错误，已全部撤销，没有写入任何数据；请联系系统管理员"),
        )
    finally:
        progress.clear()
    return locked


def _close_as_duplicate(actor: Any, batch: ImportBatch, twin: ImportBatch) -> ImportBatch:
    old_name = batch.file.name if batch.file else ""
    batch.status = Status.DISCARDED
    batch.summary = {**batch.summary, "duplicate_of": twin.pk}
    batch.file = ""  # type: ignore[assignment]
    batch.save()
    audit.record(
        actor=actor,
        action="import.duplicate",
        target=batch,
        details={"kind": batch.kind, "duplicate_of": twin.pk},
    )
    _delete_stored(batch, old_name)
    return batch


def _mark_failed(actor: Any, batch: ImportBatch, errors: list[dict[str, Any]]) -> ImportBatch:
    with transaction.atomic():
        fresh = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        fresh.status = Status.FAILED
        fresh.rows_done = 0
        fresh.errors = errors[:MAX_STORED_ERRORS]
        fresh.summary = {**fresh.summary, "error_count": len(errors)}
        fresh.save()
        audit.record(
            actor=actor,
            action="import.commit",
            target=fresh,
            outcome="failure",
            details={
                "kind": fresh.kind,
                "errors": len(errors),
                "first": error_text(errors[0]) if errors else "",
            },
        )
    return fresh


def is_stalled(batch: ImportBatch) -> bool:
    """A COMMITTING batch whose worker has not finished for a long time (the worker died, or
    no consumer runs): it may be queued again. A second run is harmless: it waits for the
    first one's lock and then finds the batch committed."""
    return batch.status == Status.COMMITTING and timezone.now() - batch.updated_at > STALLED_AFTER


def queue_commit_import(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """What the 确认导入 button calls: a small file commits now; a long one is marked
    COMMITTING and handed to a Huey worker, and the page polls its progress."""
    if batch.rows_total <= SYNC_COMMIT_MAX_ROWS:
        return commit_import(actor=actor, batch=batch)
    with transaction.atomic():
        locked = _lock(batch)
        if locked.status == Status.COMMITTED or (
            locked.status == Status.COMMITTING and not is_stalled(locked)
        ):
            return locked  # already queued or done: a second click does nothing
        if locked.status not in COMMITTABLE:
            raise ValidationError(f"该批次{locked.get_status_display()}，不能导入")
        locked.status = Status.COMMITTING
        locked.rows_done = 0
        locked.save(update_fields=["status", "rows_done", "updated_at"])
        audit.record(
            actor=actor,
            action="import.queue",
            target=locked,
            details={"kind": locked.kind, "rows": locked.rows_total},
        )
        actor_pk = getattr(actor, "pk", None)
        # After the COMMITTING state is visible to the worker's own connection.
        transaction.on_commit(lambda: import_tasks.commit_import_task(locked.pk, actor_pk))
    return locked


def _delete_stored(batch: ImportBatch, name: str) -> None:
    if name:
        storage = batch.file.storage
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def discard_import(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    locked = _lock(batch)
    if locked.status == Status.DISCARDED:
        return locked
    if locked.status not in DISCARDABLE:
        raise ValidationError(f"该批次{locked.get_status_display()}，不能放弃")
    old_name = locked.file.name if locked.file else ""
    locked.status = Status.DISCARDED
    locked.file = ""  # type: ignore[assignment]
    locked.save()
    audit.record(actor=actor, action="import.discard", target=locked, details={"kind": locked.kind})
    _delete_stored(locked, old_name)
    return locked


# --- the template ----------------------------------------------------------------------------


def template_xlsx(spec: ImportSpec) -> bytes:
    """The file staff fill in: headers (required ones in red), one example row, dropdowns for
    columns with fixed choices, text format for long numbers, and a 填写说明 sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = spec.title[:31]
    required_font = Font(bold=True, color="C00000")
    header_fill = PatternFill("solid", fgColor="F2F2F2")
    for index, column in enumerate(spec.columns, start=1):
        letter = _column_letter(index - 1)
        header = sheet.cell(row=1, column=index, value=column.header)
        header.font = required_font if column.required else Font(bold=True)
        header.fill = header_fill
        header.alignment = Alignment(horizontal="center")
        example = sheet.cell(
            row=2, column=index, value=column.example if column.example != "" else None
        )
        width = max(
            len(column.header) * 2 + 4,
            len(as_text(column.example)) + 4 if column.example else 0,
            10,
        )
        sheet.column_dimensions[letter].width = min(width, 40)
        if column.as_text:
            # Without text format Excel turns an ID-card number into 4.31381E+17.
            sheet.column_dimensions[letter].number_format = "@"
            example.number_format = "@"
            for row in range(3, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
        if column.choices:
            listed = ",".join(column.choices)
            if len(listed) <= 250:  # Excel's limit for an inline list
                rule = DataValidation(
                    type="list", formula1=f'"{listed}"', allow_blank=not column.required
                )
                rule.error = f"请从下拉列表中选择：{listed}"
                rule.errorTitle = column.header
                sheet.add_data_validation(rule)
                rule.add(f"{letter}2:{letter}10001")
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(INSTRUCTIONS_SHEET)
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 70
    notes.column_dimensions["D"].width = 24
    general = [
        f"本模板用于导入「{spec.title}」。第 1 行为列名，请勿修改；第 2 行为示例，导入前请删除或覆盖。",
        "红色列名为必填列。每行填写一条记录；空行会被忽略。",
        "整个文件全部正确才会导入；如有错误，系统会按“第几行、哪一列”逐条列出，改正后重新上传即可。",
        "同一个文件重复上传不会重复导入。",
        *spec.notes,
    ]
    for line in general:
        notes.append([line])
    notes.append([])
    notes.append(["列名", "是否必填", "填写要求", "示例"])
    for cell in notes[notes.max_row]:
        cell.font = Font(bold=True)
    for column in spec.columns:
        requirement = column.help
        if column.choices:
            requirement = (
                (requirement + "；" if requirement else "") + "可选值：" + "、".join(column.choices)
            )
        if column.aliases:
            requirement += f"（列名也可写作：{'、'.join(column.aliases)}）"
        notes.append(
            [
                column.header,
                "必填" if column.required else "选填",
                requirement,
                as_text(column.example),
            ]
        )
    for row in notes.iter_rows(min_row=1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
