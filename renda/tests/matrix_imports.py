"""Permission matrix for the import pages (core.views.imports).

Only the deputies import is registered so far, and only staff may use it; an app that
registers a spec for other roles must widen these entries (e.g. `import_list`)."""

from __future__ import annotations

from typing import Any

from renda.core.tests.matrix_support import Entry, expect


def a_batch(world: Any) -> list[int]:
    """A deputies batch that failed validation (a file with only a 姓名 column): it keeps no
    stored file, so the matrix run writes nothing to MEDIA_ROOT."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from renda.core import imports

    batch = imports.start_import(
        actor=world.staff,
        kind="deputies",
        uploaded_file=SimpleUploadedFile("名单.csv", "姓名\n张三\n".encode()),
    )
    return [batch.pk]


STAFF = ["staff"]

MATRIX = {
    "core:import_list": Entry(expect(STAFF)),
    "core:import_start": Entry(expect(STAFF), args=lambda w: ["deputies"]),
    "core:import_template": Entry(expect(STAFF), args=lambda w: ["deputies"]),
    "core:import_batch": Entry(expect(STAFF), args=a_batch),
    "core:import_progress": Entry(expect(STAFF), args=a_batch),
    # An invalid batch cannot be committed: staff are sent back to it with a message.
    "core:import_commit": Entry(expect(STAFF, ok=302), args=a_batch, method="post"),
    "core:import_discard": Entry(expect(STAFF, ok=302), args=a_batch, method="post"),
}
