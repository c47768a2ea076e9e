"""The only code that writes the exam tables. bank: topics and questions (create, edit = new
version, retire, restore, mark ready) and the audit of every look at the bank; transfer:
import (all or nothing) and export of question files."""

from .bank import (
    create_question,
    create_topic,
    edit_question,
    mark_question_ready,
    record_bank_list_view,
    record_question_view,
    rename_topic,
    restore_question,
    retire_question,
)
from .transfer import (
    ImportPlan,
    export_questions,
    import_questions,
    plan_import,
    record_import_refused,
)

__all__ = [
    "ImportPlan",
    "create_question",
    "create_topic",
    "edit_question",
    "export_questions",
    "import_questions",
    "mark_question_ready",
    "plan_import",
    "record_bank_list_view",
    "record_import_refused",
    "record_question_view",
    "rename_topic",
    "restore_question",
    "retire_question",
]
