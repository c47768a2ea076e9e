"""The declarative part of the import framework: an app describes one kind of import as an
`ImportSpec` (its `Column`s, row checks and a `commit` through its own services) and registers
it; the registry and the scoped fetches the import pages use."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from renda.core.models import ImportBatch
from renda.core.roles import Actor

from .parsers import Parser, as_text, mask, normalise_header, text


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
        return mask(shown) if self.sensitive else shown

    @property
    def names(self) -> set[str]:
        return {normalise_header(self.header), *(normalise_header(a) for a in self.aliases)}


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
    actor: Actor | None
    present: frozenset[str]
    data: dict[str, Any] = field(default_factory=dict)


class ImportSpec:
    """One kind of import. Subclass, fill in the class attributes, register an instance."""

    kind: ClassVar[str] = ""
    title: ClassVar[str] = ""  # e.g. "代表名册"; the template's sheet and file name
    columns: ClassVar[tuple[Column, ...]] = ()
    notes: ClassVar[tuple[str, ...]] = ()  # general instructions, first on the instructions sheet
    back_url_name: ClassVar[str] = ""  # the list page the import belongs to

    def can_import(self, user: Actor) -> bool:
        return False

    def prepare(self, context: ImportContext) -> None:
        """Load once what every row needs (lookups by name, existing keys)."""

    def validate_row(self, row: ImportRow, context: ImportContext) -> None:
        """Cross-field and database checks; report with `row.error(key, message)`. Called for
        every row, also rows with bad cells (whose values are None)."""

    def commit(
        self, rows: Iterable[ImportRow], actor: Actor | None, batch: ImportBatch
    ) -> dict[str, Any]:
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


def specs_for_user(user: Actor) -> list[ImportSpec]:
    return [spec for spec in all_specs() if spec.can_import(user)]


def get_spec_for_user(user: Actor, kind: str) -> ImportSpec:
    try:
        spec = get_spec(kind)
    except LookupError:
        raise Http404("没有这种导入类型") from None
    if not spec.can_import(user):
        raise PermissionDenied("您无权导入此类数据。")
    return spec


def get_batch_for_user(user: Actor, pk: int) -> ImportBatch:
    """Whoever may import a kind sees every batch of that kind (staff share the work)."""
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by"), pk=pk)
    get_spec_for_user(user, batch.kind)
    return batch


def recent_batches_for_user(user: Actor, kind: str | None = None) -> QuerySet[ImportBatch]:
    kinds = [spec.kind for spec in specs_for_user(user)]
    qs = ImportBatch.objects.filter(created_by_id=user.pk, kind__in=kinds)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-pk")
