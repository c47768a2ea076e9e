"""Permission matrix for the working-day calendar pages (core.views.calendar)."""

from renda.core.tests.matrix_support import Entry, expect

EDITORS = ("staff", "system_admin")

MATRIX = {
    "core:calendar": Entry(expect(EDITORS)),
    "core:calendar_import": Entry(expect(EDITORS)),
    # A missing row is a harmless double click: editors are redirected back to the calendar.
    "core:calendar_day_delete": Entry(
        expect(EDITORS, ok=302), method="post", args=lambda w: [999999]
    ),
}
