"""Permission matrix of the alert, inquiry and escalation pages (merged by
renda/core/tests/test_permission_matrix.py)."""

from __future__ import annotations

import tempfile
from typing import Any

from django.test import override_settings

from renda.core.tests.matrix_support import Entry, expect

READERS = ["staff", "sc_member"]
HOME = ["staff", "sc_member", "data_provider"]
_media: Any = None


def _use_temp_media() -> None:
    global _media
    if _media is None:  # uploads in the matrix go to a temp dir, never to ./media
        _media = override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="renda-matrix-"))
        _media.enable()


def an_alert(world: Any) -> list[int]:
    from renda.budget.tests.alert_data import make_alert

    return [make_alert(world).pk]


def an_offered_alert(world: Any) -> list[int]:
    """An alert offered to the deputy persona."""
    from renda.budget.services import escalation
    from renda.budget.tests.alert_data import make_alert
    from renda.deputies.tests.factories import make_deputy

    deputy = make_deputy(world, user=world.deputy)
    alert = make_alert(world)
    escalation.offer_to_deputy(actor=world.staff, alert=alert, deputy=deputy)
    return [alert.pk]


def an_issued_letter(world: Any) -> list[int]:
    """Issued to 冷水江市财政局, the data-provider persona's organisation."""
    from renda.budget.tests.alert_data import issued_inquiry

    return [issued_inquiry(world).pk]


def a_draft_letter(world: Any) -> list[int]:
    from renda.budget.tests.alert_data import draft_inquiry

    return [draft_inquiry(world).pk]


def an_attachment(world: Any) -> list[int]:
    from renda.budget.tests.alert_data import pdf, responded_inquiry

    _use_temp_media()
    return [responded_inquiry(world, files=[pdf()]).attachments.get().pk]


def post(expected: dict[str, int], args: Any) -> Entry:
    return Entry(expected, args=args, method="post")


MATRIX = {
    "budget:alerts": Entry(expect(READERS)),
    "budget:alerts_export": Entry(expect(READERS)),
    "budget:alert_detail": Entry(expect(READERS), args=an_alert),
    # Staff with an empty form: refused next to the field (422), nothing written.
    "budget:alert_agenda": post(expect(["staff"], ok=422), an_alert),
    "budget:alert_agenda_remove": post(expect(["staff"], ok=422), an_alert),
    "budget:alert_offer": post(expect(["staff"], ok=422), an_alert),
    "budget:agenda": Entry(expect(READERS)),
    "budget:offered_alerts": Entry(expect(["deputy"])),
    "budget:alert_draft_suggestion": Entry(expect(["deputy"]), args=an_offered_alert),
    "budget:inquiries": Entry(expect(HOME)),
    # Without selected alerts staff are sent back to the alert list.
    "budget:inquiry_create": Entry(expect(["staff"], ok=302)),
    "budget:inquiry_detail": Entry(expect(HOME), args=an_issued_letter),
    # An empty button form: an error message and back to the letter.
    "budget:inquiry_transition": post(expect(["staff"], ok=302), an_issued_letter),
    # Staff with an empty form: refused next to the field (422), nothing written.
    "budget:inquiry_agenda": post(expect(["staff"], ok=422), an_issued_letter),
    "budget:inquiry_agenda_remove": post(expect(["staff"], ok=422), an_issued_letter),
    "budget:inquiry_respond": Entry(expect(["data_provider"]), args=an_issued_letter),
    "budget:inquiry_attachment": Entry(expect(HOME), args=an_attachment),
    "budget:inquiry_edit": Entry(expect(["staff"]), args=a_draft_letter),
    "budget:inquiry_docx": Entry(expect(HOME), args=an_issued_letter),
}
