"""The only code that writes meetings' data. Other apps put items on an agenda with
`put_on_agenda` (naming their item as a core.sources.Source)."""

from .checkin import check_in_with_code, make_code, mark_paper_sign_in, read_code
from .closing import close_meeting, record_attendance
from .meetings import (
    create_meeting,
    invite_member,
    members_from_registry,
    open_meeting,
    put_on_agenda,
    record_outcome,
    record_source_outcome,
    remove_from_agenda,
)
from .notices import (
    confirm_attendance,
    decide_leave,
    mark_notice_read,
    notify_members,
    request_leave,
)

__all__ = [
    "check_in_with_code",
    "close_meeting",
    "confirm_attendance",
    "create_meeting",
    "decide_leave",
    "invite_member",
    "make_code",
    "mark_notice_read",
    "mark_paper_sign_in",
    "members_from_registry",
    "notify_members",
    "open_meeting",
    "put_on_agenda",
    "read_code",
    "record_attendance",
    "record_outcome",
    "record_source_outcome",
    "remove_from_agenda",
    "request_leave",
]
