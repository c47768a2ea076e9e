"""The file and API formats of every budget data kind: columns with their Chinese headers and
一体化 names (reference budget.md §4.2), how each is checked, and how a checked row maps onto
its table. `ingest.py` turns these declarations into set-based SQL; `docs/budget-data.md`
and the template downloads are generated from them too, so the three never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models

from renda.budget import models as m
from renda.budget.ingest.dialects import Dialect
from renda.core.models import ImportBatch

# An expression builder: (dialect, normalised column expressions by key) → SQL text.
Expr = Callable[["Dialect", dict[str, str]], str]


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    alias: str = ""
    type: str = "text"  # text | year | month | date | money | decimal | choice
    required: bool = True
    max_length: int = 100
    choices: tuple[tuple[str, str], ...] = ()  # (label, stored value); the first label is shown
    default: str = ""  # stored value when a choice cell is blank
    allow_negative: bool = False
    allow_zero: bool = False
    pattern: str = ""  # a regular expression the trimmed text must match
    pattern_hint: str = ""
    example: str = ""
    note: str = ""
    other_names: tuple[str, ...] = ()  # further accepted headers

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *((self.alias,) if self.alias else ()), *self.other_names)

    @property
    def choice_labels(self) -> str:
        """The accepted labels, one per stored value (the first of each)."""
        labels: list[str] = []
        values: set[str] = set()
        for label, value in self.choices:
            if value not in values:
                labels.append(label)
                values.add(value)
        return "、".join(labels)


@dataclass(frozen=True)
class Ref:
    """A reference the importer resolves before it writes. `what` is one of: region, unit,
    indicator, department, or code:<scheme>. Values that resolve to nothing are errors unless
    `optional_match`."""

    what: str
    column: str  # the column the error is reported on
    optional_match: bool = False


@dataclass(frozen=True)
class RowCheck:
    """A check across columns of one row, run only where the columns it reads are valid."""

    column: str
    reads: tuple[str, ...]
    bad: Expr
    message: str  # may use {value} and {<key>} of the columns it reads


@dataclass(frozen=True)
class KindSpec:
    slug: str
    title: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # column keys that identify a record (unique within a file)
    refs: tuple[Ref, ...]
    joins: tuple[Expr, ...]  # FROM-clause joins that give region/unit/indicator ids
    values: dict[str, Expr]  # target column → expression
    target_key: tuple[str, ...]  # target columns of the unique constraint to merge on
    record_key: tuple[str, ...] = ()  # target columns shown in the change history
    checks: tuple[RowCheck, ...] = ()
    description: str = ""
    timestamps: bool = False  # the table has created_at/updated_at (TimeStampedModel)
    batch_nullable: bool = False
    fiscal: bool = True  # has region + year columns

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def column(self, key: str) -> Column:
        if key == EXAMPLE_MARK.key:
            return EXAMPLE_MARK
        return next(c for c in self.columns if c.key == key)

    @property
    def file_columns(self) -> tuple[Column, ...]:
        """The columns a file may carry: the kind's own and the template's example marker."""
        return (*self.columns, EXAMPLE_MARK)

    @property
    def example_signature(self) -> tuple[Column, ...]:
        """The columns that identify the template's example row by its content (rows of
        templates downloaded before the marker column existed): the key and the amounts.
        Reference kinds have none: their examples are real data (冷水江市 is 431381)."""
        if not any(c.type == "money" and c.example for c in self.columns):
            return ()
        return tuple(
            c for c in self.columns if c.example and (c.key in self.key or c.type == "money")
        )


def col(key: str) -> Expr:
    return lambda d, e: e[key]


# --- the template's own rows -----------------------------------------------------------

# The template's example row and hint row carry a mark in this column; a row with any mark is
# refused (issue 14, item 3: a user who deleted only the hint row imported the example
# payment as real). Real rows leave it blank, or the column is deleted.
EXAMPLE_MARK = Column(
    "example_mark",
    "示例标记",
    "EXAMPLE_MARK",
    required=False,
    max_length=100,
    note="模板的示例行和说明行在此列有标记，这两行不会导入；真实数据此列留空（也可删去此列）",
)
EXAMPLE_ROW_MARK = "示例（本行不会导入，请删除）"
HINT_ROW_MARK = "说明（本行不会导入，请删除）"

# Coded columns take the code or the exact name of that year's code (issue 14, item 4), so
# they are as long as a name may be.
NAME_LENGTH = 100
CODE_OR_NAME = "可填编码，或该年度分类代码中的完整名称（名称对应多个编码时须填编码）"

# --- shared columns -----------------------------------------------------------------

YEAR = Column("fiscal_year", "预算年度", "FISCAL_YEAR", "year", example="2025")
REGION = Column(
    "mof_div_code",
    "财政区划",
    "MOF_DIV_CODE",
    max_length=50,
    pattern=r"^[0-9]{6,12}$",
    pattern_hint="应为 6–12 位数字的财政区划代码，也可填财政区划名称",
    example="431381",
)
AGENCY = Column(
    "agency_code",
    "单位编码",
    "AGENCY_CODE",
    max_length=NAME_LENGTH,
    example="105001",
    note="可填单位编码，或该年度预算单位的完整名称",
)
AGENCY_NAME = Column(
    "agency_name",
    "单位名称",
    "AGENCY_NAME",
    required=False,
    note="可空；填写时须与该年度单位编码对应的单位名称一致（可为简称）",
    example="冷水江市第一中学",
)
FUNC = Column(
    "func_code",
    "功能分类",
    "EXP_FUNC_CODE",
    max_length=NAME_LENGTH,
    pattern=r"^[0-9]{3,7}$",
    pattern_hint="应为 3、5 或 7 位数字",
    example="2050203",
    note=CODE_OR_NAME,
)
GOV_ECO = Column(
    "gov_eco_code",
    "政府经济分类",
    "GOV_BGT_ECO_CODE",
    required=False,
    max_length=NAME_LENGTH,
    pattern=r"^[0-9]{3,5}$",
    pattern_hint="应为 3 或 5 位数字",
    example="50201",
    note=CODE_OR_NAME,
)
DEP_ECO = Column(
    "dep_eco_code",
    "部门经济分类",
    "DEP_BGT_ECO_CODE",
    required=False,
    max_length=NAME_LENGTH,
    pattern=r"^[0-9]{3,5}$",
    pattern_hint="应为 3 或 5 位数字",
    example="30201",
    note=CODE_OR_NAME,
)
FUND = Column(
    "fund_type",
    "资金性质",
    "FUND_TYPE_CODE",
    max_length=NAME_LENGTH,
    example="1",
    note="填代码或名称：1 一般公共预算、2 政府性基金预算、3 国有资本经营预算、4 社会保险基金预算",
)
THR_EXP = Column(
    "thr_exp",
    "三公经费",
    "THR_EXP",
    "choice",
    required=False,
    choices=(
        ("公务接待", m.ThreePublic.RECEPTION),
        ("公务接待费", m.ThreePublic.RECEPTION),
        ("公务用车购置及运行", m.ThreePublic.VEHICLE),
        ("公务用车购置及运行费", m.ThreePublic.VEHICLE),
        ("公务用车运行维护费", m.ThreePublic.VEHICLE),
        ("公务用车", m.ThreePublic.VEHICLE),
        ("因公出国(境)", m.ThreePublic.OVERSEAS),
        ("因公出国（境）", m.ThreePublic.OVERSEAS),
        ("因公出国境", m.ThreePublic.OVERSEAS),
        ("因公出国", m.ThreePublic.OVERSEAS),
    ),
    note="空表示不属于三公经费",
)


def money(key: str, header: str, alias: str = "", **kw: object) -> Column:
    return Column(key, header, alias, "money", example=str(kw.pop("example", "12800.00")), **kw)  # type: ignore[arg-type]


def date_in_year(column: str, label: str) -> RowCheck:
    return RowCheck(
        column,
        (column, "fiscal_year"),
        lambda d, e: f"{d.year_of(e[column])} <> {e['fiscal_year']}",
        label + " {value} 不在 {fiscal_year} 预算年度内",
    )


REGION_JOIN: Expr = lambda d, e: f"JOIN budget_financeregion r ON r.code = {e['mof_div_code']}"  # noqa: E731
UNIT_JOIN: Expr = lambda d, e: (  # noqa: E731
    "JOIN budget_budgetunit u ON u.region_id = r.id "
    f"AND u.year = {e['fiscal_year']} AND u.code = {e['agency_code']}"
)
FISCAL_VALUES: dict[str, Expr] = {"region_id": lambda d, e: "r.id", "year": col("fiscal_year")}
REGION_REFS = (Ref("region", "mof_div_code"),)
CLASS_REFS = (
    Ref("code:function", "func_code"),
    Ref("code:gov_economic", "gov_eco_code"),
    Ref("code:dep_economic", "dep_eco_code"),
    Ref("code:fund_type", "fund_type"),
)


def text_or_blank(key: str) -> Expr:
    return lambda d, e: f"COALESCE({e[key]}, '')"


# --- reference data -----------------------------------------------------------------

CODES = KindSpec(
    slug="codes",
    title="分类代码",
    model=m.ClassificationCode,
    description="政府收支分类科目（功能分类、政府/部门经济分类、收入分类）与资金性质，按预算年度分别导入。",
    columns=(
        Column(
            "scheme",
            "分类体系",
            "SCHEME",
            "choice",
            choices=(
                ("支出功能分类", "function"),
                ("功能分类", "function"),
                ("政府预算支出经济分类", "gov_economic"),
                ("政府经济分类", "gov_economic"),
                ("部门预算支出经济分类", "dep_economic"),
                ("部门经济分类", "dep_economic"),
                ("收入分类", "revenue"),
                ("政府收入分类", "revenue"),
                ("资金性质", "fund_type"),
            ),
            example="支出功能分类",
        ),
        YEAR,
        Column(
            "code",
            "编码",
            "CODE",
            max_length=12,
            pattern=r"^[0-9A-Za-z]{1,12}$",
            pattern_hint="应为数字或字母",
            example="205",
        ),
        Column("name", "名称", "NAME", example="教育支出"),
        Column(
            "parent_code",
            "上级编码",
            "PARENT_CODE",
            required=False,
            max_length=12,
            note="可空：空时按编码长度推断（类 3 位、款 5 位、项 7 位）",
        ),
    ),
    key=("scheme", "fiscal_year", "code"),
    refs=(),
    joins=(),
    values={
        "scheme": col("scheme"),
        "year": col("fiscal_year"),
        "code": col("code"),
        "name": col("name"),
        "parent_code": text_or_blank("parent_code"),
        # Level and leaf flags are recomputed for the whole year after the merge.
        "level": lambda d, e: "1",
        "is_leaf": lambda d, e: d.true,
    },
    target_key=("scheme", "year", "code"),
    record_key=("scheme", "year", "code"),
    batch_nullable=True,
    fiscal=False,
)

REGIONS = KindSpec(
    slug="regions",
    title="财政区划",
    model=m.FinanceRegion,
    description="财政区划代码与名称；与行政区划代码相同的自动关联。",
    columns=(
        Column(
            "code",
            "财政区划",
            "MOF_DIV_CODE",
            max_length=12,
            pattern=r"^[0-9]{6,12}$",
            pattern_hint="应为 6–12 位数字",
            example="431381",
        ),
        Column("name", "名称", "MOF_DIV_NAME", max_length=50, example="冷水江市"),
        Column(
            "parent_code",
            "上级财政区划",
            "PARENT_MOF_DIV_CODE",
            required=False,
            max_length=12,
            example="431300",
        ),
    ),
    key=("code",),
    refs=(),
    joins=(),
    values={"code": col("code"), "name": col("name")},
    target_key=("code",),
    record_key=("code",),
    timestamps=True,
    fiscal=False,
)

UNITS = KindSpec(
    slug="units",
    title="预算单位",
    model=m.BudgetUnit,
    description="预算单位及其主管部门，按预算年度导入。主管部门本身也是一行（主管部门编码留空）。",
    columns=(
        YEAR,
        REGION,
        Column("agency_code", "单位编码", "AGENCY_CODE", max_length=30, example="105001"),
        Column("agency_name", "单位名称", "AGENCY_NAME", example="冷水江市第一中学"),
        Column(
            "dept_code",
            "主管部门编码",
            "DEPT_CODE",
            required=False,
            max_length=NAME_LENGTH,
            example="105",
            note="主管部门须在同一文件或同一年度已导入的单位中；可填编码或完整名称",
        ),
    ),
    key=("mof_div_code", "fiscal_year", "agency_code"),
    refs=(*REGION_REFS, Ref("department", "dept_code")),
    joins=(REGION_JOIN,),
    values={
        **FISCAL_VALUES,
        "code": col("agency_code"),
        "name": col("agency_name"),
        "department_code": text_or_blank("dept_code"),
    },
    target_key=("region_id", "year", "code"),
    record_key=("code",),
    timestamps=True,
)

# --- fiscal data --------------------------------------------------------------------

INDICATOR_KIND = Column(
    "bgt_kind",
    "指标类型",
    "BGT_TYPE_CODE",
    "choice",
    choices=(
        ("年初预算", "initial"),
        ("年初", "initial"),
        ("追加", "addition"),
        ("追加预算", "addition"),
        ("调减", "reduction"),
        ("调减预算", "reduction"),
    ),
    example="年初预算",
    note="调减的金额以负数保存",
)

INDICATORS = KindSpec(
    slug="indicators",
    title="预算指标",
    model=m.BudgetIndicator,
    description="预算指标（一体化 BaBgtInfo）：年初预算、追加、调减。调减行请在「原指标编号」填被调减的指标。",
    columns=(
        Column("bgt_id", "指标编号", "BGT_ID", max_length=40, example="ZB2025-000123"),
        YEAR,
        REGION,
        AGENCY,
        AGENCY_NAME,
        Column(
            "pro_code",
            "项目编码",
            "PRO_CODE",
            required=False,
            max_length=40,
            example="431381250001",
        ),
        Column(
            "pro_name",
            "项目名称",
            "PRO_NAME",
            required=False,
            max_length=200,
            example="义务教育薄弱环节改善",
        ),
        FUNC,
        GOV_ECO,
        DEP_ECO,
        FUND,
        INDICATOR_KIND,
        Column("ori_bgt_id", "原指标编号", "ORI_BGT_ID", required=False, max_length=40),
        Column("doc_no", "文号", "COR_BGT_DOC_NO", required=False, example="冷财预〔2025〕1号"),
        Column("doc_date", "下达日期", "DOC_DATE", "date", required=False, example="2025-01-10"),
        money("amount", "金额", "AMOUNT", example="1200000.00", allow_negative=True),
        THR_EXP,
    ),
    key=("mof_div_code", "fiscal_year", "bgt_id"),
    refs=(*REGION_REFS, Ref("unit", "agency_code"), *CLASS_REFS),
    joins=(REGION_JOIN, UNIT_JOIN),
    values={
        **FISCAL_VALUES,
        "bgt_id": col("bgt_id"),
        "unit_id": lambda d, e: "u.id",
        "project_code": text_or_blank("pro_code"),
        "project_name": text_or_blank("pro_name"),
        "func_code": col("func_code"),
        "gov_eco_code": text_or_blank("gov_eco_code"),
        "dep_eco_code": text_or_blank("dep_eco_code"),
        "fund_type": col("fund_type"),
        "kind": col("bgt_kind"),
        "ori_bgt_id": text_or_blank("ori_bgt_id"),
        "doc_no": text_or_blank("doc_no"),
        "doc_date": col("doc_date"),
        "amount": lambda d, e: (
            f"CASE WHEN {e['bgt_kind']} = 'reduction' THEN -abs({e['amount']}) ELSE {e['amount']} END"
        ),
        "thr_exp": col("thr_exp"),
    },
    target_key=("region_id", "year", "bgt_id"),
    record_key=("bgt_id",),
    checks=(
        RowCheck(
            "amount",
            ("amount", "bgt_kind"),
            lambda d, e: f"{e['bgt_kind']} <> 'reduction' AND {e['amount']} < 0",
            "年初预算和追加的金额应为正数（调减请在「指标类型」填 调减）",
        ),
        date_in_year("doc_date", "下达日期"),
    ),
)

ADJUSTMENTS = KindSpec(
    slug="adjustments",
    title="预算调剂",
    model=m.BudgetAdjustment,
    description="预算调剂（一体化 BaBgtAdjsub）：从调出指标调入调入指标；调出指标可空（如动用预备费）。",
    columns=(
        Column("adj_no", "调剂单号", "ADJ_SUB_ID", max_length=40, example="TJ2025-0001"),
        YEAR,
        REGION,
        Column("adj_date", "调剂日期", "ADJ_DATE", "date", example="2025-06-18"),
        Column(
            "from_bgt_id",
            "调出指标编号",
            "ORI_BGT_ID",
            required=False,
            max_length=40,
            example="ZB2025-000123",
        ),
        Column("to_bgt_id", "调入指标编号", "BGT_ID", max_length=40, example="ZB2025-000456"),
        money("amount", "金额", "ADD_AMOUNT", example="50000.00"),
        Column("doc_no", "文号", "DOC_NO", required=False),
    ),
    key=("mof_div_code", "fiscal_year", "adj_no"),
    refs=(
        *REGION_REFS,
        Ref("indicator:to_bgt_id", "to_bgt_id"),
        Ref("indicator:from_bgt_id", "from_bgt_id"),
    ),
    joins=(
        REGION_JOIN,
        lambda d, e: (
            "JOIN budget_budgetindicator ti ON ti.region_id = r.id "
            f"AND ti.year = {e['fiscal_year']} AND ti.bgt_id = {e['to_bgt_id']}"
        ),
        lambda d, e: (
            "LEFT JOIN budget_budgetindicator fi ON fi.region_id = r.id "
            f"AND fi.year = {e['fiscal_year']} AND fi.bgt_id = {e['from_bgt_id']}"
        ),
    ),
    values={
        **FISCAL_VALUES,
        "adj_no": col("adj_no"),
        "adj_date": col("adj_date"),
        "from_indicator_id": lambda d, e: "fi.id",
        "to_indicator_id": lambda d, e: "ti.id",
        "amount": col("amount"),
        "doc_no": text_or_blank("doc_no"),
    },
    target_key=("region_id", "year", "adj_no"),
    record_key=("adj_no",),
    checks=(date_in_year("adj_date", "调剂日期"),),
)

CARRYOVERS = KindSpec(
    slug="carryovers",
    title="结转",
    model=m.CarryOver,
    description="上年指标结转到本年度（一体化 BaBgtCarryovers）。",
    columns=(
        YEAR,
        REGION,
        AGENCY,
        AGENCY_NAME,
        Column("ori_bgt_id", "原指标编号", "ORI_BGT_ID", max_length=40, example="ZB2024-000088"),
        Column(
            "bgt_id", "指标编号", "BGT_ID", required=False, max_length=40, example="JZ2025-000088"
        ),
        FUNC,
        FUND,
        money("approved_amount", "批复数", "APPROVE_AMT", example="300000.00"),
        money("carryover_amount", "结转数", "CARRYOVERS_AMT", example="45000.00", allow_zero=True),
    ),
    key=("mof_div_code", "fiscal_year", "ori_bgt_id"),
    refs=(
        *REGION_REFS,
        Ref("unit", "agency_code"),
        Ref("code:function", "func_code"),
        Ref("code:fund_type", "fund_type"),
    ),
    joins=(REGION_JOIN, UNIT_JOIN),
    values={
        **FISCAL_VALUES,
        "unit_id": lambda d, e: "u.id",
        "ori_bgt_id": col("ori_bgt_id"),
        "bgt_id": text_or_blank("bgt_id"),
        "func_code": col("func_code"),
        "fund_type": col("fund_type"),
        "approved_amount": col("approved_amount"),
        "carryover_amount": col("carryover_amount"),
    },
    target_key=("region_id", "year", "ori_bgt_id"),
    record_key=("ori_bgt_id",),
)

VOUCHER_TYPE = Column(
    "vou_type",
    "凭证类型",
    "VOU_TYPE",
    "choice",
    required=False,
    default="normal",
    choices=(
        ("正常", "normal"),
        ("支付", "normal"),
        ("退款", "refund"),
        ("退回", "refund"),
        ("作废", "void"),
    ),
    note="空表示正常支付；退款以负数保存；作废的凭证保留但不计入支出",
)

PAYMENTS = KindSpec(
    slug="payments",
    title="支付凭证",
    model=m.Payment,
    description="国库集中支付凭证（一体化 PayVoucher）。凭证号在同一财政区划、同一年度内唯一：重复导入不变，修正后的行覆盖原记录并留下修改记录。",
    columns=(
        Column("voucher_no", "凭证号", "PAY_APP_NO", max_length=40, example="ZF2025-00012345"),
        Column("pay_date", "支付日期", "PAY_DATE", "date", example="2025-03-18"),
        YEAR,
        REGION,
        AGENCY,
        AGENCY_NAME,
        Column(
            "bgt_id",
            "指标编号",
            "BGT_ID",
            required=False,
            max_length=40,
            example="ZB2025-000123",
            note="可空；空或本年度不存在的指标编号照样导入，由规则 B03 预警",
        ),
        FUNC,
        GOV_ECO,
        DEP_ECO,
        FUND,
        Column(
            "pay_type",
            "支付方式",
            "PAY_TYPE_CODE",
            required=False,
            max_length=20,
            example="国库集中支付",
        ),
        Column(
            "settle_mode",
            "结算方式",
            "SET_MODE_CODE",
            required=False,
            max_length=20,
            example="转账",
        ),
        Column(
            "payee_name",
            "收款人",
            "PAYEE_ACCT_NAME",
            max_length=200,
            example="湖南锡都建设工程有限公司",
        ),
        Column(
            "payee_account",
            "收款账号",
            "PAYEE_ACCT_NO",
            required=False,
            max_length=64,
            example="43050170363600000123",
        ),
        Column(
            "payee_type",
            "收款人类型",
            "FUND_TRAOBJ_TYPE_CODE",
            "choice",
            choices=(
                ("单位", "unit"),
                ("对公", "unit"),
                ("个人", "individual"),
                ("对私", "individual"),
            ),
            example="单位",
        ),
        money("amount", "金额", "PAY_APP_AMT", allow_negative=True, example="12800.00"),
        Column(
            "purpose", "用途", "USE_DES", required=False, max_length=500, example="办公用品采购"
        ),
        THR_EXP,
        VOUCHER_TYPE,
        Column(
            "original_voucher",
            "原凭证号",
            "ORI_PAY_APP_NO",
            required=False,
            max_length=40,
            note="退款时填被退回的支付凭证号",
        ),
    ),
    key=("mof_div_code", "fiscal_year", "voucher_no"),
    refs=(*REGION_REFS, Ref("unit", "agency_code"), *CLASS_REFS),
    joins=(
        REGION_JOIN,
        UNIT_JOIN,
        # An unknown indicator number is kept as text and left unlinked (rule B03 reports it).
        lambda d, e: (
            "LEFT JOIN budget_budgetindicator i ON i.region_id = r.id "
            f"AND i.year = {e['fiscal_year']} AND i.bgt_id = {e['bgt_id']}"
        ),
    ),
    values={
        **FISCAL_VALUES,
        "voucher_no": col("voucher_no"),
        "pay_date": col("pay_date"),
        "unit_id": lambda d, e: "u.id",
        "bgt_id": text_or_blank("bgt_id"),
        "indicator_id": lambda d, e: "i.id",
        "func_code": col("func_code"),
        "gov_eco_code": text_or_blank("gov_eco_code"),
        "dep_eco_code": text_or_blank("dep_eco_code"),
        "fund_type": col("fund_type"),
        "pay_type": text_or_blank("pay_type"),
        "settle_mode": text_or_blank("settle_mode"),
        "payee_name": col("payee_name"),
        "payee_account": text_or_blank("payee_account"),
        "payee_type": col("payee_type"),
        "amount": lambda d, e: (
            f"CASE WHEN {e['vou_type']} = 'refund' THEN -abs({e['amount']}) ELSE {e['amount']} END"
        ),
        "purpose": text_or_blank("purpose"),
        "thr_exp": col("thr_exp"),
        "kind": lambda d, e: (
            f"CASE WHEN {e['vou_type']} = 'refund' THEN 'refund' ELSE 'payment' END"
        ),
        "original_voucher": text_or_blank("original_voucher"),
        "is_void": lambda d, e: f"({e['vou_type']} = 'void')",
    },
    target_key=("region_id", "year", "voucher_no"),
    record_key=("voucher_no",),
    checks=(
        date_in_year("pay_date", "支付日期"),
        RowCheck(
            "amount",
            ("amount", "vou_type"),
            lambda d, e: f"{e['vou_type']} <> 'refund' AND {e['amount']} < 0",
            "支付金额应为正数（退款请在「凭证类型」填 退款）",
        ),
    ),
)

REVENUE = KindSpec(
    slug="revenue",
    title="收入入库",
    model=m.RevenueReceipt,
    description="税务、财政征收的收入入库流水；退库以负数填写。",
    columns=(
        Column("receipt_no", "入库流水号", "INCOME_NO", max_length=40, example="RK2025-0000123"),
        YEAR,
        REGION,
        Column("receipt_date", "入库日期", "INCOME_DATE", "date", example="2025-03-18"),
        Column(
            "revenue_code",
            "收入分类",
            "INCOME_SORT_CODE",
            max_length=NAME_LENGTH,
            pattern=r"^[0-9]{3,9}$",
            pattern_hint="应为 3–9 位数字",
            example="10101",
            note=CODE_OR_NAME,
        ),
        Column(
            "collector",
            "征收机关",
            "COLLECT_ORG",
            "choice",
            choices=(
                ("税务", "tax"),
                ("税务局", "tax"),
                ("财政", "finance"),
                ("财政局", "finance"),
            ),
            example="税务",
        ),
        money("amount", "金额", "AMT", allow_negative=True, example="356000.00"),
    ),
    key=("mof_div_code", "fiscal_year", "receipt_no"),
    refs=(*REGION_REFS, Ref("code:revenue", "revenue_code")),
    joins=(REGION_JOIN,),
    values={
        **FISCAL_VALUES,
        "receipt_no": col("receipt_no"),
        "receipt_date": col("receipt_date"),
        "revenue_code": col("revenue_code"),
        "collector": col("collector"),
        "amount": col("amount"),
    },
    target_key=("region_id", "year", "receipt_no"),
    record_key=("receipt_no",),
    checks=(date_in_year("receipt_date", "入库日期"),),
)

REVENUE_BUDGET = KindSpec(
    slug="revenue-budget",
    title="收入预算",
    model=m.RevenueBudget,
    description="本年度收入预算，按收入分类。",
    columns=(
        YEAR,
        REGION,
        Column(
            "revenue_code",
            "收入分类",
            "INCOME_SORT_CODE",
            max_length=NAME_LENGTH,
            pattern=r"^[0-9]{3,9}$",
            pattern_hint="应为 3–9 位数字",
            example="10101",
            note=CODE_OR_NAME,
        ),
        FUND,
        money("amount", "预算数", "BGT_AMT", example="120000000.00"),
    ),
    key=("mof_div_code", "fiscal_year", "revenue_code"),
    refs=(*REGION_REFS, Ref("code:revenue", "revenue_code"), Ref("code:fund_type", "fund_type")),
    joins=(REGION_JOIN,),
    values={
        **FISCAL_VALUES,
        "revenue_code": col("revenue_code"),
        "fund_type": col("fund_type"),
        "amount": col("amount"),
    },
    target_key=("region_id", "year", "revenue_code"),
    record_key=("revenue_code",),
)

DEBT = KindSpec(
    slug="debt",
    title="政府债务",
    model=m.DebtMonth,
    description="政府债务月末余额与限额；综合财力按年填写（可只在有数的月份填）。",
    columns=(
        YEAR,
        REGION,
        Column("month", "月份", "MONTH", "month", example="6"),
        money(
            "general_balance",
            "一般债务余额",
            "GEN_DEBT_BAL",
            allow_zero=True,
            example="1850000000.00",
        ),
        money(
            "general_limit",
            "一般债务限额",
            "GEN_DEBT_LIMIT",
            allow_zero=True,
            example="2000000000.00",
        ),
        money(
            "special_balance",
            "专项债务余额",
            "SPE_DEBT_BAL",
            allow_zero=True,
            example="2400000000.00",
        ),
        money(
            "special_limit",
            "专项债务限额",
            "SPE_DEBT_LIMIT",
            allow_zero=True,
            example="2600000000.00",
        ),
        money(
            "financial_capacity",
            "综合财力",
            "FIN_CAPACITY",
            required=False,
            example="3100000000.00",
        ),
    ),
    key=("mof_div_code", "fiscal_year", "month"),
    refs=REGION_REFS,
    joins=(REGION_JOIN,),
    values={
        **FISCAL_VALUES,
        "month": col("month"),
        "general_balance": col("general_balance"),
        "general_limit": col("general_limit"),
        "special_balance": col("special_balance"),
        "special_limit": col("special_limit"),
        "financial_capacity": col("financial_capacity"),
    },
    target_key=("region_id", "year", "month"),
    record_key=("year", "month"),
)

PROJECTS = KindSpec(
    slug="projects",
    title="重大投资项目",
    model=m.ProjectReport,
    description="重大投资项目的计划与进度报告，每个报告日期一行。",
    columns=(
        YEAR,
        REGION,
        Column("project_code", "项目编码", "PRO_CODE", max_length=40, example="XM2025-001"),
        Column(
            "project_name",
            "项目名称",
            "PRO_NAME",
            max_length=200,
            example="冷水江市城区污水管网改造工程",
        ),
        Column(
            "owner_name",
            "建设单位",
            "CONSTRUCT_UNIT",
            required=False,
            example="冷水江市住房和城乡建设局",
        ),
        money("total_investment", "计划总投资", "TOTAL_INVEST", example="86000000.00"),
        money("annual_plan", "年度计划投资", "YEAR_PLAN_INVEST", example="30000000.00"),
        Column("report_date", "报告日期", "REPORT_DATE", "date", example="2025-06-30"),
        money(
            "cumulative_completed",
            "累计完成投资",
            "TOTAL_FINISH_INVEST",
            allow_zero=True,
            example="41000000.00",
        ),
        money(
            "annual_completed",
            "本年完成投资",
            "YEAR_FINISH_INVEST",
            allow_zero=True,
            example="12500000.00",
        ),
        Column(
            "physical_progress",
            "形象进度",
            "IMAGE_PROGRESS",
            "decimal",
            example="45",
            note="百分比，0–100",
        ),
        Column("note", "进展说明", "PROGRESS_DESC", required=False, max_length=500),
    ),
    key=("mof_div_code", "fiscal_year", "project_code", "report_date"),
    refs=REGION_REFS,
    joins=(REGION_JOIN,),
    values={
        **FISCAL_VALUES,
        "project_code": col("project_code"),
        "project_name": col("project_name"),
        "owner_name": text_or_blank("owner_name"),
        "total_investment": col("total_investment"),
        "annual_plan": col("annual_plan"),
        "report_date": col("report_date"),
        "cumulative_completed": col("cumulative_completed"),
        "annual_completed": col("annual_completed"),
        "physical_progress": col("physical_progress"),
        "note": text_or_blank("note"),
    },
    target_key=("region_id", "year", "project_code", "report_date"),
    record_key=("project_code", "report_date"),
    checks=(
        date_in_year("report_date", "报告日期"),
        RowCheck(
            "physical_progress",
            ("physical_progress",),
            lambda d, e: f"({e['physical_progress']} < 0 OR {e['physical_progress']} > 100)",
            "形象进度 {value} 应在 0–100 之间",
        ),
    ),
)

ENTERPRISES = KindSpec(
    slug="enterprises",
    title="国有企业",
    model=m.EnterpriseReport,
    description="国有企业主要财务指标与国有资本经营预算收益上缴，按月（通常按季末月份）填报。",
    columns=(
        YEAR,
        REGION,
        Column(
            "enterprise_code",
            "企业代码",
            "ENTERPRISE_CODE",
            max_length=30,
            example="91431381MA4L000001",
        ),
        Column("name", "企业名称", "ENTERPRISE_NAME", example="冷水江市城市建设投资集团有限公司"),
        Column("month", "月份", "MONTH", "month", example="6"),
        money("total_assets", "资产总额", "TOTAL_ASSETS", allow_zero=True, example="5800000000.00"),
        money(
            "total_liabilities",
            "负债总额",
            "TOTAL_LIABILITIES",
            allow_zero=True,
            example="3400000000.00",
        ),
        money(
            "equity",
            "所有者权益",
            "OWNERS_EQUITY",
            allow_zero=True,
            allow_negative=True,
            example="2400000000.00",
        ),
        money("revenue", "营业收入", "OPERATING_REVENUE", allow_zero=True, example="320000000.00"),
        money(
            "profit",
            "利润总额",
            "TOTAL_PROFIT",
            allow_zero=True,
            allow_negative=True,
            example="18000000.00",
        ),
        money(
            "remittance",
            "国有资本收益上缴",
            "STATE_CAPITAL_INCOME",
            allow_zero=True,
            example="2000000.00",
        ),
    ),
    key=("mof_div_code", "fiscal_year", "enterprise_code", "month"),
    refs=REGION_REFS,
    joins=(REGION_JOIN,),
    values={
        **FISCAL_VALUES,
        "enterprise_code": col("enterprise_code"),
        "name": col("name"),
        "month": col("month"),
        "total_assets": col("total_assets"),
        "total_liabilities": col("total_liabilities"),
        "equity": col("equity"),
        "revenue": col("revenue"),
        "profit": col("profit"),
        "remittance": col("remittance"),
    },
    target_key=("region_id", "year", "enterprise_code", "month"),
    record_key=("enterprise_code", "year", "month"),
)

STATISTICS = KindSpec(
    slug="statistics",
    title="统计指标",
    model=m.StatisticValue,
    description="统计部门的宏观指标（地区生产总值、固定资产投资增速、常住人口等）。",
    columns=(
        REGION,
        Column("name", "指标名称", "INDICATOR_NAME", example="地区生产总值"),
        Column(
            "period",
            "期间",
            "PERIOD",
            max_length=10,
            pattern=r"^[0-9]{4}((Q|q)[1-4]|-(0[1-9]|1[0-2]))?$",
            pattern_hint="应为 2025、2025Q1 或 2025-06 这样的期间",
            example="2025Q2",
        ),
        Column("value", "数值", "VALUE", "decimal", example="1523000"),
        Column("unit_label", "计量单位", "UNIT", required=False, max_length=20, example="万元"),
    ),
    key=("mof_div_code", "name", "period"),
    refs=REGION_REFS,
    joins=(REGION_JOIN,),
    values={
        "region_id": lambda d, e: "r.id",
        "year": lambda d, e: d.int_of(f"substr({e['period']}, 1, 4)"),
        "name": col("name"),
        "period": lambda d, e: f"upper({e['period']})",
        "value": col("value"),
        "unit_label": text_or_blank("unit_label"),
    },
    target_key=("region_id", "name", "period"),
    record_key=("name", "period"),
)

KINDS: dict[str, KindSpec] = {
    k.slug: k
    for k in (
        CODES,
        REGIONS,
        UNITS,
        INDICATORS,
        ADJUSTMENTS,
        CARRYOVERS,
        PAYMENTS,
        REVENUE,
        REVENUE_BUDGET,
        DEBT,
        PROJECTS,
        ENTERPRISES,
        STATISTICS,
    )
}
# The order that satisfies the references when several kinds are loaded together.
LOAD_ORDER = tuple(KINDS)


def kind_choices() -> list[tuple[str, str]]:
    return [(k.slug, k.title) for k in KINDS.values()]


@dataclass
class HeaderMatch:
    """The outcome of matching a file's header row against a kind's columns."""

    positions: dict[int, str] = field(default_factory=dict)  # file column index → column key
    missing: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    blank_positions: list[int] = field(default_factory=list)


def template_sheet(spec: KindSpec) -> tuple[list[str], list[list[str]]]:
    """The template download: the header, an example row and a hint row, both marked in the
    示例标记 column so that neither can be imported by mistake."""
    headers = [c.header for c in spec.file_columns]
    example = [*(c.example for c in spec.columns), EXAMPLE_ROW_MARK]
    hints = [
        *(
            ("必填" if c.required else "可空") + (f"；{c.note}" if c.note else "")
            for c in spec.columns
        ),
        HINT_ROW_MARK,
    ]
    return headers, [example, hints]


KIND_PREFIX = "budget."


def batch_kind(slug: str) -> str:
    return KIND_PREFIX + slug


def kind_of(batch: ImportBatch) -> KindSpec | None:
    return KINDS.get(batch.kind.removeprefix(KIND_PREFIX))


def get_spec(kind: str) -> KindSpec:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValidationError(f"未知的数据类型「{kind}」；可用：{'、'.join(KINDS)}") from None
