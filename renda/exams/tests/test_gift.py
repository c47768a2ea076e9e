"""GIFT as Moodle writes it: categories, names, feedback, general feedback, weights, escapes;
every syntax error names its line and the file yields no question."""

from __future__ import annotations

from decimal import Decimal

import pytest

from renda.exams.formats.gift import parse_gift

VALID = """// 任前法律考试题库
$CATEGORY: $course$/任前法律考试/宪法

// [tag:国家根本制度] [difficulty:1] [score:2] [article:第二条]
::XF-0001::《宪法》规定，中华人民共和国的一切权力属于{=人民#正确 ~国家机关#不对 ~人民政府 ~人民代表大会####宪法第二条第一款。}。

::XF-0002::全国人民代表大会常务委员会有权解释宪法。{T####宪法第六十七条。}

::XF-0003::下列属于全国人大职权的有{
  ~%50%修改宪法
  ~%50%选举国家监察委员会主任
  ~%-100%决定特赦#这是常委会的职权
}

$CATEGORY: 任前法律考试/监督法

::JD-0001::常设机关是 {=全国人大常委会 =全国人民代表大会常务委员会}。

::JD-0002::简述询问与质询的区别。{}

::JD-0003::符号\\{大括号\\}、\\~波浪、\\=等号、\\#井号和\\:冒号照原样保留{FALSE}
"""


def test_a_valid_file_gives_every_question_with_its_category() -> None:
    result = parse_gift(VALID)
    assert result.errors == []
    by_code = {p.data.code: p for p in result.questions}
    assert list(by_code) == ["XF-0001", "XF-0002", "XF-0003", "JD-0001", "JD-0002", "JD-0003"]
    first = by_code["XF-0001"]
    assert first.line == 5 and first.data.topic == ("宪法",)
    assert first.data.type == "single"
    assert first.data.stem == "《宪法》规定，中华人民共和国的一切权力属于____。"
    assert [(o.text, o.weight, o.feedback) for o in first.data.options][:2] == [
        ("人民", Decimal(100), "正确"),
        ("国家机关", Decimal(0), "不对"),
    ]
    assert first.data.explanation == "宪法第二条第一款。"
    assert (first.data.tags, first.data.difficulty, first.data.article) == (
        ("国家根本制度",),
        1,
        "第二条",
    )
    assert by_code["XF-0002"].data.truth is True
    multiple = by_code["XF-0003"].data
    assert multiple.type == "multiple"
    assert [o.weight for o in multiple.options] == [Decimal(50), Decimal(50), Decimal(-100)]
    assert multiple.options[2].feedback == "这是常委会的职权"
    fill_in = by_code["JD-0001"].data
    assert fill_in.topic == ("监督法",) and fill_in.type == "fill_in"
    assert fill_in.accepted == ("全国人大常委会", "全国人民代表大会常务委员会")
    assert by_code["JD-0002"].data.type == "short_answer"
    escaped = by_code["JD-0003"].data
    assert escaped.stem == "符号{大括号}、~波浪、=等号、#井号和:冒号照原样保留"
    assert escaped.truth is False


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("$CATEGORY: 宪法\n\n题一{=甲 ~乙}\n\n题二{=甲 ~乙\n", 5, "缺少 }"),
        ("$CATEGORY: 宪法\n\n题一=甲 ~乙}\n", 3, "缺少 {"),
        ("$CATEGORY: 宪法\n\n// c\n::XF-1 题干{=甲 ~乙}\n", 4, "题目名称缺少结尾的 ::"),
        ("$CATEGORY: 宪法\n\n题一{=甲 ~乙}\n\n何年？{#1822:5}\n", 5, "不支持数值题"),
        ("$CATEGORY: 宪法\n\n配对{=甲->1 =乙->2}\n", 3, "不支持匹配题"),
        ("$CATEGORY: 宪法\n\n只有说明文字\n", 3, "没有答案部分"),
        ("$CATEGORY: 宪法\n\n题{~%5x%甲 ~乙}\n", 3, "得分比例"),
        ("$CATEGORY: 宪法\n\n题{~甲 ~乙}\n", 3, "没有正确答案"),
        ("$CATEGORY: 宪法\n\n题{~%50%甲 ~%40%乙 ~丙}\n", 3, "之和应为 100%，现为 90%"),
        ("$CATEGORY: 宪法\n\n题{=甲 ~甲 ~乙}\n", 3, "选项「甲」重复"),
        ("$CATEGORY: 宪法\n\n// [difficulty:难]\n题{T}\n", 3, "难度「难」"),
        ("题{T}\n", 1, "没有指定知识点"),
        ("$CATEGORY: 宪法\n\n题{=甲 ~乙} 又{=丙 ~丁}\n", 3, "只能有一个答案部分"),
    ],
)
def test_each_error_names_its_line_and_nothing_is_kept(text: str, line: int, message: str) -> None:
    result = parse_gift(text)
    assert not result.ok
    assert any(e.line == line and message in e.message for e in result.errors), result.errors
    assert f"第 {line} 行" in str(next(e for e in result.errors if e.line == line))


def test_a_default_topic_serves_a_file_without_categories() -> None:
    result = parse_gift("题{TRUE}\n", default_topic=("代表法",))
    assert result.ok and result.questions[0].data.topic == ("代表法",)
