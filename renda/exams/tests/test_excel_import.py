"""The Excel template through the import framework (core.imports), with a real .xlsx."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from renda.core import imports
from renda.core.models import ImportBatch
from renda.exams import services
from renda.exams.imports import HEADERS, QuestionImportSpec
from renda.exams.models import Question

pytestmark = pytest.mark.django_db


def _xlsx(rows: list[dict[str, Any]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row.get(h, None) for h in HEADERS])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("题库.xlsx", buffer.getvalue())


ROWS = [
    {
        "编号": "XF-1",
        "知识点": "宪法",
        "题型": "单选题",
        "题干": "一切权力属于（　）。",
        "选项A": "人民",
        "选项B": "国家机关",
        "答案": "A",
        "难度": 1,
        "分值": 2,
        "条文": "第二条",
        "标签": "宪法,总纲",
    },
    {
        "编号": "XF-2",
        "知识点": "宪法",
        "题型": "多选",
        "题干": "全国人大的职权有（　）。",
        "选项A": "修改宪法",
        "选项B": "决定特赦",
        "选项C": "选举监委主任",
        "答案": "A,C",
    },
    {
        "编号": "XF-3",
        "知识点": "宪法",
        "题型": "判断题",
        "题干": "常委会有权解释宪法。",
        "答案": "正确",
    },
    {
        "编号": "JD-1",
        "知识点": "监督法",
        "题型": "填空题",
        "题干": "常设机关是____。",
        "答案": "全国人大常委会|全国人民代表大会常务委员会",
    },
    {
        "编号": "JD-2",
        "知识点": "监督法",
        "题型": "简答题",
        "题干": "简述质询。",
        "参考答案": "要点……",
        "分值": 10,
    },
]


def test_a_real_workbook_imports_every_type(world: Any) -> None:
    batch = imports.start_import(
        actor=world.staff, kind="exam_questions", uploaded_file=_xlsx(ROWS)
    )
    assert batch.status == ImportBatch.Status.READY, batch.errors
    batch = imports.commit_import(actor=world.staff, batch=batch)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.errors
    multiple = Question.objects.get(code="XF-2").current
    assert multiple is not None
    assert [o["weight"] for o in multiple.options] == ["50", "0", "50"]
    assert Question.objects.get(code="XF-3").current.answer == {"truth": True}  # type: ignore[union-attr]
    assert (
        Question.objects.get(code="JD-1").current.answer["accepted"][1]
        == "全国人民代表大会常务委员会"
    )  # type: ignore[union-attr]
    assert Question.objects.get(code="JD-2").current.score == Decimal(10)  # type: ignore[union-attr]
    assert set(Question.objects.get(code="XF-1").tags.values_list("name", flat=True)) == {
        "宪法",
        "总纲",
    }


def test_bad_rows_are_named_and_nothing_is_written(world: Any) -> None:
    bad = [
        *ROWS[:2],
        {
            "知识点": "不存在的法",
            "题型": "单选题",
            "题干": "题",
            "选项A": "甲",
            "选项B": "乙",
            "答案": "A",
        },
        {
            "知识点": "宪法",
            "题型": "单选题",
            "题干": "题",
            "选项A": "甲",
            "选项B": "甲",
            "答案": "A",
        },
        {
            "知识点": "宪法",
            "题型": "多选题",
            "题干": "题",
            "选项A": "甲",
            "选项B": "乙",
            "答案": "A",
            "得分比例": "A:60",
        },
        {
            "知识点": "宪法",
            "题型": "单选题",
            "题干": "题",
            "选项A": "甲",
            "选项B": "乙",
            "答案": "E",
        },
    ]
    batch = imports.start_import(actor=world.staff, kind="exam_questions", uploaded_file=_xlsx(bad))
    assert batch.status == ImportBatch.Status.INVALID
    messages = {(e["row"], e["message"]) for e in batch.errors}
    assert any(row == 4 and "不存在" in m for row, m in messages)
    assert any(row == 5 and "重复" in m for row, m in messages)
    assert any(row == 6 and "现为 60%" in m for row, m in messages)
    assert any(row == 7 and "选项字母" in m for row, m in messages)
    assert not Question.objects.exists()


def test_the_excel_export_reads_back_through_the_template(world: Any) -> None:
    batch = imports.start_import(
        actor=world.staff, kind="exam_questions", uploaded_file=_xlsx(ROWS)
    )
    imports.commit_import(actor=world.staff, batch=batch)
    content, skipped = services.export_questions(
        actor=world.staff, questions=Question.objects.all(), format="xlsx"
    )
    assert skipped == []
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    again = imports.start_import(
        actor=world.staff,
        kind="exam_questions",
        uploaded_file=SimpleUploadedFile("导出.xlsx", content),
    )
    again = imports.commit_import(actor=world.staff, batch=again)
    assert again.status == ImportBatch.Status.COMMITTED, again.errors
    assert again.summary["unchanged"] == 5 and again.summary["create"] == 0


def test_the_template_downloads() -> None:
    content = imports.template_xlsx(QuestionImportSpec())
    assert [c.value for c in load_workbook(io.BytesIO(content)).worksheets[0][1]] == HEADERS
