from __future__ import annotations

from decimal import Decimal

import pytest

from renda.exams.formats.aiken import export_aiken, parse_aiken

from .factories import examples

VALID = """中华人民共和国的一切权力属于（　）。
A) 人民
B) 国家机关
C.人民政府
ANSWER: A

我国的根本政治制度是（　）。
A. 人民代表大会制度
B. 多党合作制度
ANSWER: A
"""


def test_a_valid_file() -> None:
    result = parse_aiken(VALID, default_topic=("宪法",))
    assert result.errors == []
    first = result.questions[0]
    assert first.line == 1 and first.data.type == "single" and first.data.topic == ("宪法",)
    assert [(o.text, o.weight) for o in first.data.options] == [
        ("人民", Decimal(100)),
        ("国家机关", Decimal(0)),
        ("人民政府", Decimal(0)),
    ]
    assert result.questions[1].line == 7


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("A) 人民\nANSWER: A\n", 1, "选项出现在题干之前"),
        ("题干\nA) 甲\nB) 乙\nANSWER: D\n", 4, "不是本题的选项字母"),
        ("题干\nA) 甲\nC) 乙\nANSWER: A\n", 3, "选项字母应为 B"),
        ("题干\nA) 甲\nANSWER: A\n", 1, "至少要有两个选项"),
        ("题干\nA) 甲\nB) 乙\n", 1, "缺少“ANSWER: 字母”"),
        ("题干\n第二行题干\nA) 甲\nB) 乙\nANSWER: A\n", 2, "只能写在一行"),
        ("题干\nA) 甲\nB) 乙\nANSWER: A,B\n", 4, "只有单选题"),
        ("题干\nA) 甲\nB) 甲\nANSWER: A\n", 1, "重复"),
    ],
)
def test_errors_name_the_line(text: str, line: int, message: str) -> None:
    result = parse_aiken(text, default_topic=("宪法",))
    assert not result.ok
    assert any(e.line == line and message in e.message for e in result.errors), result.errors


def test_without_a_topic_the_file_is_refused() -> None:
    assert any("选择知识点" in e.message for e in parse_aiken(VALID).errors)


def test_export_keeps_only_single_choice_and_round_trips() -> None:
    text, skipped = export_aiken(examples())
    assert [d.code for d in skipped] == ["XF-0002", "XF-0003", "JD-0001", "JD-0002"]
    again = parse_aiken(text, default_topic=("宪法",))
    original = examples()[0]
    assert again.ok
    back = again.questions[0].data
    assert (back.stem, [(o.text, o.weight) for o in back.options]) == (
        original.stem,
        [(o.text, o.weight) for o in original.options],
    )
