"""Permission matrix for every suggestions URL (renda/core/tests/test_permission_matrix.py).

The items are chosen so that the matrix also checks scoping: `detail` is another deputy's item
handled by another unit (the deputy and the officer personas get 404, not a hint); drafts are
the deputy persona's own (SC members never see drafts). POSTs carry no data: an allowed persona
gets its form back (200) or a redirect with a message (302) and nothing is written.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from renda.core.tests.matrix_support import Entry, expect

_media: Any = None


def _scene(world: Any) -> Any:
    from .factories import scene

    return scene(world, others=2)


def _use_temp_media() -> None:
    global _media
    if _media is None:  # uploads in the matrix go to a temp dir, never to ./media
        _media = override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="renda-matrix-"))
        _media.enable()


def just_scene(world: Any) -> list[Any]:
    _scene(world)
    return []


def own_draft(world: Any) -> list[int]:
    from .factories import draft

    return [draft(_scene(world)).pk]


def invited_draft(world: Any) -> list[int]:
    from renda.suggestions import services

    sc = _scene(world)
    other = sc.others[0]
    s = services.create_suggestion(
        actor=other.user,
        deputy=other,
        title="关于增设公交站点的建议",
        content="禾青镇至市区公交站点太少，群众出行不便。",
    )
    services.invite_cosigner(actor=other.user, subject=s, deputy=sc.me)
    return [s.pk]


def foreign_item(world: Any) -> list[int]:
    """Another deputy's item, handled by another unit."""
    from renda.suggestions import services

    sc = _scene(world)
    other = sc.others[0]
    s = services.create_suggestion(
        actor=other.user,
        deputy=other,
        title="关于修缮乡村公路的建议",
        content="禾青镇村道路面破损严重，请安排修缮。",
    )
    services.submit_suggestion(actor=other.user, suggestion=s)
    services.register_suggestion(actor=world.staff, suggestion=s, field="transport")
    services.assign_suggestion(
        actor=world.staff, suggestion=s, mode="lead", lead_unit=sc.other_unit
    )
    return [s.pk]


def submitted_item(world: Any) -> list[int]:
    from .factories import submitted

    return [submitted(_scene(world)).pk]


def assigned_item(world: Any) -> list[int]:
    from .factories import assigned

    return [assigned(_scene(world)).pk]


def replied_item(world: Any) -> list[int]:
    from .factories import replied

    return [replied(_scene(world)).pk]


def a_reply(world: Any) -> list[int]:
    from .factories import replied

    return [replied(_scene(world)).replies.get().pk]


def published_item(world: Any) -> list[int]:
    from renda.suggestions import services

    from .factories import replied

    s = replied(_scene(world))
    services.publish_suggestion(
        actor=world.staff, suggestion=s, title=s.title, content=s.content, reply="已改造。"
    )
    return [s.pk]


