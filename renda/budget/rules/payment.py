"""Payment rules: one query over the payments each."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    F,
    Lookup,
    Q,
    Value,
    When,
)
from django.db.models.functions import Mod

from renda.budget.models import AlertLevel, Payment, Rule
from renda.budget.rules.base import (
    Context,
    Finding,
    Param,
    PaymentRule,
    level_param,
    month_start,
    yuan,
)
from renda.budget.rules.findings import unit_label

# --- payment rules ----------------------------------------------------------------------

PAYMENT_FIELDS = (
    "id",
    "voucher_no",
    "pay_date",
    "unit_id",
    "payee_name",
    "payee_type",
    "amount",
    "purpose",
    "dep_eco_code",
    "bgt_id",
)


def _b03(ctx: Context, p: dict[str, Any]) -> Q:
    return Q(indicator__isnull=True)


def _b05(ctx: Context, p: dict[str, Any]) -> Q:
    exempt = Q()
    for prefix in p["exempt_classes"]:
        exempt |= Q(dep_eco_code__startswith=prefix)
    return Q(payee_type=Payment.PayeeType.INDIVIDUAL, amount__gte=p["amount"]) & ~exempt


def _b06(ctx: Context, p: dict[str, Any]) -> Q:
    return Q(amount__gte=p["amount"])


def _b08(ctx: Context, p: dict[str, Any]) -> Q:
    return Q(pay_date__in=ctx.non_workdays)


def _b11(ctx: Context, p: dict[str, Any]) -> Q:
    q = Q(pk__in=[])
    for word in p["words"]:
        q |= Q(purpose__contains=word)
    return q


class _AnyOf(Lookup):
    """`column = ANY(%s)` with the whole list as ONE array parameter (PostgreSQL): a list of a
    province's 3,000 unit names as 3,000 placeholders costs more to build and plan than the
    scan of a day's payments it filters."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


def _b12(ctx: Context, p: dict[str, Any]) -> Q:
    # Names of the year's units as a list, not a join: the scan then never touches the units
    # table, and `confirm` keeps only a payee equal to the paying unit itself.
    names = sorted({name for _, name in ctx.units.values()})
    if connection.vendor == "postgresql":
        return Q(_AnyOf(F("payee_name"), names))
    return Q(payee_name__in=names)


def _b16(ctx: Context, p: dict[str, Any]) -> Q:
    names = Q(pk__in=[])
    for word in p["payee_words"]:
        names |= Q(payee_name__contains=word)
    return Q(amount__gte=p["amount"], round_hundred=0) & names


def _words_in(text: str, words: list[str]) -> list[str]:
    return [w for w in words if w in (text or "")]


