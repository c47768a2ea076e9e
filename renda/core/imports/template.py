"""The file staff fill in for one kind of import (served by core.views.imports)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from .files import INSTRUCTIONS_SHEET
from .parsers import as_text
from .specs import Column, ImportSpec
from .validation import column_letter

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet


def template_xlsx(spec: ImportSpec) -> bytes:
    """The file staff fill in: headers (required ones in red), one example row, dropdowns for
    columns with fixed choices, text format for long numbers, and a 填写说明 sheet."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = spec.title[:31]
    for index, column in enumerate(spec.columns, start=1):
        _template_column(sheet, index, column)
    sheet.freeze_panes = "A2"
    _instructions(workbook, spec)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _template_column(sheet: Worksheet, index: int, column: Column) -> None:
    """Header, example, width, text format and dropdown of one column."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = column_letter(index - 1)
    header = sheet.cell(row=1, column=index, value=column.header)
    header.font = Font(bold=True, color="C00000") if column.required else Font(bold=True)
    header.fill = PatternFill("solid", fgColor="F2F2F2")
    header.alignment = Alignment(horizontal="center")
    example = sheet.cell(
        row=2, column=index, value=column.example if column.example != "" else None
    )
    width = max(
        len(column.header) * 2 + 4,
        len(as_text(column.example)) + 4 if column.example else 0,
        10,
    )
    sheet.column_dimensions[letter].width = min(width, 40)
    if column.as_text:
        # Without text format Excel turns an ID-card number into 4.31381E+17.
        sheet.column_dimensions[letter].number_format = "@"
        example.number_format = "@"
        for row in range(3, 1002):
            sheet.cell(row=row, column=index).number_format = "@"
    if column.choices:
        listed = ",".join(column.choices)
        if len(listed) <= 250:  # Excel's limit for an inline list
            rule = DataValidation(
                type="list", formula1=f'"{listed}"', allow_blank=not column.required
            )
            rule.error = f"请从下拉列表中选择：{listed}"
            rule.errorTitle = column.header
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}10001")


def _requirement(column: Column) -> str:
    requirement = column.help
    if column.choices:
        requirement = (
            (requirement + "；" if requirement else "") + "可选值：" + "、".join(column.choices)
        )
    if column.aliases:
        requirement += f"（列名也可写作：{'、'.join(column.aliases)}）"
    return requirement


def _instructions(workbook: Workbook, spec: ImportSpec) -> None:
    from openpyxl.styles import Alignment, Font

    notes = workbook.create_sheet(INSTRUCTIONS_SHEET)
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 70
    notes.column_dimensions["D"].width = 24
    general = [
        f"本模板用于导入「{spec.title}」。第 1 行为列名，请勿修改；第 2 行为示例，导入前请删除或覆盖。",
        "红色列名为必填列。每行填写一条记录；空行会被忽略。",
        "整个文件全部正确才会导入；如有错误，系统会按“第几行、哪一列”逐条列出，改正后重新上传即可。",
        "同一个文件重复上传不会重复导入。",
        *spec.notes,
    ]
    for line in general:
        notes.append([line])
    notes.append([])
    notes.append(["列名", "是否必填", "填写要求", "示例"])
    for cell in notes[notes.max_row]:
        cell.font = Font(bold=True)
    for column in spec.columns:
        required = "必填" if column.required else "选填"
        notes.append([column.header, required, _requirement(column), as_text(column.example)])
    for row in notes.iter_rows(min_row=1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
