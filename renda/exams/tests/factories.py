from __future__ import annotations

from decimal import Decimal
from typing import Any

from renda.exams.formats.content import OptionData, QuestionData
from renda.exams.models import Question, Topic


def law(name: str = "宪法") -> Topic:
    return Topic.objects.get(name=name, parent=None)


def single(**overrides: Any) -> QuestionData:
    values: dict[str, Any] = {
        "type": "single",
        "stem": "中华人民共和国的一切权力属于（　）。",
        "options": (
            OptionData("人民", Decimal(100), "宪法第二条"),
            OptionData("国家机关"),
            OptionData("人民政府"),
        ),
        "explanation": "宪法第二条第一款。",
        "difficulty": 1,
        "score": Decimal(2),
        "article": "第二条",
        "article_text": "中华人民共和国的一切权力属于人民。",
        "tags": ("国家根本制度",),
    }
    values.update(overrides)
    return QuestionData(**values)


def examples() -> list[QuestionData]:
    """One question of every type, with weights, feedback, escapes and a reference answer."""
    return [
        single(code="XF-0001", topic=("宪法",)),
        QuestionData(
            type="multiple",
            stem="下列属于全国人大职权的有（　）：{修改宪法} #1 = 选举~",
            options=(
                OptionData("修改宪法", Decimal("33.33333")),
                OptionData("决定特赦", Decimal(-50), "这是常委会的职权"),
                OptionData("选举国家监察委员会主任", Decimal("33.33334")),
                OptionData("批准省的建置", Decimal("33.33333")),
            ),
            difficulty=3,
            score=Decimal(3),
            article="第六十二条",
            tags=("全国人大", "职权"),
            topic=("宪法",),
            code="XF-0002",
        ),
        QuestionData(
            type="true_false",
            stem="全国人民代表大会常务委员会有权解释宪法。",
            truth=True,
            explanation="宪法第六十七条：解释宪法，监督宪法的实施。",
            difficulty=2,
            score=Decimal(1),
            topic=("宪法",),
            code="XF-0003",
        ),
        QuestionData(
            type="fill_in",
            stem="全国人民代表大会的常设机关是____。",
            accepted=("全国人民代表大会常务委员会", "全国人大常委会"),
            difficulty=1,
            score=Decimal("2.5"),
            article_law="宪法",
            article="第五十七条",
            topic=("监督法",),
            code="JD-0001",
        ),
        QuestionData(
            type="short_answer",
            stem="简述县级以上地方各级人大常委会的职权。\n（至少答出四点）",
            reference_answer="要点：（1）讨论、决定重大事项；\n（2）监督“一府一委两院”的工作。",
            explanation="宪法第一百零四条。",
            difficulty=4,
            score=Decimal(10),
            topic=("监督法",),
            code="JD-0002",
        ),
    ]


def make_question(
    actor: Any = None, data: QuestionData | None = None, topic: Topic | None = None, **kw: Any
) -> Question:
    from renda.exams import services

    return services.create_question(actor=actor, topic=topic or law(), data=data or single(), **kw)
