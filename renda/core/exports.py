"""The one list-plus-Excel export: a list page names its columns once (header and how to read
the value from a row), and the export view hands them the same filtered queryset the page
shows. Every export is audited: a list of the congress's data left the system."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.http import HttpResponse
from django.utils import timezone

from renda.core import audit
from renda.lib.excel import xlsx_response

T = TypeVar("T")


@dataclass(frozen=True)
class Column(Generic[T]):
    header: str
    value: Callable[[T], Any]


def export_xlsx(
    *,
    title: str,
    columns: Sequence[Column[T]],
    rows: Iterable[T],
    actor: Any = None,
    action: str | None = None,
    details: dict[str, Any] | None = None,
    filename: str | None = None,
) -> HttpResponse:
    """An .xlsx of `rows` (streamed through openpyxl's write-only mode), named after the title
    and today's date unless `filename` is given, with an audit event `action` if given."""
    if action:
        audit.record(actor=actor, action=action, details=details or {})
    return xlsx_response(
        title,
        [c.header for c in columns],
        ([c.value(row) for c in columns] for row in rows),
        filename=filename or f"{title}-{timezone.localdate():%Y%m%d}.xlsx",
    )
