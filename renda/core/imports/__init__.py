"""The import framework (docs/architecture.md §5): template download, upload (.xlsx/.csv), validation with one
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

The package, by concern: `specs` (ImportSpec, Column, the registry, scoped fetches for the
views), `parsers` (cell values), `files` (what a file really is, its rows, sealing the stored
copy), `validation` (header, cells, row checks, preview), `services` (start, commit, discard),
`progress` (a long commit's row count, published outside the database), `tasks` (the Huey
worker and the choice between committing now or in the background), `template` (the .xlsx to
fill in).

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
may import it, widen `core:import_list` in renda/tests/matrix_imports.py.
"""

from .files import FileProblem, human_size, max_bytes
from .parsers import as_text, date_value, decimal_value, id_number, integer, mobile, text
from .progress import published_progress
from .services import commit_import, discard_import, is_stalled, start_import
from .specs import (
    Column,
    ImportContext,
    ImportRow,
    ImportSpec,
    all_specs,
    get_batch_for_user,
    get_spec,
    get_spec_for_user,
    recent_batches_for_user,
    register_spec,
    specs_for_user,
)
from .tasks import queue_commit_import
from .template import template_xlsx
from .validation import Preview, Validation, error_text, preview, validate_file

__all__ = [
    "Column",
    "FileProblem",
    "ImportContext",
    "ImportRow",
    "ImportSpec",
    "Preview",
    "Validation",
    "all_specs",
    "as_text",
    "commit_import",
    "date_value",
    "decimal_value",
    "discard_import",
    "error_text",
    "get_batch_for_user",
    "get_spec",
    "get_spec_for_user",
    "human_size",
    "id_number",
    "integer",
    "is_stalled",
    "max_bytes",
    "mobile",
    "preview",
    "published_progress",
    "queue_commit_import",
    "recent_batches_for_user",
    "register_spec",
    "specs_for_user",
    "start_import",
    "template_xlsx",
    "text",
    "validate_file",
]
