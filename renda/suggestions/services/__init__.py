"""The only code that writes suggestions, motions and their handling (docs/architecture.md §4.1), one module
per stage: `drafting` (drafts, co-signers, submission), `registration` (code, merging, key
supervision, assignment), `handling` (returns, co-handling opinions, notes, attachments),
`replies` (reply and rating), `disclosure`, `motions`, `sittings`, and the nightly
`reminders`; `base` holds what they share.

Every service: keyword-only arguments with an explicit `actor`, one transaction, validation
with Chinese messages (a bad input writes nothing), the write, an audit event. State changes go
through `core.workflow.apply_transition`, which locks the row: of two staff assigning the same
item at once, the second finds it already assigned and gets a clear message.
"""

from renda.core.attachments import DOCUMENTS

from .base import check_upload, has_contact_data, redact
from .disclosure import publish_suggestion, unpublish_suggestion
from .drafting import (
    create_suggestion,
    invite_cosigner,
    respond_signature,
    submit_suggestion,
    update_draft,
)
from .handling import add_attachment, add_handling_note, return_assignment, submit_co_opinion
from .motions import MOTION_DECISIONS, create_motion, decide_motion, submit_motion, update_motion
from .registration import (
    assign_suggestion,
    merge_suggestion,
    register_suggestion,
    set_key_supervision,
    suggestion_code,
)
from .replies import attach_signed_scan, rate_suggestion, reply_suggestion
from .sittings import create_sitting, open_sitting

__all__ = [
    "DOCUMENTS",
    "MOTION_DECISIONS",
    "add_attachment",
    "add_handling_note",
    "assign_suggestion",
    "attach_signed_scan",
    "check_upload",
    "create_motion",
    "create_sitting",
    "create_suggestion",
    "decide_motion",
    "has_contact_data",
    "invite_cosigner",
    "merge_suggestion",
    "open_sitting",
    "publish_suggestion",
    "rate_suggestion",
    "redact",
    "register_suggestion",
    "reply_suggestion",
    "respond_signature",
    "return_assignment",
    "set_key_supervision",
    "submit_co_opinion",
    "submit_motion",
    "submit_suggestion",
    "suggestion_code",
    "unpublish_suggestion",
    "update_draft",
    "update_motion",
]
