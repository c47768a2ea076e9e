"""Excel/CSV import of deputies through the import framework (`core.imports`).

Decisions staff should know (also printed on the template's 填写说明 sheet):
- 层级 chooses the term: 市级 → the current term of the city congress; 乡镇级 → the current term
  of that township's congress. A deputy is registered in the term that is current now.
- 乡镇（街道）, 代表团（组）, 选区 and 联络站 must already exist (by name, or by code for regions
  and stations). An unknown name is an error rather than a new record: a typo would otherwise
  create a second delegation that nobody notices.
- 性别 and 出生日期 may be left blank; they are read from the ID-card number, and when given
  they must agree with it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils import timezone

from renda.accounts.permissions import can_manage_deputies
from renda.core.fields import make_blind_index
from renda.core.imports import (
    Column,
    ImportContext,
    ImportRow,
    ImportSpec,
    date_value,
    id_number,
    mobile,
    text,
)
from renda.core.models import ImportBatch, Region
from renda.lib.idcard import birth_date_from_id, gender_from_id

from .extensions import facts
from .models import Constituency, Delegation, Deputy, Level, Term

TOWNSHIP_LEVELS = (Region.Level.TOWNSHIP, Region.Level.SUBDISTRICT)
LEVEL_CHOICES = {label: value for value, label in Level.choices}
CATEGORY_CHOICES = {label: value for value, label in Deputy.Category.choices}
GENDER_CHOICES = {label: value for value, label in Deputy.Gender.choices}


class DeputyImportSpec(ImportSpec):
    kind = "deputies"
    title = "代表名册"
    back_url_name = "deputies:list"
    notes = (
        "层级填“市级”或“乡镇级”：市级代表登记到市人大本届，乡镇级代表登记到所在乡镇人大本届。",
        "乡镇（街道）、代表团（组）、选区、联络站须是系统中已有的名称（乡镇和联络站也可填编码）；"
        "名称不存在时会报错，不会自动新建。",
        "身份证号、手机号列请设为“文本”格式，否则 Excel 会把身份证号变成 4.31381E+17。",
        "同一届内同一身份证号只能登记一次；已在系统中登记的代表不会重复导入。",
    )
    columns: ClassVar[tuple[Column, ...]] = (
        Column("name", "姓名", required=True, parse=text(50), example="张建国"),
        Column(
            "gender",
            "性别",
            choices=GENDER_CHOICES,
            example="男",
            help="可不填，按身份证号确定；填写时须与身份证号一致",
        ),
        Column("ethnicity", "民族", parse=text(20), example="汉族", help="不填时为汉族"),
        Column(
            "birth_date",
            "出生日期",
            parse=date_value,
            example=dt.date(1975, 5, 1),
            help="可不填，按身份证号确定；格式如 1975-05-01",
        ),
        Column(
            "party",
            "政治面貌",
            required=True,
            parse=text(30),
            example="中共党员",
            help="如 中共党员、民盟盟员、无党派人士、群众",
        ),
        Column("education", "学历", parse=text(30), example="大学本科"),
        Column("employer", "工作单位", parse=text(100), example="冷水江市锑业公司"),
        Column("occupation", "职务", parse=text(100), example="工人"),
        Column("category", "代表构成", required=True, choices=CATEGORY_CHOICES, example="工人"),
        Column(
            "level",
            "层级",
            required=True,
            choices=LEVEL_CHOICES,
            aliases=("代表层级", "级别"),
            example="市级",
        ),
        Column(
            "region",
            "乡镇（街道）",
            required=True,
            parse=text(50),
            aliases=("乡镇", "街道", "所在乡镇（街道）", "所在乡镇"),
            example="冷水江街道",
            help="系统中已有的乡镇或街道名称，或 9 位区划代码",
        ),
        Column(
            "delegation",
            "代表团（组）",
            parse=text(100),
            aliases=("代表团", "代表小组", "代表组"),
            help="本届已有的代表团（组）名称",
        ),
        Column("constituency", "选区", parse=text(100), help="本届已有的选区名称"),
        Column(
            "id_number",
            "身份证号",
            required=True,
            parse=id_number,
            as_text=True,
            sensitive=True,
            aliases=("身份证号码", "公民身份号码"),
            example="431381197505010019",
            help="18 位，末位可为 X；请设为文本格式",
        ),
        Column(
            "mobile",
            "手机号",
            parse=mobile,
            as_text=True,
            sensitive=True,
            aliases=("手机号码", "手机", "联系电话"),
            example="13912345678",
        ),
        Column(
            "elected_on",
            "当选日期",
            required=True,
            parse=date_value,
            example=dt.date(2021, 11, 20),
            help="格式如 2021-11-20",
        ),
    )

    def can_import(self, user: Any) -> bool:
        return can_manage_deputies(user)

    # --- validation ----------------------------------------------------------------------

    def prepare(self, context: ImportContext) -> None:
        regions_by_name: dict[str, list[Region]] = defaultdict(list)
        regions_by_code: dict[str, Region] = {}
        for region in Region.objects.filter(level__in=TOWNSHIP_LEVELS):
            regions_by_name[region.name].append(region)
            regions_by_code[region.code] = region
        terms = list(Term.objects.filter(is_current=True).select_related("congress"))
        city_terms = {t.congress.region_id: t for t in terms if t.level == Level.CITY}
        township_terms = {t.congress.region_id: t for t in terms if t.level == Level.TOWNSHIP}
        delegations = {(d.term_id, d.name): d for d in Delegation.objects.filter(term__in=terms)}
        constituencies = {
            (c.term_id, c.name): c for c in Constituency.objects.filter(term__in=terms)
        }
        registered = set(
            Deputy.objects.filter(term__in=terms).values_list("term_id", "id_number_index")
        )
        context.data.update(
            regions_by_name=regions_by_name,
            regions_by_code=regions_by_code,
            city_terms=city_terms,
            township_terms=township_terms,
            delegations=delegations,
            constituencies=constituencies,
            resolvers={fact.name: fact.resolver() for fact in facts()},
            registered=registered,
            seen={},
            today=timezone.localdate(),
        )

    def validate_row(self, row: ImportRow, context: ImportContext) -> None:
        data = context.data
        region = self._region(row, data)
        term = self._term(row, data, region)
        row.values["term"] = term
        if term is not None:
            for key, lookup in (("delegation", "delegations"), ("constituency", "constituencies")):
                name = row[key]
                if name:
                    found = data[lookup].get((term.pk, name))
                    if found is None:
                        label = "代表团（组）" if key == "delegation" else "选区"
                        row.error(
                            key, f"本届没有名为「{name}」的{label}：请先在系统中建立，或检查名称"
                        )
                    row.values[key] = found
        self._resolve_facts(row, data)
        self._check_identity(row)
        if row["elected_on"] and row["elected_on"] > data["today"]:
            row.error("elected_on", "当选日期不能晚于今天")
        if row["ethnicity"] is None:
            row.values["ethnicity"] = "汉族"
        number = row["id_number"]
        if number and term is not None:
            seat = (term.pk, number)
            first = data["seen"].setdefault(seat, row.number)
            if first != row.number:
                row.error("id_number", f"与第 {first} 行的身份证号重复（同一届同一人只能登记一次）")
            elif (term.pk, make_blind_index(number)) in data["registered"]:
                row.error("id_number", "该身份证号的代表在本届已登记，不能重复登记")

    @staticmethod
    def _region(row: ImportRow, data: dict[str, Any]) -> Region | None:
        value = row["region"]
        if not value:
            return None
        region = data["regions_by_code"].get(value)
        if region is None:
            matches = data["regions_by_name"].get(value, [])
            if len(matches) > 1:
                row.error("region", f"有多个名为「{value}」的乡镇（街道），请改填区划代码")
                return None
            region = matches[0] if matches else None
        if region is None:
            row.error("region", f"「{value}」不是系统中已有的乡镇或街道")
        row.values["region"] = region
        return region

    @staticmethod
    def _term(row: ImportRow, data: dict[str, Any], region: Region | None) -> Term | None:
        level = row["level"]
        if level is None or region is None:
            return None
        if level == Level.CITY:
            city_terms: dict[int, Term] = data["city_terms"]
            term = city_terms.get(region.parent_id or 0)
            if term is None and len(city_terms) == 1:
                term = next(iter(city_terms.values()))
            if term is None:
                row.error("level", "市人大没有本届（当前届次）记录，请先建立届次")
            return term
        term = data["township_terms"].get(region.pk)
        if term is None:
            row.error("level", f"{region.name}的乡镇人大没有本届（当前届次）记录，请先建立届次")
        return term

    @staticmethod
    def _resolve_facts(row: ImportRow, data: dict[str, Any]) -> None:
        """The columns other apps keep (deputies/extensions.py): each cell to its value."""
        for name, resolve in data["resolvers"].items():
            if not row[name]:
                continue
            try:
                row.values[name] = resolve(row[name])
            except ValidationError as error:
                row.error(name, "；".join(error.messages))
                row.values[name] = None

    @staticmethod
    def _check_identity(row: ImportRow) -> None:
        number = row["id_number"]
        if not number:
            return
        birth = birth_date_from_id(number)
        gender = gender_from_id(number)
        if row["birth_date"] is None:
            row.values["birth_date"] = birth
        elif row["birth_date"] != birth:
            row.error("birth_date", "与身份证号中的出生日期不一致")
        if row["gender"] is None:
            row.values["gender"] = gender
        elif row["gender"] != gender:
            row.error("gender", "与身份证号不一致（身份证号第 17 位奇数为男、偶数为女）")

    # --- writing -------------------------------------------------------------------------

    def commit(self, rows: Iterable[ImportRow], actor: Any, batch: ImportBatch) -> dict[str, Any]:
        # One service call for the whole file: `create_deputy` per row costs ~11 queries a
        # row (≈50 s for 10,000 rows on SQLite); the bulk service checks the same rules
        # set-wise. Rows are handed over lazily, so progress and error rows stay exact.
        from . import services

        records = (
            {
                "term": row["term"],
                **{key: row.get(key, "") for key in _TEXT_FIELDS},
                **{key: row[key] for key in _OBJECT_FIELDS},
                "facts": {f.name: row[f.name] for f in facts() if row[f.name]},
            }
            for row in rows
        )
        created = services.create_deputies_in_bulk(actor=actor, records=records, audit_event=False)
        return {"created": created}

    def describe(self, summary: Any) -> str:
        return f"已登记 {summary.get('created', 0)} 名代表"


# Blank optional text becomes "" (the model's blank), optional links and dates stay None.
_TEXT_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "party",
    "education",
    "employer",
    "occupation",
    "category",
    "id_number",
    "mobile",
)
_OBJECT_FIELDS = ("birth_date", "region", "delegation", "constituency", "elected_on")


def add_fact_column(column: Column) -> None:
    """A column of a fact another app keeps, after the deputies' own links (选区)."""
    keys = [c.key for c in DeputyImportSpec.columns]
    if column.key in keys:
        return
    at = keys.index("constituency") + 1
    base = DeputyImportSpec.columns
    DeputyImportSpec.columns = (*base[:at], column, *base[at:])
