from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from renda.exams.demo import seed_exam_bank
from renda.exams.models import Question, QuestionStatus, Topic

pytestmark = pytest.mark.django_db

ITEMS = [
    {
        "law": "宪法",
        "type": "single",
        "stem": "一切权力属于（　）。",
        "options": [
            {"text": "人民", "correct": True, "weight": 100},
            {"text": "国家机关", "correct": False, "weight": 0},
        ],
        "explanation": "第二条",
        "difficulty": 1,
        "score": "2",
        "article": "第二条",
        "article_text": "……",
        "tags": ["宪法"],
    },
    {
        "law": "宪法",
        "type": "multiple",
        "stem": "多选（　）。",
        "options": [
            {"text": "甲", "correct": True, "weight": 33.33333},
            {"text": "乙", "correct": True, "weight": 33.33334},
            {"text": "丙", "correct": True, "weight": 33.33333},
            {"text": "丁", "correct": False, "weight": 0},
        ],
        "difficulty": 3,
        "score": "3",
        "article": "第六十二条",
    },
    {
        "law": "监督法",
        "type": "true_false",
        "stem": "判断。",
        "answer": False,
        "difficulty": 2,
        "score": "1",
    },
    {
        "law": "监督法",
        "type": "fill_in",
        "stem": "填空____。",
        "answers": ["甲", "乙"],
        "difficulty": 2,
        "score": "2",
    },
    {
        "law": "新法",
        "type": "short_answer",
        "stem": "简答。",
        "reference_answer": "要点",
        "difficulty": 4,
        "score": "10",
    },
]


def _file(tmp_path: Path, items: list[dict[str, Any]]) -> Path:
    path = tmp_path / "bank.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_loader_imports_ready_questions_once(tmp_path: Path) -> None:
    path = _file(tmp_path, ITEMS)
    assert seed_exam_bank(path)["create"] == 5
    assert Question.objects.filter(status=QuestionStatus.READY).count() == 5
    assert Topic.objects.filter(name="新法", parent=None).exists()
    assert Question.objects.get(code="DEMO-02-001").current.answer == {"truth": False}  # type: ignore[union-attr]
    assert seed_exam_bank(path) == {"create": 0, "update": 0, "unchanged": 5}


def test_a_bad_item_stops_the_whole_load(tmp_path: Path) -> None:
    bad = [
        *ITEMS,
        {
            "law": "宪法",
            "type": "single",
            "stem": "无答案",
            "options": [{"text": "甲", "correct": False}, {"text": "乙", "correct": False}],
        },
    ]
    with pytest.raises(ValidationError, match="第 6 行"):
        seed_exam_bank(_file(tmp_path, bad))
    assert not Question.objects.exists()


def test_the_shipped_bank_loads() -> None:
    counts = seed_exam_bank()
    assert counts["create"] == Question.objects.count() > 0