PAYMENT_RULES: tuple[PaymentRule, ...] = (
    PaymentRule(
        code="B03",
        name="无指标支付",
        description="支付凭证的指标编号为空，或该年度没有这个指标。",
        basis="《中华人民共和国预算法》第十三条：各级政府、各部门、各单位的支出必须以经批准的预算为依据，未列入预算的不得支出。",
        category=Rule.Category.LEGALITY,
        subject_type=Rule.SubjectType.PAYMENT,
        params=(level_param(AlertLevel.SEVERE),),
        predicate=_b03,
        explain=lambda r, p: (
            f"{r['unit__name']}于{r['pay_date']:%Y年%m月%d日}向{r['payee_name']}支付{yuan(r['amount'])}元，"
            + (
                "凭证未填指标编号"
                if not r["bgt_id"]
                else f"指标编号{r['bgt_id']}在本年度指标中不存在"
            )
            + "，属于无预算支出。"
        ),
        inputs=frozenset({"payments", "units", "indicators"}),
    ),
    PaymentRule(
        code="B05",
        name="向个人大额支付",
        description="收款人类型为个人、金额达到阈值，且部门经济分类不是工资福利支出（301）或对个人和家庭的补助（303）。",
        basis="《财政部关于进一步加强财政支出管理的通知》；审计署财政审计方法 A0109（虚列支出：向个人支付）。",
        category=Rule.Category.COMPLIANCE,
        subject_type=Rule.SubjectType.PAYMENT,
        params=(
            Param(
                "amount",
                "单笔金额（元）",
                "amount",
                Decimal("10000"),
                Decimal("1"),
                Decimal("100000000"),
            ),
            Param("exempt_classes", "不预警的部门经济分类（类）", "words", ["301", "303"]),
            level_param(AlertLevel.WARNING),
        ),
        predicate=_b05,
        explain=lambda r, p: (
            f"{r['unit__name']}于{r['pay_date']:%Y年%m月%d日}向个人{r['payee_name']}支付{yuan(r['amount'])}元"
            f"（部门经济分类{r['dep_eco_code'] or '空'}，用途“{r['purpose']}”），"
            f"不属于工资福利或对个人和家庭的补助，单笔达到{yuan(p['amount'])}元。"
        ),
    ),
    PaymentRule(
        code="B06",
        name="大额支付",
        description="单笔支付金额达到阈值。",
        basis="国库集中支付大额资金监控；《预算法实施条例》第五十五条（财政部门对预算执行的监督）。",
        category=Rule.Category.RISK,
        subject_type=Rule.SubjectType.PAYMENT,
        params=(
            Param(
                "amount",
                "单笔金额（元）",
                "amount",
                Decimal("5000000"),
                Decimal("10000"),
                Decimal("10000000000"),
            ),
            level_param(AlertLevel.NOTICE),
        ),
        predicate=_b06,
        explain=lambda r, p: (
            f"{r['unit__name']}于{r['pay_date']:%Y年%m月%d日}向{r['payee_name']}单笔支付{yuan(r['amount'])}元，"
            f"达到大额支付标准{yuan(p['amount'])}元。"
        ),
    ),
    PaymentRule(
        code="B08",
        name="非工作日支付",
        description="支付日期不是法定工作日（周末且不是调休上班日，或法定节假日）。",
        basis="国务院办公厅关于节假日安排的通知；国库集中支付业务在工作日办理。",
        category=Rule.Category.RISK,
        subject_type=Rule.SubjectType.PAYMENT,
        params=(level_param(AlertLevel.NOTICE),),
        predicate=_b08,
        explain=lambda r, p: (
            f"{r['unit__name']}于{r['pay_date']:%Y年%m月%d日}（非工作日）向{r['payee_name']}支付{yuan(r['amount'])}元。"
        ),
    ),
    PaymentRule(
        code="B11",
        name="用途可疑",
        description="支付用途含有所列词语（礼品、购物卡、烟酒等）。",
        basis="中央八项规定及其实施细则；审计署财政审计方法 A0122（高档消费）；青浦“支付用途可疑”预警。",
        category=Rule.Category.COMPLIANCE,
        subject_type=Rule.SubjectType.PAYMENT,
        params=(
            Param(
                "words",
                "可疑词语",
                "words",
                ["礼品", "购物卡", "烟酒", "宴请", "旅游", "会员卡", "红包"],
            ),
            level_param(AlertLevel.WARNING),
        ),
        predicate=_b11,
        explain=lambda r, p: (
            f"{r['unit__name']}于{r['pay_date']:%Y年%m月%d日}向{r['payee_name']}支付{yuan(r['amount'])}元，"
            f"用途“{r['purpose']}”含有“{'、'.join(_words_in(r['purpose'], p['words']))}”。"
        ),
    ),
    PaymentRule(
        code="B12",
        name="支付本单位",
        description="收款人名称与付款单位名称相同（向本单位实有资金账户划款）。",
        basis="审计署财政审计方法 A0108（向本单位实有资金账户拨款）；《财政部关于加强国库集中支付管理的通知》。",
        category=Rule.Category.COMPLIANCE,
        subject_type=Rule.SubjectType.PAYMENT,
        params=(level_param(AlertLevel.WARNING),),
        predicate=_b12,
        confirm=lambda r: r["payee_name"] == r["unit__name"],
        confirm_decides=True,
        explain=lambda r, p: (
            f"{r['unit__name']}于{r['pay_date']:%Y年%m月%d日}向本单位（收款人“{r['payee_name']}”）"
            f"支付{yuan(r['amount'])}元，用途“{r['purpose']}”。"
        ),
    ),
    PaymentRule(
        code="B16",
        name="整数金额商超支付",
        description="金额达到阈值且是100的整数倍，收款人名称含超市、商场、商贸、百货等。",
        basis="审计署财政审计方法 A0123（超市或商场消费为大额整数）。",
        category=Rule.Category.COMPLIANCE,
        subject_type=Rule.SubjectType.PAYMENT,
        params=(
            Param(
                "amount",
                "最低金额（元）",
                "amount",
                Decimal("1000"),
                Decimal("100"),
                Decimal("10000000"),
            ),
            Param("payee_words", "收款人名称含", "words", ["超市", "商场", "商贸", "百货"]),
            level_param(AlertLevel.NOTICE),
        ),
        predicate=_b16,
        explain=lambda r, p: (
            f"{r['unit__name']}于{r['pay_date']:%Y年%m月%d日}向{r['payee_name']}支付整数金额{yuan(r['amount'])}元"
            f"（用途“{r['purpose']}”）。"
        ),
    ),
)


def payment_scan(
    ctx: Context, rules: list[tuple[PaymentRule, dict[str, Any]]]
) -> dict[str, list[Finding]]:
    """ONE scan of the payments for all the payment rules given: the predicates are ORed,
    each hit is tagged with the rules it breaks, and only the hits come back."""
    if not rules:
        return {}
    qs = ctx.payments().filter(kind=Payment.Kind.PAYMENT)
    if any(r.code == "B16" for r, _ in rules):
        qs = qs.annotate(round_hundred=Mod("amount", 100))
    combined = Q(pk__in=[])
    flags = {}
    for rule, params in rules:
        q = rule.predicate(ctx, params)
        combined |= q
        flags[f"hit_{rule.code}"] = Q(pk__isnull=False) if rule.confirm_decides else q
    qs = qs.filter(combined).annotate(
        **{
            name: Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())
            for name, q in flags.items()
        }
    )
    found: dict[str, list[Finding]] = {rule.code: [] for rule, _ in rules}
    for row in qs.values(*PAYMENT_FIELDS, *flags):
        row["unit__name"] = unit_label(ctx, row["unit_id"])[1]
        for rule, params in rules:
            if row[f"hit_{rule.code}"] and rule.confirm(row):
                found[rule.code].append(
                    Finding(
                        subject_key=row["voucher_no"],
                        subject_label=f"{row['voucher_no']} {row['unit__name']} → {row['payee_name']}",
                        period=month_start(row["pay_date"]),
                        level=rule.level_of(row, params),
                        explanation=rule.explain(row, params),
                        amount=row["amount"],
                        unit_id=row["unit_id"],
                        figures={
                            "支付日期": row["pay_date"].isoformat(),
                            "金额（元）": str(row["amount"]),
                            "收款人": row["payee_name"],
                            "用途": row["purpose"],
                            "部门经济分类": row["dep_eco_code"],
                            "指标编号": row["bgt_id"],
                        },
                        evidence={"payments": [row["id"]]},
                    )
                )
    return found
