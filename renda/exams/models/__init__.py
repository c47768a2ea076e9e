"""任前法律考试 data, by concern. The question bank (bank.py) comes first; papers, sittings
and attempts (later) point at `QuestionVersion`, never at `Question`, so that an attempt keeps
the exact wording, options and key it showed even after the question is edited."""

from .bank import Question, QuestionStatus, QuestionTag, QuestionType, QuestionVersion, Topic

__all__ = ["Question", "QuestionStatus", "QuestionTag", "QuestionType", "QuestionVersion", "Topic"]
