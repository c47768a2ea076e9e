"""The demo county's question bank: `seed_exam_bank()` loads demo/bank.json (questions
written from statute text, each citing its article) as ready questions, numbered by law.

bank.json is a list of {"law", "type", "stem", "options": [{"text", "correct", "weight"}],
"answers" (fill-in), "answer" (true/false), "reference_answer" (short answer),
"explanation", "difficulty", "score", "article", "article_text", "tags"}. A law that is not
yet a topic becomes one. Loading twice changes nothing (codes are stable: law + number)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from ..formats.content import CHOICE_TYPES, FULL, OptionData, ParsedQuestion, QuestionData
from ..formats.defaults import DEFAULT_DIFFICULTY, default_score
from ..models import QuestionStatus

BANK = Path(__file__).with_name("bank.json")


def _options(item: dict[str, Any]) -> tuple[OptionData, ...]:
    options = []
    for option in item.get("options") or ():
        weight = option.get("weight")
        if weight is None:
            weight = FULL if option.get("correct") else 0
        options.append(OptionData(str(option["text"]), Decimal(str(weight))))
    return tuple(options)


def question_from(item: dict[str, Any], code: str) -> QuestionData:
    kind = item["type"]
    truth = item.get("answer")
    return QuestionData(
        type=kind,
        stem=item["stem"],
        options=_options(item) if kind in CHOICE_TYPES else (),
        accepted=tuple(item.get("answers") or ()),
        truth=bool(truth) if kind == "true_false" and truth is not None else None,
        reference_answer=item.get("reference_answer", "") if kind == "short_answer" else "",
        explanation=item.get("explanation", ""),
        difficulty=int(item.get("difficulty") or DEFAULT_DIFFICULTY),
        score=Decimal(str(item["score"])) if item.get("score") is not None else default_score(kind),
        article=item.get("article", ""),
        article_text=item.get("article_text", ""),
        tags=tuple(item.get("tags") or ()),
        topic=(item["law"],),
        code=code,
    )


@transaction.atomic
def seed_exam_bank(path: Path | None = None) -> dict[str, int]:
    """Load the demo bank (all or nothing); returns the import's counts."""
    from ..services import import_questions, plan_import

    items = json.loads((path or BANK).read_text(encoding="utf-8"))
    numbers: dict[str, int] = {}
    parsed = []
    laws = list(dict.fromkeys(item["law"] for item in items))
    for index, item in enumerate(items, start=1):
        law = item["law"]
        numbers[law] = numbers.get(law, 0) + 1
        code = f"DEMO-{laws.index(law) + 1:02d}-{numbers[law]:03d}"
        parsed.append(ParsedQuestion(index, question_from(item, code)))
    plan = plan_import(parsed, create_topics=True)
    counts = plan.counts()
    if plan.ok and not counts["create"] and not counts["update"]:
        return counts  # loaded already: a second seed writes nothing, not even an audit row
    return import_questions(
        actor=None,
        plan=plan,
        status=QuestionStatus.READY,
        source="demo",
        file_name=str((path or BANK).name),
    )


def load_demo_exams(*, actor: Any = None) -> dict[str, int]:
    """seed_demo's loader (portal MODULE_LOADERS): the demo bank, then the appointment list
    and its sittings (demo/sitting.py), each once; counts by label."""
    from .sitting import seed_demo_sitting

    counts = seed_exam_bank()
    return {"试题": counts["create"], "试题新版本": counts["update"], **seed_demo_sitting()}
