"""Importing deputies from Excel/CSV (deputies.imports.DeputyImportSpec through core.imports),
with the 联络站 column that stations adds (stations/members.py): the file lives with stations
because it creates stations, which deputies' own tests may not import."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from renda.core import imports
from renda.core.fields import make_blind_index
from renda.core.models import AuditEvent, ImportBatch, Organization
from renda.deputies import services
from renda.deputies.models import Deputy, Level
from renda.deputies.tests.factories import make_deputy, make_id_number, make_term
from renda.stations.members import station_of
from renda.stations.services import create_station

Status = ImportBatch.Status

HEADER = [
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "政治面貌",
    "学历",
    "工作单位",
    "职务",
    "代表构成",
    "层级",
    "乡镇（街道）",
    "代表团（组）",
    "选区",
    "联络站",
    "身份证号",
    "手机号",
    "当选日期",
]


def row(name: str, id_number: str, **overrides: Any) -> list[Any]:
    values = {
        "姓名": name,
        "性别": None,
        "民族": "汉族",
        "出生日期": None,
        "政治面貌": "中共党员",
        "学历": "大学本科",
        "工作单位": "冷水江市锑业公司",
        "职务": "工人",
        "代表构成": "工人",
        "层级": "市级",
        "乡镇（街道）": "冷水江街道",
        "代表团（组）": "冷水江街道代表团",
        "选区": None,
        "联络站": "冷水江街道代表联络站",
        "身份证号": id_number,
        "手机号": "13912345678",
        "当选日期": dt.date(2021, 11, 20),
    }
    values.update(overrides)
    return [values[h] for h in HEADER]


def xlsx(rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for values in rows:
        sheet.append(list(values))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def start(world: Any, content: bytes, name: str = "代表名册.xlsx") -> ImportBatch:
    return imports.start_import(
        actor=world.staff, kind="deputies", uploaded_file=SimpleUploadedFile(name, content)
    )


@pytest.fixture
def registry(world: Any, settings: Any, tmp_path: Any) -> Any:
    """The city term with one delegation, a township congress with its term, one station."""
    settings.MEDIA_ROOT = tmp_path
    city = make_term(world)
    services.create_delegation(
        actor=None, term=city, name="冷水江街道代表团", region=world.township
    )
    township_congress = Organization.objects.create(
        name="禾青镇人民代表大会",
        code="HQ-RD",
        kind=Organization.Kind.TOWNSHIP_CONGRESS,
        region=world.other_township,
    )
    township = services.create_term(
        actor=None,
        congress=township_congress,
        level=Level.TOWNSHIP,
        number=19,
        start_date=dt.date(2021, 12, 1),
    )
    create_station(
        actor=None,
        code="LSJ-01",
        name="冷水江街道代表联络站",
        kind="station",
        region=world.township,
    )
    return {"city": city, "township": township}


def test_the_bad_input_file_gets_one_message_per_bad_cell_and_writes_nothing(
    world: Any, registry: Any
) -> None:
    """The issue's bad-input case: invalid ID checksum, unknown township, duplicate deputy
    (in the file and already registered) — one Chinese message per bad cell, by row."""
    already = make_deputy(world, name="李已登", id_number=make_id_number(serial=900))
    good = make_id_number(serial=901)
    wrong_checksum = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [
        row("王一", good),  # row 2: fine
        row("王二", wrong_checksum),  # row 3
        row("王三", make_id_number(serial=902), **{"乡镇（街道）": "桃花源镇"}),  # row 4
        row("王四", good),  # row 5: same person as row 2
        row("王五", already.id_number),  # row 6: already in this term
    ]
    before = Deputy.objects.count()
    batch = start(world, xlsx(rows))
    assert batch.status == Status.INVALID
    assert [imports.error_text(e) for e in batch.errors] == [
        "第 3 行「身份证号」：身份证号校验位错误",
        "第 4 行「乡镇（街道）」：「桃花源镇」不是系统中已有的乡镇或街道",
        "第 5 行「身份证号」：与第 2 行的身份证号重复（同一届同一人只能登记一次）",
        "第 6 行「身份证号」：该身份证号的代表在本届已登记，不能重复登记",
    ]
    assert Deputy.objects.count() == before


def test_a_missing_required_column_is_named(world: Any, registry: Any) -> None:
    header = [h for h in HEADER if h != "身份证号"]
    rows = [
        [v for h, v in zip(HEADER, row("王一", make_id_number()), strict=True) if h != "身份证号"]
    ]
    batch = start(world, xlsx(rows, header))
    assert batch.status == Status.INVALID
    assert [imports.error_text(e) for e in batch.errors] == ["缺少必填列「身份证号」"]
    assert not Deputy.objects.exists()


def test_cross_checks_with_the_id_number_and_the_registry(world: Any, registry: Any) -> None:
    number = make_id_number(dt.date(1980, 3, 4), serial=11)  # serial 011: odd → male
    rows = [
        row(
            "赵一",
            number,
            **{
                "性别": "女",
                "出生日期": "1980-03-05",
                "代表团（组）": "不存在代表团",
                "联络站": "没有的站",
                "手机号": "12345",
                "当选日期": "2099-01-01",
                "代表构成": "学生",
            },
        ),
    ]
    batch = start(world, xlsx(rows))
    assert [imports.error_text(e) for e in batch.errors] == [
        "第 2 行「性别」：与身份证号不一致（身份证号第 17 位奇数为男、偶数为女）",
        "第 2 行「出生日期」：与身份证号中的出生日期不一致",
        "第 2 行「代表构成」：应填写工人、农民、专业技术人员、党政领导干部、企业负责人、解放军、其他之一",
        "第 2 行「代表团（组）」：本届没有名为「不存在代表团」的代表团（组）：请先在系统中建立，或检查名称",
        "第 2 行「联络站」：「没有的站」不是系统中已有的代表联络站（点）",
        "第 2 行「手机号」：应为 11 位中国大陆手机号码",
        "第 2 行「当选日期」：当选日期不能晚于今天",
    ]


def test_a_township_without_a_current_term_is_reported(world: Any, registry: Any) -> None:
    batch = start(
        world, xlsx([row("钱一", make_id_number(), **{"层级": "乡镇级", "代表团（组）": None})])
    )
    assert [imports.error_text(e) for e in batch.errors] == [
        "第 2 行「层级」：冷水江街道的乡镇人大没有本届（当前届次）记录，请先建立届次"
    ]


def test_a_good_file_imports_into_the_right_terms(world: Any, registry: Any) -> None:
    city_id, town_id = (
        make_id_number(dt.date(1970, 1, 2), serial=21),
        make_id_number(dt.date(1985, 6, 7), serial=22),
    )
    rows = [
        row("孙市级", city_id),
        row(
            "周乡镇",
            town_id,
            **{
                "层级": "乡镇级",
                "乡镇（街道）": "禾青镇",
                "代表团（组）": None,
                "联络站": None,
                "手机号": None,
                "民族": None,
                "代表构成": "农民",
            },
        ),
    ]
    batch = start(world, xlsx(rows))
    assert batch.status == Status.READY, batch.errors
    shown = imports.preview(batch)
    assert shown.rows[0][1][0] == "孙市级"
    assert city_id not in str(shown.rows)  # ID numbers are masked in the preview
    done = imports.commit_import(actor=world.staff, batch=batch)
    assert done.status == Status.COMMITTED and done.summary["created"] == 2
    city = Deputy.objects.get(id_number_index=make_blind_index(city_id))
    station = station_of(city)
    assert city.delegation is not None and station is not None
    assert (city.term, city.delegation.name, station.name) == (
        registry["city"],
        "冷水江街道代表团",
        "冷水江街道代表联络站",
    )
    assert (city.birth_date, city.gender, city.mobile) == (dt.date(1970, 1, 2), "M", "13912345678")
    town = Deputy.objects.get(id_number_index=make_blind_index(town_id))
    assert (town.term, town.region, town.category, town.ethnicity) == (
        registry["township"],
        world.other_township,
        "farmer",
        "汉族",
    )
    assert town.mobile == ""
    # One audit event for the batch, none per deputy.
    assert not AuditEvent.objects.filter(action="deputy.create").exists()
    assert AuditEvent.objects.filter(action="import.commit", target_id=str(batch.pk)).count() == 1


def test_reimporting_the_same_file_is_a_no_op(world: Any, registry: Any) -> None:
    content = xlsx([row("吴一", make_id_number(serial=31)), row("吴二", make_id_number(serial=32))])
    imports.commit_import(actor=world.staff, batch=start(world, content))
    assert Deputy.objects.count() == 2
    again = start(world, content)
    assert again.status == Status.COMMITTED
    assert imports.commit_import(actor=world.staff, batch=again).status == Status.COMMITTED
    assert Deputy.objects.count() == 2 and ImportBatch.objects.count() == 1


def test_the_template_imports_once_filled_in(world: Any, registry: Any) -> None:
    workbook = load_workbook(io.BytesIO(imports.template_xlsx(imports.get_spec("deputies"))))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    sheet.delete_rows(2)
    sheet.append(row("郑一", make_id_number(serial=41)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = start(world, buffer.getvalue())
    assert batch.status == Status.READY, batch.errors
    assert imports.commit_import(actor=world.staff, batch=batch).status == Status.COMMITTED
    assert Deputy.objects.filter(name="郑一").exists()


def test_only_staff_import_deputies(world: Any, registry: Any) -> None:
    spec = imports.get_spec("deputies")
    assert spec.can_import(world.staff)
    assert not any(
        spec.can_import(world.users[p])
        for p in ("sc_member", "deputy", "system_admin", "audit_admin")
    )
