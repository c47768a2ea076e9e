from __future__ import annotations

from decimal import Decimal

import pytest

from renda.exams.formats.moodle_xml import parse_moodle_xml

VALID = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/任前法律考试/宪法</text></category>
  </question>
  <question type="multichoice">
    <name><text>XF-0001</text></name>
    <questiontext format="html"><text><![CDATA[<p>一切权力属于<b>（　）</b>。</p>]]></text></questiontext>
    <generalfeedback format="html"><text>宪法第二条。</text></generalfeedback>
    <defaultgrade>2.0000000</defaultgrade>
    <single>true</single>
    <answer fraction="100" format="html"><text>人民</text><feedback><text>对</text></feedback></answer>
    <answer fraction="0" format="html"><text>国家机关</text></answer>
    <tags><tag><text>国家根本制度</text></tag></tags>
  </question>
  <question type="multichoice">
    <name><text>XF-0002</text></name>
    <questiontext format="plain_text"><text>多选</text></questiontext>
    <single>false</single>
    <answer fraction="33.33333"><text>甲</text></answer>
    <answer fraction="33.33333"><text>乙</text></answer>
    <answer fraction="33.33334"><text>丙</text></answer>
    <answer fraction="-100"><text>丁</text></answer>
  </question>
  <question type="truefalse">
    <questiontext><text>判断</text></questiontext>
    <answer fraction="0"><text>true</text></answer>
    <answer fraction="100"><text>false</text></answer>
  </question>
  <question type="shortanswer">
    <questiontext><text>填空____。</text></questiontext>
    <answer fraction="100"><text>全国人大常委会</text></answer>
  </question>
  <question type="essay">
    <questiontext><text>简答</text></questiontext>
    <graderinfo format="html"><text>&lt;p&gt;要点&lt;/p&gt;</text></graderinfo>
  </question>
</quiz>
"""


def test_a_valid_file() -> None:
    result = parse_moodle_xml(VALID)
    assert result.errors == []
    kinds = [p.data.type for p in result.questions]
    assert kinds == ["single", "multiple", "true_false", "fill_in", "short_answer"]
    first = result.questions[0]
    assert first.line == 6 and first.data.topic == ("宪法",)
    assert first.data.stem == "一切权力属于（　）。" and first.data.code == "XF-0001"
    assert first.data.score == Decimal(2) and first.data.tags == ("国家根本制度",)
    assert first.data.options[0].feedback == "对"
    assert sum(o.weight for o in result.questions[1].data.options if o.weight > 0) == 100
    assert result.questions[2].data.truth is False
    assert result.questions[4].data.reference_answer == "要点"


@pytest.mark.parametrize(
    "body, line, message",
    [
        ('<quiz>\n<question type="numerical">\n</question>\n</quiz>', 2, "不支持数值题"),
        ('<quiz>\n<question type="match"></question>\n</quiz>', 2, "不支持匹配题"),
        ("<quiz>\n<question>\n</quiz>", 3, "XML 格式错误"),
        ("<questions/>", 1, "根元素应为 <quiz>"),
        (
            '<quiz>\n<question type="category"><category><text>宪法</text></category></question>\n'
            '<question type="multichoice"><questiontext><text>题</text></questiontext>\n'
            '<answer fraction="50"><text>甲</text></answer><answer fraction="0"><text>乙</text></answer>\n'
            "</question>\n</quiz>",
            3,
            "单选题必须有一个得分比例为 100%",
        ),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY a "aaaa">]>\n<quiz>&a;</quiz>',
            2,
            "DOCTYPE",
        ),
    ],
)
def test_errors_name_the_line(body: str, line: int, message: str) -> None:
    result = parse_moodle_xml(body)
    assert not result.ok and not result.questions or not result.ok
    assert any(e.line == line and message in e.message for e in result.errors), result.errors


def test_an_external_entity_is_never_read(tmp_path: object) -> None:
    body = '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<quiz>&x;</quiz>'
    result = parse_moodle_xml(body)
    assert result.questions == [] and "DOCTYPE" in result.errors[0].message
