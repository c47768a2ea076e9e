"""任前法律考试 data, by concern. The question bank (bank.py) comes first; papers, sittings
and attempts (later) point at `QuestionVersion`, never at `Question`, so that an attempt keeps
the exact wording, options and key it showed even after the question is edited."""

from .appointments import (
    AppointmentList,
    AppointmentRecord,
    ListState,
    Nomination,
    StudyMaterial,
    VoteResult,
)
from .attempts import (
    Answer,
    Attempt,
    AttemptEvent,
    AttemptState,
    EventKind,
    GradingState,
    SubmitReason,
)
from .bank import Question, QuestionStatus, QuestionTag, QuestionType, QuestionVersion, Topic
from .grading import GraderMark, GradingRound
from .papers import (
    TYPE_ORDER,
    Blueprint,
    BlueprintCell,
    FormLot,
    FormQuestion,
    Paper,
    PaperQuestion,
    ParallelForm,
    PositionCategory,
    Section,
)
from .sittings import Enrolment, ExamSitting, SittingMode

__all__ = [
    "AppointmentList",
    "AppointmentRecord",
    "ListState",
    "Nomination",
    "StudyMaterial",
    "VoteResult",
    "Answer",
    "Attempt",
    "AttemptEvent",
    "AttemptState",
    "EventKind",
    "GradingState",
    "GraderMark",
    "GradingRound",
    "SubmitReason",
    "TYPE_ORDER",
    "Blueprint",
    "BlueprintCell",
    "Enrolment",
    "ExamSitting",
    "FormLot",
    "FormQuestion",
    "Paper",
    "PaperQuestion",
    "ParallelForm",
    "PositionCategory",
    "Question",
    "QuestionStatus",
    "QuestionTag",
    "QuestionType",
    "QuestionVersion",
    "Section",
    "SittingMode",
    "Topic",
]
