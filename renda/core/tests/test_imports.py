"""The import framework (core.imports) with a tiny spec of its own: villages of a township."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from renda.core import imports
from renda.core.imports import Column, ImportContext, ImportRow, ImportSpec
from renda.core.imports import progress as import_progress
from renda.core.imports import tasks as import_tasks
from renda.core.models import AuditEvent, ImportBatch, Region
from renda.core.roles import Role, has_role
from renda.lib.idcard import id_check_digit

Status = ImportBatch.Status
KIND = "test-villages"


def good_id(serial: int = 1) -> str:
    first17 = f"43138119750501{serial % 1000:03d}"
    return first17 + id_check_digit(first17)


def bad_id() -> str:
    number = good_id(7)
    return number[:17] + ("0" if number[17] != "0" else "1")


class VillageSpec(ImportSpec):
    """Villages under the county; the code must be new, the parent township known."""

    kind = KIND
    title = "村（社区）"
    columns = (
        Column(
            "code",
            "区划代码",
            required=True,
            parse=imports.text(12),
            as_text=True,
            example="431381001201",
        ),
        Column(
            "name",
            "名称",
            required=True,
            parse=imports.text(50),
            aliases=("村名",),
            example="示例村",
        ),
        Column(
            "level",
            "类别",
            required=True,
            choices={"村": "village", "社区": "community"},
            example="村",
        ),
        Column("township", "所属乡镇（街道）", required=True, example="冷水江街道"),
        Column("chief_id", "负责人身份证号", parse=imports.id_number, as_text=True, sensitive=True),
        Column("founded", "设立日期", parse=imports.date_value),
    )
    fail_on_name = ""  # a name whose commit raises, to prove the rollback

    def can_import(self, user: Any) -> bool:
        return has_role(user, Role.STAFF)

    def prepare(self, context: ImportContext) -> None:
        context.data["townships"] = {
            r.name: r for r in Region.objects.filter(level__in=["township", "subdistrict"])
        }
        context.data["codes"] = set(Region.objects.values_list("code", flat=True))
        context.data["seen"] = {}

    def validate_row(self, row: ImportRow, context: ImportContext) -> None:
        if row["township"]:
            township = context.data["townships"].get(row["township"])
            if township is None:
                row.error("township", f"「{row['township']}」不是已有的乡镇或街道")
            row.values["township"] = township
        code = row["code"]
        if code:
            first = context.data["seen"].setdefault(code, row.number)
            if first != row.number:
                row.error("code", f"与第 {first} 行重复")
            elif code in context.data["codes"]:
                row.error("code", "该区划代码已存在")

    def commit(self, rows: Iterable[ImportRow], actor: Any, batch: ImportBatch) -> dict[str, Any]:
        created = 0
        for row in rows:
            if row["name"] == self.fail_on_name:
                raise ValidationError("模拟的写入失败")
            region = Region(
                code=row["code"], name=row["name"], level=row["level"], parent=row["township"]
            )
            region.full_clean()
            region.save()
            created += 1
            seen_progress.append(imports.published_progress(batch))
        return {"created": created}


SPEC = VillageSpec()
imports.register_spec(SPEC)
seen_progress: list[int] = []

HEADER = ["区划代码", "名称", "类别", "所属乡镇（街道）", "负责人身份证号", "设立日期"]


def rows_ok(n: int = 3) -> list[list[Any]]:
    return [
        [f"431381001{200 + i:03d}", f"第{i}村", "村", "冷水江街道", good_id(i), "2001-05-01"]
        for i in range(1, n + 1)
    ]


def csv_bytes(
    rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER, encoding: str = "utf-8"
) -> bytes:
    lines = [
        ",".join(header),
        *(",".join("" if v is None else str(v) for v in row) for row in rows),
    ]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(
    rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER, title_row: str | None = None
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title_row:
        sheet.append([title_row])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "村.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def start(world: Any, content: bytes, name: str = "村.csv") -> ImportBatch:
    return imports.start_import(actor=world.staff, kind=KIND, uploaded_file=upload(content, name))


def villages() -> int:
    return Region.objects.filter(level__in=["village", "community"]).count()


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    SPEC.fail_on_name = ""
    seen_progress.clear()


def test_it_validates_and_commits_a_csv_file(world: Any) -> None:
    batch = start(world, csv_bytes(rows_ok(3)))
    assert batch.status == Status.READY and batch.rows_total == 3 and batch.errors == []
    assert villages() == 0  # validation writes nothing
    done = imports.commit_import(actor=world.staff, batch=batch)
    assert done.status == Status.COMMITTED and done.rows_done == 3 and done.committed_at
    assert done.summary["created"] == 3
    assert sorted(Region.objects.filter(level="village").values_list("name", flat=True)) == [
        "第1村",
        "第2村",
        "第3村",
    ]
    actions = list(
        AuditEvent.objects.filter(target_id=str(batch.pk)).values_list("action", flat=True)
    )
    assert "import.start" in actions and "import.commit" in actions


def test_it_reads_xlsx_with_a_title_row_aliases_and_blank_trailing_rows(world: Any) -> None:
    header = ["区划代码", "村名", "类别", "所属乡镇(街道)", "负责人身份证号", "设立日期"]
    rows = [[r[0], r[1], r[2], r[3], r[4], dt.datetime(2001, 5, 1)] for r in rows_ok(2)] + [
        [None] * 6,
        [None] * 6,
    ]
    batch = start(
        world, xlsx_bytes(rows, header, title_row="冷水江街道村（社区）名单"), "名单.xlsx"
    )
    assert batch.status == Status.READY, batch.errors
    assert batch.rows_total == 2
    shown = imports.preview(batch)
    assert shown.headers == HEADER
    assert shown.rows[0][0] == 3  # title row 1, header row 2, first data row 3
    assert shown.rows[0][1][:3] == ["431381001201", "第1村", "村"]
    assert shown.rows[0][1][4] == good_id(1)[:6] + "********" + good_id(1)[-4:]  # masked
    assert shown.rows[0][1][5] == "2001-05-01"


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_it_reads_csv_in_the_encodings_excel_writes(world: Any, encoding: str) -> None:
    batch = start(world, csv_bytes(rows_ok(2), encoding=encoding))
    assert batch.status == Status.READY, batch.errors
    imports.commit_import(actor=world.staff, batch=batch)
    assert set(Region.objects.filter(level="village").values_list("name", flat=True)) == {
        "第1村",
        "第2村",
    }


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("村.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "不支持旧版 Excel（.xls）"),
        ("村.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "不支持「.doc」文件"),
        ("村.pdf", b"%PDF-1.4 ...", "不支持「.pdf」文件"),
        ("村.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Office 文件"),
        ("村.xlsx", "区划代码,名称\n1,2\n".encode(), "内容不是 Excel 工作簿"),
        ("村.csv", b"%PDF-1.4 ...", "PDF"),
        ("村.csv", b"\x00\x01\x02binary", "不是文本表格"),
        ("村", b"abc", "不支持「无扩展名」文件"),
    ],
)
def test_it_rejects_a_wrong_file_type_with_a_chinese_message(
    world: Any, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        start(world, content, name)
    assert message in caught.value.messages[0]
    assert not ImportBatch.objects.exists()
    assert AuditEvent.objects.filter(action="import.reject", outcome="failure").exists()


def test_it_rejects_a_word_document_renamed_to_xlsx(world: Any) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ValidationError, match="Word 文档"):
        start(world, buffer.getvalue(), "村.xlsx")


def test_it_rejects_an_xlsx_renamed_to_csv(world: Any) -> None:
    with pytest.raises(ValidationError, match="扩展名是 .csv，但内容是压缩文件"):
        start(world, xlsx_bytes(rows_ok(1)), "村.csv")


def test_it_rejects_an_oversized_file(world: Any, settings: Any) -> None:
    settings.IMPORT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as caught:
        start(world, csv_bytes(rows_ok(40)))
    assert "文件太大" in caught.value.messages[0] and "不能超过 1 KB" in caught.value.messages[0]
    assert not ImportBatch.objects.exists()


def test_it_rejects_too_many_rows(world: Any, settings: Any) -> None:
    settings.IMPORT_MAX_ROWS = 2
    with pytest.raises(ValidationError, match="超过 2 行数据"):
        start(world, csv_bytes(rows_ok(3)))


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "文件是空的"), (b"\r\n,,,\r\n", "没有任何内容"), (csv_bytes([]), "没有数据行")],
)
def test_it_rejects_a_file_without_data_rows(world: Any, content: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        start(world, content)
    assert not ImportBatch.objects.exists()


def test_a_missing_required_column_is_a_file_level_error(world: Any) -> None:
    header = ["区划代码", "类别", "所属乡镇（街道）"]
    batch = start(world, csv_bytes([["431381001201", "村", "冷水江街道"]], header))
    assert batch.status == Status.INVALID
    assert imports.error_text(batch.errors[0]) == "缺少必填列「名称」"
    assert batch.errors[0]["row"] is None
    assert villages() == 0


def test_it_reports_one_chinese_message_per_bad_cell_by_row_and_column(world: Any) -> None:
    rows = rows_ok(2) + [
        ["431381001201", "", "乡", "不存在镇", bad_id(), "2001-13-01"],  # row 4: everything wrong
        ["431381001202", "第五村", "社区", "冷水江街道", None, None],  # row 5: code repeats row 3
    ]
    batch = start(world, csv_bytes(rows))
    assert batch.status == Status.INVALID
    texts = [imports.error_text(e) for e in batch.errors]
    assert texts == [
        "第 4 行「区划代码」：与第 2 行重复",
        "第 4 行「名称」：必填，不能为空",
        "第 4 行「类别」：应填写村、社区之一",
        "第 4 行「所属乡镇（街道）」：「不存在镇」不是已有的乡镇或街道",
        "第 4 行「负责人身份证号」：身份证号校验位错误",
        "第 4 行「设立日期」：日期格式应为 2021-11-20（年-月-日）",
        "第 5 行「区划代码」：与第 3 行重复",
    ]
    assert batch.summary["error_count"] == 7
    assert not batch.file  # an invalid file is not kept
    assert villages() == 0
    with pytest.raises(ValidationError):
        imports.commit_import(actor=world.staff, batch=batch)
    assert villages() == 0


def test_it_checks_against_the_database(world: Any) -> None:
    batch = start(world, csv_bytes([["431381001", "重复的街道", "社区", "冷水江街道", None, None]]))
    assert [imports.error_text(e) for e in batch.errors] == [
        "第 2 行「区划代码」：该区划代码已存在"
    ]


def test_an_id_number_excel_turned_into_a_number_gets_a_clear_message(world: Any) -> None:
    row = rows_ok(1)[0]
    row[4] = float(good_id(1)[:17] + "1")
    batch = start(world, xlsx_bytes([row]), "村.xlsx")
    assert "被 Excel 当作数字保存" in imports.error_text(batch.errors[0])


def test_the_same_file_again_is_not_imported_twice(world: Any) -> None:
    content = csv_bytes(rows_ok(2))
    first = imports.commit_import(actor=world.staff, batch=start(world, content))
    again = start(world, content)
    assert again.pk == first.pk and again.status == Status.COMMITTED
    assert ImportBatch.objects.count() == 1
    assert villages() == 2
    assert AuditEvent.objects.filter(action="import.duplicate").exists()


def test_committing_twice_writes_nothing_twice(world: Any) -> None:
    batch = start(world, csv_bytes(rows_ok(2)))
    imports.commit_import(actor=world.staff, batch=batch)
    again = imports.commit_import(actor=world.staff, batch=batch)
    assert again.status == Status.COMMITTED
    assert villages() == 2
    assert AuditEvent.objects.filter(action="import.commit").count() == 1


def test_two_uploads_of_one_file_commit_once(world: Any) -> None:
    content = csv_bytes(rows_ok(2))
    first, second = start(world, content), start(world, content)
    assert first.pk != second.pk and second.status == Status.READY
    imports.commit_import(actor=world.staff, batch=first)
    closed = imports.commit_import(actor=world.staff, batch=second)
    assert closed.status == Status.DISCARDED and closed.summary["duplicate_of"] == first.pk
    assert villages() == 2


def test_a_failure_during_commit_writes_nothing(world: Any) -> None:
    batch = start(world, csv_bytes(rows_ok(3)))
    SPEC.fail_on_name = "第3村"  # the first two rows are written, then the third fails
    failed = imports.commit_import(actor=world.staff, batch=batch)
    assert failed.status == Status.FAILED
    assert [imports.error_text(e) for e in failed.errors] == ["第 4 行：模拟的写入失败"]
    assert villages() == 0
    assert AuditEvent.objects.filter(action="import.commit", outcome="failure").exists()
    SPEC.fail_on_name = ""
    retried = imports.commit_import(actor=world.staff, batch=failed)  # fixed: try again
    assert retried.status == Status.COMMITTED and villages() == 3


def test_it_revalidates_at_commit_time(world: Any) -> None:
    batch = start(world, csv_bytes(rows_ok(2)))
    Region.objects.create(
        code="431381001202", name="抢先登记的村", level="village", parent=world.township
    )
    failed = imports.commit_import(actor=world.staff, batch=batch)
    assert failed.status == Status.FAILED
    assert [imports.error_text(e) for e in failed.errors] == [
        "第 3 行「区划代码」：该区划代码已存在"
    ]
    assert villages() == 1


def test_a_long_file_commits_in_the_background_and_publishes_progress(
    world: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(import_tasks, "SYNC_COMMIT_MAX_ROWS", 2)
    monkeypatch.setattr(import_progress, "PROGRESS_INTERVAL", 0)
    batch = start(world, csv_bytes(rows_ok(5)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = imports.queue_commit_import(actor=world.staff, batch=batch)
    assert queued.status == Status.COMMITTING and villages() == 0
    assert (
        imports.queue_commit_import(actor=world.staff, batch=queued).status == Status.COMMITTING
    )  # 2nd click
    for callback in callbacks:
        callback()  # Huey is in immediate mode in tests: the task runs here
    batch.refresh_from_db()
    assert batch.status == Status.COMMITTED and batch.rows_done == 5 and villages() == 5
    # While the transaction was open the worker published 0, 1, 2, 3, 4 rows done.
    assert seen_progress == [0, 1, 2, 3, 4]
    assert imports.published_progress(batch) == 5


def test_discarding_deletes_the_stored_file(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    batch = start(world, csv_bytes(rows_ok(1)))
    path = batch.file.path
    with django_capture_on_commit_callbacks(execute=True):
        discarded = imports.discard_import(actor=world.staff, batch=batch)
    assert discarded.status == Status.DISCARDED and not discarded.file
    import os

    assert not os.path.exists(path)
    with pytest.raises(ValidationError):
        imports.commit_import(actor=world.staff, batch=discarded)
    assert villages() == 0


def test_a_committed_batch_cannot_be_discarded(world: Any) -> None:
    batch = imports.commit_import(actor=world.staff, batch=start(world, csv_bytes(rows_ok(1))))
    with pytest.raises(ValidationError, match="不能放弃"):
        imports.discard_import(actor=world.staff, batch=batch)


def test_the_stored_file_is_sealed(world: Any) -> None:
    batch = start(world, csv_bytes(rows_ok(1)))
    with batch.file.open("rb") as handle:
        stored = handle.read()
    assert good_id(1).encode() not in stored and "第1村".encode() not in stored


def test_only_permitted_users_import(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        imports.start_import(
            actor=world.deputy, kind=KIND, uploaded_file=upload(csv_bytes(rows_ok(1)))
        )
    assert not ImportBatch.objects.exists()


def test_the_template_has_headers_an_example_and_instructions(world: Any) -> None:
    workbook = load_workbook(io.BytesIO(imports.template_xlsx(SPEC)))
    assert workbook.sheetnames == ["村（社区）", "填写说明"]
    sheet = workbook["村（社区）"]
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["A2"].value == "431381001201" and sheet["A2"].number_format == "@"
    notes = [row[0] for row in workbook["填写说明"].iter_rows(values_only=True)]
    assert "名称" in notes and "区划代码" in notes


def test_the_unchanged_template_is_not_imported(world: Any) -> None:
    batch = start(world, imports.template_xlsx(SPEC), "模板.xlsx")
    assert batch.status == Status.INVALID
    assert imports.error_text(batch.errors[0]) == "第 2 行：这是模板自带的示例行，请删除后再导入"


def test_a_filled_in_template_round_trips(world: Any) -> None:
    workbook = load_workbook(io.BytesIO(imports.template_xlsx(SPEC)))
    sheet = workbook.worksheets[0]
    sheet.delete_rows(2)
    for row in rows_ok(2):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = start(world, buffer.getvalue(), "填好的模板.xlsx")
    assert batch.status == Status.READY, batch.errors
    assert imports.commit_import(actor=world.staff, batch=batch).status == Status.COMMITTED


def test_blank_rows_in_between_keep_excel_row_numbers(world: Any) -> None:
    rows = [
        *rows_ok(1),
        [None] * 6,
        [None] * 6,
        ["431381001209", "", "村", "冷水江街道", None, None],
    ]
    for name, content in (("村.xlsx", xlsx_bytes(rows)), ("村.csv", csv_bytes(rows))):
        batch = start(world, content, name)
        assert batch.rows_total == 2
        assert [imports.error_text(e) for e in batch.errors] == ["第 5 行「名称」：必填，不能为空"]


def test_a_stalled_background_commit_can_be_queued_again(
    world: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.utils import timezone

    monkeypatch.setattr(import_tasks, "SYNC_COMMIT_MAX_ROWS", 1)
    batch = start(world, csv_bytes(rows_ok(2)))
    with django_capture_on_commit_callbacks(execute=False):  # no worker picks the task up
        queued = imports.queue_commit_import(actor=world.staff, batch=batch)
    assert queued.status == Status.COMMITTING and not imports.is_stalled(queued)
    ImportBatch.objects.filter(pk=batch.pk).update(
        updated_at=timezone.now() - dt.timedelta(hours=1)
    )
    queued.refresh_from_db()
    assert imports.is_stalled(queued)
    with django_capture_on_commit_callbacks(execute=True):
        imports.queue_commit_import(actor=world.staff, batch=queued)
    queued.refresh_from_db()
    assert queued.status == Status.COMMITTED and villages() == 2


def _one_cell_bomb(expanded_mb: int) -> bytes:
    """A workbook whose one cell holds `expanded_mb` MB of one repeated letter: a few hundred
    KB on the wire, the whole of it in memory once openpyxl reads the cell."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook><sheets/></workbook>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
            chunk = b"A" * (1024 * 1024)
            for _ in range(expanded_mb):
                sheet.write(chunk)
            sheet.write(b"</t></is></c></row></sheetData></worksheet>")
    return buffer.getvalue()


def test_a_one_cell_xlsx_bomb_is_refused_before_it_is_parsed(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13 item 7: a 300 MB one-cell bomb passed the old 20 × size check and was parsed."""
    content = _one_cell_bomb(300)
    assert len(content) < 2 * 1024 * 1024

    def must_not_parse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("openpyxl opened the bomb")

    monkeypatch.setattr("openpyxl.load_workbook", must_not_parse)
    with pytest.raises(ValidationError) as caught:
        start(world, content, "村.xlsx")
    assert "解压后超过" in caught.value.messages[0] or "压缩比" in caught.value.messages[0]
    assert not ImportBatch.objects.exists()
    assert AuditEvent.objects.filter(action="import.reject", outcome="failure").exists()