def an_attachment(world: Any) -> list[int]:
    from renda.suggestions import services

    from .factories import draft

    _use_temp_media()
    s = draft(_scene(world))
    pdf = SimpleUploadedFile("现场照片说明.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    return [services.add_attachment(actor=world.deputy, subject=s, uploaded=pdf).pk]


def own_motion(world: Any) -> list[int]:
    from renda.suggestions import services

    sc = _scene(world)
    return [
        services.create_motion(
            actor=world.deputy,
            deputy=sc.me,
            title="关于制定扬尘污染防治规定的议案",
            cause="扬尘污染严重。",
            basis="大气污染防治法。",
            plan="制定规定。",
        ).pk
    ]


def invited_motion(world: Any) -> list[int]:
    from renda.suggestions import services

    sc = _scene(world)
    other = sc.others[0]
    m = services.create_motion(
        actor=other.user,
        deputy=other,
        title="关于加强饮用水源保护的议案",
        cause="水源地受到污染。",
        basis="水污染防治法。",
        plan="划定保护区。",
    )
    services.invite_cosigner(actor=other.user, subject=m, deputy=sc.me)
    return [m.pk]


READERS = expect(["staff", "sc_member"])
STAFF = expect(["staff"])
DEPUTY = expect(["deputy"])
OFFICER = expect(["handling_officer"])
PUBLIC = dict.fromkeys(
    [
        "anonymous",
        "staff",
        "sc_member",
        "deputy",
        "handling_officer",
        "data_provider",
        "nominee",
        "system_admin",
        "security_admin",
        "audit_admin",
    ],
    200,
)


def post(expect_: dict[str, int], args: Any) -> Entry:
    return Entry(expect_, args=args, method="post")


def staff_form(args: Any) -> Entry:
    """A staff-only form on the detail page: an empty POST re-renders it with errors."""
    return post(STAFF, args)


def officer_form(args: Any) -> Entry:
    return post(OFFICER, args)


MATRIX = {
    # staff desk
    "suggestions:home": Entry(READERS),
    "suggestions:export": Entry(READERS),
    "suggestions:paper_create": Entry(STAFF),
    "suggestions:sittings": Entry(STAFF),
    "suggestions:stats": Entry(READERS),
    "suggestions:stats_export": Entry(READERS),
    # deputy
    "suggestions:deputy_home": Entry(DEPUTY, args=just_scene),
    "suggestions:create": Entry(DEPUTY, args=just_scene),
    # one item: another deputy's, another unit's → 404 for the deputy and the officer
    "suggestions:detail": Entry(
        {**READERS, "deputy": 404, "handling_officer": 404}, args=foreign_item
    ),
    "suggestions:edit": Entry({**DEPUTY, "staff": 403}, args=own_draft),
    "suggestions:submit": post({**expect(["deputy"], ok=302)}, own_draft),
    "suggestions:invite": post(DEPUTY, own_draft),
    "suggestions:cosign": post(expect(["deputy"], ok=302), invited_draft),
    "suggestions:attachment_add": post(
        {**expect(["deputy", "staff"]), "handling_officer": 404}, own_draft
    ),
    "suggestions:attachment": Entry(
        {**expect(["deputy", "staff"]), "sc_member": 404, "handling_officer": 404},
        args=an_attachment,
    ),
    "suggestions:transition": post(
        {**expect(["deputy", "staff"], ok=302), "handling_officer": 404}, own_draft
    ),
    "suggestions:register": staff_form(submitted_item),
    "suggestions:merge": staff_form(submitted_item),
    "suggestions:assign": staff_form(submitted_item),
    "suggestions:key": post(expect(["staff"], ok=302), submitted_item),
    "suggestions:publish": staff_form(replied_item),
    "suggestions:unpublish": staff_form(published_item),
    "suggestions:return": officer_form(assigned_item),
    "suggestions:opinion": officer_form(assigned_item),
    "suggestions:note_add": officer_form(assigned_item),
    "suggestions:reply": officer_form(assigned_item),
    "suggestions:rate": post(expect(["deputy", "staff"]), replied_item),
    "suggestions:reply_letter": Entry(
        expect(["staff", "sc_member", "deputy", "handling_officer"]), args=a_reply
    ),
    "suggestions:reply_scan": post(expect(["handling_officer"], ok=302), a_reply),
    # handling unit
    "suggestions:unit_home": Entry(OFFICER),
    "suggestions:unit_export": Entry(OFFICER),
    # public
    "suggestions:public_list": Entry(PUBLIC),
    "suggestions:public_detail": Entry(PUBLIC, args=published_item),
    # motions
    "suggestions:motion_list": Entry(READERS),
    "suggestions:motion_create": Entry(DEPUTY, args=just_scene),
    "suggestions:motion_detail": Entry(
        {**expect(["staff", "deputy"]), "sc_member": 404}, args=own_motion
    ),
    "suggestions:motion_edit": Entry(DEPUTY, args=own_motion),
    "suggestions:motion_submit": post(expect(["deputy"], ok=302), own_motion),
    "suggestions:motion_invite": post(DEPUTY, own_motion),
    "suggestions:motion_cosign": post(expect(["deputy"], ok=302), invited_motion),
    "suggestions:motion_decide": post(STAFF, own_motion),
    "suggestions:motion_transition": post(expect(["deputy", "staff"], ok=302), own_motion),
}
