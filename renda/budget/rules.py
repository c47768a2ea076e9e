"""The sixteen supervision rules of issue 6 as data plus registered evaluators (reference
budget.md §2, §5; the 挂接函数 of the finance-side rule library).

A rule's definition lives here (code, name, basis, parameters with default / minimum /
maximum); its current parameter values, on/off switch and version live in the `Rule` row,
which staff edit in the browser (engine.update_rule). Every evaluator works set-based: it
asks the database for the few rows that break the rule (a filtered scan, a GROUP BY over
the payment summaries) and turns only those into `Finding`s; nothing loops over payments.

Two kinds of evaluators:
- payment rules (`PaymentRule`): a predicate on one payment. The engine ORs the predicates
  of all enabled payment rules into ONE scan of the payments and sorts the hits out after
  (a full evaluation reads the payments table once for all of them).
- aggregate rules (`AggregateRule`): a function of the context that returns findings; they
  read the summaries (PaymentSummary, indicators, adjustments, revenue, debt, projects).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    Lookup,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Mod

from renda.lib import workdays

from .models import (
    BudgetAdjustment,
    BudgetIndicator,
    BudgetUnit,
    DebtMonth,
    FinanceRegion,
    IndicatorPaidSummary,
    Level,
    PayeeSummary,
    Payment,
    PaymentSummary,
    ProjectReport,
    RevenueBudget,
    RevenueReceipt,
    Rule,
    SummaryState,
    ThreePublic,
    UnitPaidSummary,
)

HUNDRED = Decimal(100)
CENT = Decimal("0.01")

# --- parameters -------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One parameter: `kind` is "amount" (元), "percent" (%), "points" (percentage points),
    "int", "level" (1–3) or "words" (a list of words). Bounds are inclusive."""

    name: str
    label: str
    kind: str
    default: Any
    minimum: Any = None
    maximum: Any = None
    optional: bool = False  # an empty value switches that threshold off

    def spec(self) -> dict[str, Any]:
        def plain(v: Any) -> Any:
            return str(v) if isinstance(v, Decimal) else v

        return {
            "name": self.name,
            "label": self.label,
            "kind": self.kind,
            "default": plain(self.default),
            "minimum": plain(self.minimum),
            "maximum": plain(self.maximum),
            "optional": self.optional,
        }

    def clean(self, raw: Any) -> Any:
        """The value as the evaluator wants it, or a ValidationError in Chinese."""
        if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
            if self.optional:
                return None
            raise ValidationError(f"请填写“{self.label}”。")
        if self.kind == "words":
            words = raw if isinstance(raw, list) else str(raw).replace("，", ",").split(",")
            cleaned = [str(w).strip() for w in words if str(w).strip()]
            if not cleaned:
                raise ValidationError(f"“{self.label}”至少要有一个词。")
            if any(len(w) > 20 for w in cleaned):
                raise ValidationError(f"“{self.label}”中的每个词不能超过20个字。")
            return cleaned
        if self.kind in ("int", "level"):
            try:
                number = Decimal(str(raw).strip())
                if not number.is_finite() or number != number.to_integral_value():
                    raise ValueError  # "3.5" is not a whole number
                value: Any = int(number)
            except (ValueError, InvalidOperation):
                raise ValidationError(f"“{self.label}”应为整数，收到的是“{raw}”。") from None
        else:
            try:
                value = Decimal(str(raw).strip().replace(",", ""))
            except InvalidOperation:
                raise ValidationError(f"“{self.label}”应为数字，收到的是“{raw}”。") from None
            if not value.is_finite():
                raise ValidationError(f"“{self.label}”应为有限的数字。")
        if self.minimum is not None and value < self.minimum:
            raise ValidationError(f"“{self.label}”不能小于 {self.minimum}（收到 {value}）。")
        if self.maximum is not None and value > self.maximum:
            raise ValidationError(f"“{self.label}”不能大于 {self.maximum}（收到 {value}）。")
        return value

    def to_json(self, value: Any) -> Any:
        return str(value) if isinstance(value, Decimal) else value


def min_indicators_param() -> Param:
    """Units whose indicators are below this are too small for a progress verdict."""
    return Param(
        "min_indicators",
        "指标低于此数的单位不预警（元）",
        "amount",
        Decimal("100000"),
        Decimal("0"),
        Decimal("10000000000"),
    )


def level_param(default: int) -> Param:
    return Param("level", "预警级别（1提示 2警告 3严重）", "level", default, 1, 3)


# --- findings and context ---------------------------------------------------------------


@dataclass
class Finding:
    subject_key: str
    subject_label: str
    period: dt.date
    level: int
    explanation: str
    amount: Decimal = Decimal(0)
    unit_id: int | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, list[int]] = field(default_factory=dict)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def yuan(value: Decimal | int | float | None) -> str:
    return f"{Decimal(value or 0).quantize(CENT):,.2f}"


def pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.quantize(Decimal('0.1'))}%"


# Year-to-date payment totals per unit and per indicator, kept by the import with the summary
# (summaries.refresh_overview): `Context.paid_sql` reads them instead of grouping the summary.
_YEAR_TOTALS: dict[str, type[UnitPaidSummary] | type[IndicatorPaidSummary]] = {
    "unit_id": UnitPaidSummary,
    "indicator_id": IndicatorPaidSummary,
}


@dataclass
class Context:
    """What every evaluator of one run sees. `batch_id` makes the payment rules incremental:
    only the payments that import batch wrote are scanned."""

    region: FinanceRegion
    year: int
    as_of: dt.date
    batch_id: int | None = None

    @cached_property
    def period(self) -> dt.date:
        return month_start(self.as_of)

    @cached_property
    def time_progress(self) -> Decimal:
        """Day of year of the as-of date ÷ days in the year, in percent."""
        days = 366 if calendar.isleap(self.as_of.year) else 365
        return (Decimal(self.as_of.timetuple().tm_yday) * HUNDRED / days).quantize(CENT)

    def payments(self) -> QuerySet[Payment]:
        qs = Payment.objects.filter(
            region=self.region, year=self.year, is_void=False, pay_date__lte=self.as_of
        )
        if self.batch_id is not None:
            qs = qs.filter(batch_id=self.batch_id)
        return qs

    # Aggregates the unit rules share (one query each, computed once per run).
    @cached_property
    def indicators(self) -> dict[int, dict[str, Any]]:
        """Per indicator: its unit, 三公 flag, initial flag and available amount at the as-of
        date (own amount + 调减 rows naming it + adjustments in − out)."""
        rows = BudgetIndicator.objects.filter(region=self.region, year=self.year).filter(
            Q(doc_date__isnull=True) | Q(doc_date__lte=self.as_of)
        )
        info: dict[int, dict[str, Any]] = {}
        by_bgt: dict[str, int] = {}
        reductions: list[tuple[str, Decimal]] = []
        for pk, bgt_id, unit_id, kind, ori, amount, thr in rows.values_list(
            "pk", "bgt_id", "unit_id", "kind", "ori_bgt_id", "amount", "thr_exp"
        ):
            if kind == BudgetIndicator.Kind.REDUCTION and ori:
                reductions.append((ori, amount))
                continue
            by_bgt[bgt_id] = pk
            info[pk] = {
                "bgt_id": bgt_id,
                "unit_id": unit_id,
                "kind": kind,
                "thr_exp": thr,
                "amount": amount,
                "available": amount,
            }
        for ori, amount in reductions:
            if ori in by_bgt:
                info[by_bgt[ori]]["available"] += amount
        for side, sign in (("to_indicator_id", 1), ("from_indicator_id", -1)):
            moved = (
                BudgetAdjustment.objects.filter(
                    region=self.region, year=self.year, adj_date__lte=self.as_of
                )
                .exclude(**{f"{side}__isnull": True})
                .values(side)
                .annotate(total=Sum("amount"))
                .order_by()
            )
            for row in moved:
                if row[side] in info:
                    info[row[side]]["available"] += sign * row["total"]
        return info

    @cached_property
    def summary_state(self) -> SummaryState | None:
        return SummaryState.objects.filter(region=self.region, year=self.year).first()

    @property
    def has_summaries(self) -> bool:
        return self.summary_state is not None

    @property
    def summary_covers_as_of(self) -> bool:
        last = self.summary_state.last_pay_date if self.summary_state else None
        return last is None or self.as_of >= last

    def _paid_sources(
        self, group: str, months: Iterable[int] | None, filters: dict[str, Any]
    ) -> list[QuerySet[Any]]:
        """The querysets whose (group, total) rows add up to the payments up to the as-of
        date: the monthly summaries, and the as-of month from the payments themselves only
        when the as-of date falls inside the data (a backtest of a past date)."""
        year_totals = _YEAR_TOTALS.get(group)
        if (
            year_totals is not None
            and months is None
            and not filters
            and self.has_summaries
            and self.summary_covers_as_of
        ):
            # The whole year up to the summary's last payment date, which the as-of date
            # reaches: the roll-up kept with the summary holds exactly these totals.
            return [
                year_totals.objects.filter(region=self.region, year=self.year)
                .values(group)
                .annotate(total=F("amount"))
                .order_by()
            ]
        last_month = self.as_of.month
        wanted = set(months) if months is not None else set(range(1, 13))
        full_months = {
            m for m in wanted if m < last_month or (m == last_month and self.summary_covers_as_of)
        }
        sources: list[QuerySet[Any]] = []
        if full_months:
            sources.append(
                PaymentSummary.objects.filter(
                    region=self.region, year=self.year, month__in=sorted(full_months), **filters
                )
                .values(group)
                .annotate(total=Sum("amount"))
                .order_by()
            )
        if last_month in wanted and last_month not in full_months:
            sources.append(
                Payment.objects.filter(
                    region=self.region,
                    year=self.year,
                    is_void=False,
                    pay_date__gte=self.period,
                    pay_date__lte=self.as_of,
                    **filters,
                )
                .values(group)
                .annotate(total=Sum("amount"))
                .order_by()
            )
        return sources

    def paid_sql(
        self, group: str, *, months: Iterable[int] | None = None, **filters: Any
    ) -> tuple[str, list[Any]]:
        """Payments up to the as-of date summed by `group` ("unit_id", "indicator_id"…), as SQL
        for use inside a larger statement: rows (key, total)."""
        parts = [qs.query.sql_with_params() for qs in self._paid_sources(group, months, filters)]
        if not parts:
            return "SELECT NULL AS key, 0 AS total WHERE 1 = 0", []
        # Only ORM-compiled SQL and a field name of ours are formatted in.
        union = " UNION ALL ".join(
            f"SELECT * FROM ({sql}) p{n}"  # noqa: S608
            for n, (sql, _) in enumerate(parts)
        )
        params = [param for _, part_params in parts for param in part_params]
        if len(parts) == 1:
            sql = parts[0][0]
            return f"SELECT u.{group} AS key, u.total FROM ({sql}) u", params  # noqa: S608
        return (
            f"SELECT u.{group} AS key, SUM(u.total) AS total FROM ({union}) u GROUP BY u.{group}",  # noqa: S608
            params,
        )

    def available_sql(self) -> tuple[str, list[Any]]:
        """SQL giving, per indicator counted at the as-of date (rows: id, unit_id, bgt_id,
        thr_exp, available), the same available amount as `indicators` computes in Python:
        its own amount + the 调减 rows naming it + adjustments in − out up to the as-of date.
        For rules that compare in the database and bring back only what they find."""
        r, y, d = self.region.pk, self.year, self.as_of
        reduction = BudgetIndicator.Kind.REDUCTION
        sql = """
            SELECT i.id, i.unit_id, i.bgt_id, i.thr_exp,
                   i.amount + COALESCE(red.total, 0) + COALESCE(adj.total, 0) AS available
            FROM budget_budgetindicator i
            LEFT JOIN (
                SELECT ori_bgt_id, SUM(amount) AS total FROM budget_budgetindicator
                WHERE region_id = %s AND year = %s AND kind = %s AND ori_bgt_id <> ''
                  AND (doc_date IS NULL OR doc_date <= %s)
                GROUP BY ori_bgt_id
            ) red ON red.ori_bgt_id = i.bgt_id
            LEFT JOIN (
                SELECT indicator_id, SUM(amount) AS total FROM (
                    SELECT to_indicator_id AS indicator_id, amount FROM budget_budgetadjustment
                    WHERE region_id = %s AND year = %s AND adj_date <= %s AND to_indicator_id IS NOT NULL
                    UNION ALL
                    SELECT from_indicator_id, -amount FROM budget_budgetadjustment
                    WHERE region_id = %s AND year = %s AND adj_date <= %s AND from_indicator_id IS NOT NULL
                ) moved GROUP BY indicator_id
            ) adj ON adj.indicator_id = i.id
            WHERE i.region_id = %s AND i.year = %s AND (i.doc_date IS NULL OR i.doc_date <= %s)
              AND NOT (i.kind = %s AND i.ori_bgt_id <> '')
        """
        return sql, [r, y, reduction, d, r, y, d, r, y, d, r, y, d, reduction]

    @cached_property
    def units(self) -> dict[int, tuple[str, str]]:
        return {
            pk: (code, name)
            for pk, code, name in BudgetUnit.objects.filter(
                region=self.region, year=self.year
            ).values_list("pk", "code", "name")
        }

    @cached_property
    def non_workdays(self) -> list[dt.date]:
        from renda.core.calendar import load_overrides

        overrides = load_overrides()
        start = dt.date(self.year, 1, 1)
        days = (dt.date(self.year, 12, 31) - start).days + 1
        return [
            day
            for day in (start + dt.timedelta(n) for n in range(days))
            if not workdays.is_workday(day, overrides)
        ]


# --- rule definitions -------------------------------------------------------------------


@dataclass(frozen=True)
class RuleDef:
    code: str
    name: str
    description: str
    basis: str
    category: str
    subject_type: str
    params: tuple[Param, ...]
    # False: the verdict is about the as-of month (progress, ratios), and the latest month's
    # verdict is the current one. True: findings fall in the months of the payments behind
    # them (the payment rules, and B07).
    payment_months: bool = False
    # The kinds of imported data (kinds.py slugs) whose change can change the verdict: a run
    # after an import evaluates only the rules that read what it brought (the nightly run
    # evaluates them all, with the new date's time progress).
    inputs: frozenset[str] = frozenset()
    # The schedule a new Rule row starts with (staff may change it on the rule page).
    schedule: str = Rule.Schedule.IMPORT_AND_NIGHTLY

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.to_json(p.default) for p in self.params}

    def clean(self, raw: dict[str, Any]) -> dict[str, Any]:
        """All parameters validated (missing ones take their default); the errors of every
        field at once, keyed by parameter name."""
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for p in self.params:
            try:
                values[p.name] = p.clean(raw.get(p.name, p.to_json(p.default)))
            except ValidationError as exc:
                errors[p.name] = exc.messages
        if not errors:
            try:
                self.check(values)
            except ValidationError as exc:
                errors["__all__"] = exc.messages
        if errors:
            raise ValidationError(errors)
        return values

    def check(self, values: dict[str, Any]) -> None:
        """Cross-parameter checks: tiered thresholds must rise with the level."""
        tiers: list[Decimal] = [
            values[n] for n in ("notice", "warning", "severe") if values.get(n) is not None
        ]
        if tiers != sorted(tiers):
            raise ValidationError("阈值应当随级别升高：提示 ≤ 警告 ≤ 严重。")

    def to_json(self, values: dict[str, Any]) -> dict[str, Any]:
        return {p.name: p.to_json(values.get(p.name)) for p in self.params}


@dataclass(frozen=True)
class PaymentRule(RuleDef):
    payment_months: bool = True  # each payment is judged once, in the month it was paid
    inputs: frozenset[str] = frozenset({"payments", "units"})

    predicate: Callable[[Context, dict[str, Any]], Q] = lambda ctx, p: Q(pk__in=[])
    explain: Callable[[dict[str, Any], dict[str, Any]], str] = lambda row, p: ""
    level_of: Callable[[dict[str, Any], dict[str, Any]], int] = lambda row, p: int(p["level"])
    # A second look at a hit in Python, for what the predicate can only narrow down.
    confirm: Callable[[dict[str, Any]], bool] = lambda row: True
    # True when `confirm` alone decides (it is the whole rule): the scan then does not
    # repeat the predicate to tag the rows.
    confirm_decides: bool = False


@dataclass(frozen=True)
class AggregateRule(RuleDef):
    evaluate: Callable[[Context, dict[str, Any]], list[Finding]] = lambda ctx, p: []


def tier(value: Decimal, params: dict[str, Any], *, strict: Iterable[str] = ()) -> int | None:
    """The highest level whose threshold `value` reaches (≥, or > for names in `strict`)."""
    found = None
    for level, name in (
        (Level.NOTICE, "notice"),
        (Level.WARNING, "warning"),
        (Level.SEVERE, "severe"),
    ):
        threshold = params.get(name)
        if threshold is None:
            continue
        if value > threshold or (name not in strict and value == threshold):
            found = int(level)
    return found


LEVEL_NAMES = dict(Level.choices)

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
        params=(level_param(Level.SEVERE),),
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
            level_param(Level.WARNING),
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
            level_param(Level.NOTICE),
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
        params=(level_param(Level.NOTICE),),
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
            level_param(Level.WARNING),
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
        params=(level_param(Level.WARNING),),
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
            level_param(Level.NOTICE),
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
        row["unit__name"] = _unit_label(ctx, row["unit_id"])[1]
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


# --- aggregate rules --------------------------------------------------------------------


def _unit_finding(ctx: Context, unit_id: int, **fields: Any) -> Finding:
    """A finding about one budget unit in the as-of month (the unit rules' common shape)."""
    code, name = _unit_label(ctx, unit_id)
    return Finding(
        subject_key=code, subject_label=name, period=ctx.period, unit_id=unit_id, **fields
    )


def _unit_label(ctx: Context, unit_id: int) -> tuple[str, str]:
    return ctx.units.get(unit_id, (str(unit_id), str(unit_id)))


def _ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if not whole else (part * HUNDRED / whole).quantize(CENT)


def _unit_totals(
    ctx: Context,
    *,
    min_available: Decimal,
    months: Iterable[int] | None = None,
    keep_unpaid: bool = True,
    where: str = "TRUE",
    params: Iterable[Any] = (),
) -> list[tuple[int, Decimal, Decimal]]:
    """(unit, available, paid) per unit whose indicators reach `min_available`, computed in
    the database (`Context.available_sql`, `Context.paid_sql`); `where` (over `t.total`, the
    available amount, and `t.paid`, the payments) narrows what comes back, so that a rule
    brings back only the units it may report, not all of a province's. (Parameters are
    CAST: SQLite compares a number with text by type, not by value.)"""
    available_sql, available_params = ctx.available_sql()
    paid_sql, paid_params = ctx.paid_sql("unit_id", months=months)
    join = "LEFT JOIN" if keep_unpaid else "JOIN"
    # Only SQL of ours and the fixed strings of the callers are formatted in.
    sql = (
        "SELECT t.unit_id, t.total, t.paid FROM (SELECT a.unit_id, a.total, "  # noqa: S608
        "COALESCE(pd.total, 0) AS paid FROM ("
        f"SELECT x.unit_id, SUM(x.available) AS total FROM ({available_sql}) x GROUP BY x.unit_id) a "
        f"{join} ({paid_sql}) pd ON pd.key = a.unit_id) t "
        f"WHERE t.total >= CAST(%s AS NUMERIC) AND ({where})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*available_params, *paid_params, min_available, *params])
        return [(u, _decimal(a), _decimal(p)) for u, a, p in cursor.fetchall()]


def _lowest(p: dict[str, Any]) -> Decimal | None:
    values = [p[n] for n in ("notice", "warning", "severe") if p.get(n) is not None]
    return min(values) if values else None


def _b01(ctx: Context, p: dict[str, Any]) -> list[Finding]:
    if ctx.as_of < dt.date(ctx.year, int(p["start_month"]), 1):
        return []
    lowest = _lowest(p)
    if lowest is None:
        return []
    # lag = time progress − paid ÷ available ≥ the lowest threshold; a cent of slack for
    # the rounding of the rate, which `tier` below then judges exactly.
    rows = _unit_totals(
        ctx,
        min_available=p["min_indicators"],
        where="t.paid * 100 <= (CAST(%s AS NUMERIC) - CAST(%s AS NUMERIC) + 0.01) * t.total",
        params=[ctx.time_progress, lowest],
    )
    findings = []
    for unit_id, amount, spent in rows:
        rate = _ratio(spent, amount) or Decimal(0)
        lag = ctx.time_progress - rate
        level = tier(lag, p)
        if level is None:
            continue
        name = _unit_label(ctx, unit_id)[1]
        findings.append(
            _unit_finding(
                ctx,
                unit_id,
                level=level,
                amount=amount - spent,
                explanation=(
                    f"截至{ctx.as_of:%Y年%m月%d日}，{name}支出{yuan(spent)}元，占指标{yuan(amount)}元的{pct(rate)}，"
                    f"时间进度{pct(ctx.time_progress)}，落后{lag.quantize(Decimal('0.1'))}个百分点。"
                ),
                figures={
                    "指标（元）": str(amount),
                    "支出（元）": str(spent),
                    "支出进度（%）": str(rate),
                    "时间进度（%）": str(ctx.time_progress),
                    "落后（百分点）": str(lag),
                },
            )
        )
    _attach_indicators(ctx, findings)
    return findings


def _attach_indicators(
    ctx: Context, findings: list[Finding], *, three_public: bool = False
) -> None:
    """Each unit finding's indicators as evidence (up to 200), for the units found only."""
    qs = _counted_indicators(ctx).filter(unit_id__in=[f.unit_id for f in findings])
    if three_public:
        qs = qs.exclude(thr_exp="")
    evidence: dict[int, list[int]] = defaultdict(list)
    for unit_id, pk in qs.order_by("pk").values_list("unit_id", "pk"):
        evidence[unit_id].append(pk)
    for f in findings:
        f.evidence = {"indicators": evidence[f.unit_id or 0][:200]}


def _decimal(value: Any) -> Decimal:
    # PostgreSQL returns numeric as Decimal; SQLite returns its sums as float or int.
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(CENT)


def _b02(ctx: Context, p: dict[str, Any]) -> list[Finding]:
    """Compared in the database: only the indicators paid beyond their available amount
    come back (of ~10^4 at province scale, a handful)."""
    paid_sql, paid_params = ctx.paid_sql("indicator_id")
    available_sql, available_params = ctx.available_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.id, a.unit_id, a.bgt_id, a.available, paid.total FROM ({paid_sql}) paid "  # noqa: S608 - SQL of ours
            f"JOIN ({available_sql}) a ON a.id = paid.key WHERE paid.total > a.available",
            [*paid_params, *available_params],
        )
        over = {
            pk: (
                {"unit_id": unit_id, "bgt_id": bgt_id, "available": _decimal(available)},
                _decimal(total),
            )
            for pk, unit_id, bgt_id, available, total in cursor.fetchall()
        }
    evidence = _largest_payments(ctx, over)
    findings = []
    for pk, (info, spent) in over.items():
        excess = spent - info["available"]
        code, name = _unit_label(ctx, info["unit_id"])
        rate = _ratio(spent, info["available"])
        findings.append(
            Finding(
                subject_key=info["bgt_id"],
                subject_label=f"{info['bgt_id']} {name}",
                period=ctx.period,
                level=int(p["level"]),
                unit_id=info["unit_id"],
                amount=excess,
                explanation=(
                    f"截至{ctx.as_of:%Y年%m月%d日}，{name}指标{info['bgt_id']}调整后可用"
                    f"{yuan(info['available'])}元，已支付{yuan(spent)}元（{pct(rate)}），"
                    f"超出{yuan(excess)}元。"
                ),
                figures={
                    "可用指标（元）": str(info["available"]),
                    "已支付（元）": str(spent),
                    "超出（元）": str(excess),
                },
                evidence={"indicators": [pk], "payments": evidence.get(pk, [])},
            )
        )
    return findings


EVIDENCE_PER_SUBJECT = 50


def _largest_payments(ctx: Context, indicators: Iterable[int]) -> dict[int, list[int]]:
    """The largest payments of each indicator (evidence), in one query for all of them."""
    from django.db.models import Window
    from django.db.models.functions import RowNumber

    ids = list(indicators)
    if not ids:
        return {}
    ranked = (
        Payment.objects.filter(
            region=ctx.region, year=ctx.year, is_void=False, indicator_id__in=ids
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("indicator_id")], order_by=F("amount").desc())
        )
        .filter(rank__lte=EVIDENCE_PER_SUBJECT)
        .values_list("indicator_id", "pk")
    )
    out: dict[int, list[int]] = defaultdict(list)
    for indicator_id, pk in ranked:
        out[indicator_id].append(pk)
    return out


def _b04(ctx: Context, p: dict[str, Any]) -> list[Finding]:
    if ctx.as_of < dt.date(ctx.year, int(p["from_month"]), 1):
        return []
    lowest = _lowest(p)
    if lowest is None:
        return []
    rows = _unit_totals(
        ctx,
        min_available=p["min_indicators"],
        months=range(int(p["from_month"]), 13),
        keep_unpaid=False,
        where="t.paid * 100 >= (CAST(%s AS NUMERIC) - 0.01) * t.total",
        params=[lowest],
    )
    findings = []
    for unit_id, whole, amount in rows:
        share = _ratio(amount, whole) or Decimal(0)
        level = tier(share, p, strict=("warning", "severe", "notice"))
        if level is None:
            continue
        name = _unit_label(ctx, unit_id)[1]
        findings.append(
            _unit_finding(
                ctx,
                unit_id,
                level=level,
                amount=amount,
                explanation=(
                    f"{name}{int(p['from_month'])}月以来支出{yuan(amount)}元，占全年指标{yuan(whole)}元的{pct(share)}，"
                    f"超过{p['warning']}%，有年底突击花钱之嫌。"
                ),
                figures={
                    "年末支出（元）": str(amount),
                    "全年指标（元）": str(whole),
                    "占比（%）": str(share),
                },
            )
        )
    return findings


def _b07(ctx: Context, p: dict[str, Any]) -> list[Finding]:
    """Windows of `days` days in which one unit paid one payee ≥ 2 times, each below the
    single-payment limit, together reaching the total. First one GROUP BY keeps the (unit,
    payee) pairs whose payments could reach the total at all (on 10^7 payments a handful);
    then a window function over just those pairs' payments finds the windows."""
    single, total, days = p["single_below"], p["total"], int(p["days"])
    base = Payment.objects.filter(
        region=ctx.region,
        year=ctx.year,
        is_void=False,
        pay_date__lte=ctx.as_of,
        kind=Payment.Kind.PAYMENT,
        amount__lt=single,
    )
    new_payments = ctx.payments().filter(kind=Payment.Kind.PAYMENT, amount__lt=single)
    spans: list[tuple[dt.date, dt.date]] = []  # incremental: dates of the new payments
    if ctx.has_summaries:
        # The payee summary (one row per pair: all its payments, of any size and date)
        # over-counts, so it can only let through too many pairs, never drop one; the
        # windows below are exact. It holds ~15 times fewer rows than the payments, and it
        # already counts a new batch: the import adds it in the same transaction. An index
        # on the amount finds the few pairs that can reach the total at all.
        pairs = list(
            PayeeSummary.objects.filter(
                region=ctx.region, year=ctx.year, count__gte=2, amount__gte=total
            ).values_list("unit_id", "payee_name")
        )
        if ctx.batch_id is not None and pairs:
            # Incremental: a new window holds a new payment, so only the pairs it paid, and
            # their new payments' dates. (Two steps on purpose: joined, the planner misjudges
            # the batch and probes the summary once per new payment.)
            paid_now = {
                (row["unit_id"], row["payee_name"]): (row["first"], row["last"])
                for row in new_payments.filter(
                    unit_id__in={unit_id for unit_id, _ in pairs},
                    payee_name__in={payee for _, payee in pairs},
                )
                .values("unit_id", "payee_name")
                .annotate(first=Min("pay_date"), last=Max("pay_date"))
                .order_by()
            }
            pairs = [pair for pair in pairs if pair in paid_now]
            spans = list(paid_now.values())
    else:
        if ctx.batch_id is not None:
            span = new_payments.aggregate(first=Min("pay_date"), last=Max("pay_date"))
            spans = [(span["first"], span["last"])] if span["first"] else []
            if not spans:
                return []
            base = base.filter(pay_date__gte=spans[0][0] - dt.timedelta(days - 1))
        pairs = list(
            base.values("unit_id", "payee_name")
            .annotate(n=Count("id"), s=Sum("amount"))
            .filter(n__gte=2, s__gte=total)
            .values_list("unit_id", "payee_name")
            .order_by()
        )
    if ctx.batch_id is not None and pairs:
        # Incremental: a window that holds a new payment lies within `days` of the new
        # payments' dates, so only that stretch of the year is read.
        margin = dt.timedelta(days - 1)
        base = base.filter(
            pay_date__gte=min(first for first, _ in spans) - margin,
            pay_date__lte=max(last for _, last in spans) + margin,
        )
    if not pairs:
        return []
    findings: list[Finding] = []
    for start in range(0, len(pairs), 500):
        findings.extend(_b07_windows(ctx, p, base, pairs[start : start + 500]))
    return findings


def _b07_windows(
    ctx: Context, p: dict[str, Any], base: QuerySet[Payment], pairs: list[tuple[int, str]]
) -> list[Finding]:
    single, total, days = p["single_below"], p["total"], int(p["days"])
    # Every unit with every payee of the pairs: two IN lists the database hashes (the (unit,
    # date) index picks the units' rows), where 172 ORed pairs cost 485k rows × 172 tests
    # (2.2 s at province scale). The extra pairs this lets in are dropped below.
    wanted = Q(
        unit_id__in=sorted({unit_id for unit_id, _ in pairs}),
        payee_name__in=sorted({payee for _, payee in pairs}),
    )
    asked = set(pairs)
    rows_sql, rows_params = (
        base.filter(wanted)
        .values("id", "unit_id", "payee_name", "pay_date", "amount")
        .order_by()
        .query.sql_with_params()
    )
    if connection.vendor == "postgresql":
        order = "r.pay_date"
        frame = f"RANGE BETWEEN CURRENT ROW AND INTERVAL '{days - 1} days' FOLLOWING"
    else:
        order, frame = (
            "julianday(r.pay_date)",
            f"RANGE BETWEEN CURRENT ROW AND {days - 1} FOLLOWING",
        )
    # Only whole numbers (`days`, validated) and compiled ORM SQL are formatted in.
    sql = f"""
        WITH w AS (
            SELECT r.unit_id, r.payee_name, r.pay_date,
                   SUM(r.amount) OVER (PARTITION BY r.unit_id, r.payee_name ORDER BY {order} {frame}) AS window_total,
                   COUNT(*) OVER (PARTITION BY r.unit_id, r.payee_name ORDER BY {order} {frame}) AS window_n
            FROM ({rows_sql}) r
        )
        SELECT unit_id, payee_name, pay_date, window_total, window_n FROM w
        WHERE window_total >= CAST(%s AS NUMERIC) AND window_n >= 2
        ORDER BY unit_id, payee_name, pay_date
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rows_params, total])
        starts = cursor.fetchall()
    findings: list[Finding] = []
    last_end: dict[tuple[int, str], dt.date] = {}
    for unit_id, payee, first, window_total, n in starts:
        if isinstance(first, str):
            first = dt.date.fromisoformat(first)
        key = (unit_id, payee)
        if key not in asked:
            continue
        # Overlapping windows of one pair describe one split: report the first of them.
        if key in last_end and first <= last_end[key]:
            continue
        last_end[key] = first + dt.timedelta(days - 1)
        ids = list(
            base.filter(
                unit_id=unit_id, payee_name=payee, pay_date__gte=first, pay_date__lte=last_end[key]
            ).values_list("pk", flat=True)
        )
        if (
            ctx.batch_id is not None
            and not Payment.objects.filter(pk__in=ids, batch_id=ctx.batch_id).exists()
        ):
            continue  # an incremental run reports only windows that hold a new payment
        window_total = Decimal(window_total)
        code, name = _unit_label(ctx, unit_id)
        findings.append(
            Finding(
                subject_key=f"{code}|{payee}|{first.isoformat()}",
                subject_label=f"{name} → {payee}（{first:%m月%d日}起）",
                period=month_start(first),
                level=int(p["level"]),
                unit_id=unit_id,
                amount=window_total,
                explanation=(
                    f"{name}自{first:%Y年%m月%d日}起{days}天内向{payee}支付{n}笔，每笔不足{yuan(single)}元，"
                    f"合计{yuan(window_total)}元，达到{yuan(total)}元，疑似拆分支付规避限额。"
                ),
                figures={"笔数": n, "合计（元）": str(window_total), "起始日期": first.isoformat()},
                evidence={"payments": ids[:200]},
            )
        )
    return findings


def _b09(ctx: Context, p: dict[str, Any]) -> list[Finding]:
    units = None
    if ctx.batch_id is not None:
        # Incremental: only a unit that made a 三公 payment in this batch can have changed.
        units = set(
            ctx.payments()
            .exclude(thr_exp="")
            .values_list("unit_id", flat=True)
            .distinct()
            .order_by()
        )
        if not units:
            return []
    only = {"unit_id__in": sorted(units)} if units is not None else {}
    paid_sql, paid_params = ctx.paid_sql("unit_id", thr_exp__in=ThreePublic.values, **only)
    available_sql, available_params = ctx.available_sql()
    with connection.cursor() as cursor:
        # Per unit: its 三公 payments beside the available amount of its 三公 indicators.
        cursor.execute(
            f"SELECT paid.key, paid.total, COALESCE(b.total, 0) FROM ({paid_sql}) paid "  # noqa: S608 - SQL of ours
            f"LEFT JOIN (SELECT a.unit_id, SUM(a.available) AS total FROM ({available_sql}) a "
            "WHERE a.thr_exp <> '' GROUP BY a.unit_id) b ON b.unit_id = paid.key",
            [*paid_params, *available_params],
        )
        rows = [(unit_id, _decimal(s), _decimal(b)) for unit_id, s, b in cursor.fetchall()]
    findings = []
    for unit_id, amount, whole in rows:
        if amount <= 0:
            continue
        ratio = _ratio(amount, whole)
        level = int(Level.SEVERE) if ratio is None else tier(ratio, p, strict=("severe",))
        if level is None:
            continue
        name = _unit_label(ctx, unit_id)[1]
        findings.append(
            _unit_finding(
                ctx,
                unit_id,
                level=level,
                amount=amount,
                explanation=(
                    f"截至{ctx.as_of:%Y年%m月%d日}，{name}“三公”经费支出{yuan(amount)}元，"
                    + (
                        f"为预算{yuan(whole)}元的{pct(ratio)}。"
                        if ratio is not None
                        else "但没有“三公”经费预算。"
                    )
                ),
                figures={
                    "三公支出（元）": str(amount),
                    "三公预算（元）": str(whole),
                    "比例（%）": str(ratio),
                },
            )
        )
    _attach_indicators(ctx, findings, three_public=True)
    return findings


def _counted_indicators(ctx: Context) -> QuerySet[BudgetIndicator]:
    """The indicator rows `Context.indicators` counts: issued by the as-of date, 调减 rows
    naming another indicator left out (they count toward that one)."""
    return (
        BudgetIndicator.objects.filter(region=ctx.region, year=ctx.year)
        .filter(Q(doc_date__isnull=True) | Q(doc_date__lte=ctx.as_of))
        .exclude(kind=BudgetIndicator.Kind.REDUCTION, ori_bgt_id__gt="")
    )


def _b10(ctx: Context, p: dict[str, Any]) -> list[Finding]:
    budget = dict(
        RevenueBudget.objects.filter(region=ctx.region, year=ctx.year).values_list(
            "revenue_code", "amount"
        )
    )
    if not budget:
        return []
    received = {
        row["revenue_code"]: row["total"]
        for row in RevenueReceipt.objects.filter(
            region=ctx.region, year=ctx.year, receipt_date__lte=ctx.as_of
        )
        .values("revenue_code")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    names = _revenue_names(ctx.year)
    rows = [
        (code, names.get(code, code), amount, received.get(code, Decimal(0)))
        for code, amount in budget.items()
    ]
    rows.append(
        (
            "total",
            "收入合计",
            sum(budget.values(), Decimal(0)),
            sum(received.get(c, Decimal(0)) for c in budget),
        )
    )
    findings = []
    for code, name, amount, got in rows:
        rate = _ratio(got, amount)
        if rate is None:
            continue
        lag = ctx.time_progress - rate
        level = tier(lag, p)
        if level is None:
            continue
        findings.append(
            Finding(
                subject_key=code,
                subject_label=name,
                period=ctx.period,
                level=level,
                amount=max(amount * ctx.time_progress / HUNDRED - got, Decimal(0)).quantize(CENT),
                explanation=(
                    f"截至{ctx.as_of:%Y年%m月%d日}，{name}入库{yuan(got)}元，为预算{yuan(amount)}元的{pct(rate)}，"
                    f"时间进度{pct(ctx.time_progress)}，落后{lag.quantize(Decimal('0.1'))}个百分点。"
                ),
                figures={
                    "预算（元）": str(amount),
                    "入库（元）": str(got),
                    "完成（%）": str(rate),
                    "时间进度（%）": str(ctx.time_progress),
                },
            )
        )
    return findings


def _revenue_names(year: int) -> dict[str, str]:
    from .models import ClassificationCode

    return dict(
        ClassificationCode.objects.filter(
            scheme=ClassificationCode.Scheme.REVENUE, year=year
        ).values_list("code", "name")
    )


def _b13(ctx: Context, p: dict[str, Any]) -> list[Finding]:
    adjustments = BudgetAdjustment.objects.filter(
        region=ctx.region, year=ctx.year, adj_date__lte=ctx.as_of
    )
    unit_of = {pk: i["unit_id"] for pk, i in ctx.indicators.items()}
    counts: dict[int, set[int]] = defaultdict(set)
    inflow: dict[int, Decimal] = defaultdict(Decimal)
    for pk, src, dst, amount in adjustments.values_list(
        "pk", "from_indicator_id", "to_indicator_id", "amount"
    ):
        src_unit, dst_unit = unit_of.get(src), unit_of.get(dst)
        for unit in {src_unit, dst_unit} - {None}:
            counts[unit].add(pk)  # type: ignore[index]
        if dst_unit is not None and src_unit != dst_unit:
            inflow[dst_unit] += amount
    initial: dict[int, Decimal] = defaultdict(Decimal)
    for info in ctx.indicators.values():
        if info["kind"] == BudgetIndicator.Kind.INITIAL:
            initial[info["unit_id"]] += info["amount"]  # as first approved, before any change
    findings = []
    for unit_id in set(counts) | set(inflow):
        n = len(counts.get(unit_id, ()))
        share = _ratio(inflow.get(unit_id, Decimal(0)), initial.get(unit_id, Decimal(0)))
        levels, reasons = [], []
        if n > int(p["count"]):
            levels.append(int(p["count_level"]))
            reasons.append(f"全年调剂{n}次（超过{int(p['count'])}次）")
        if share is not None and share > p["inflow_percent"]:
            levels.append(int(p["inflow_level"]))
            reasons.append(
                f"调入资金{yuan(inflow[unit_id])}元，占年初指标的{pct(share)}（超过{p['inflow_percent']}%）"
            )
        if not levels:
            continue
        name = _unit_label(ctx, unit_id)[1]
        findings.append(
            _unit_finding(
                ctx,
                unit_id,
                level=max(levels),
                amount=inflow.get(unit_id, Decimal(0)),
                explanation=f"截至{ctx.as_of:%Y年%m月%d日}，{name}" + "；".join(reasons) + "。",
                figures={
                    "调剂次数": n,
                    "调入金额（元）": str(inflow.get(unit_id, Decimal(0))),
                    "调入占年初指标（%）": str(share),
                },
            )
        )
    return findings


def _b14(ctx: Context, p: dict[str, Any]) -> list[Finding]:
    row = (
        DebtMonth.objects.filter(region=ctx.region, year=ctx.year, month__lte=ctx.as_of.month)
        .exclude(financial_capacity__isnull=True)
        .exclude(financial_capacity=0)
        .order_by("-month")
        .first()
    )
    if row is None:
        return []
    balance = row.general_balance + row.special_balance
    capacity = row.financial_capacity or Decimal(0)
    ratio = _ratio(balance, capacity) or Decimal(0)
    level = tier(ratio, p)
    if level is None:
        return []
    return [
        Finding(
            subject_key=ctx.region.code,
            subject_label=ctx.region.name,
            period=ctx.period,
            level=level,
            # The debt beyond the comprehensive financial capacity (a ratio above 100 %),
            # not the whole balance, is what the alert puts at stake.
            amount=max(balance - capacity, Decimal(0)),
            explanation=(
                f"{ctx.year}年{row.month}月末，{ctx.region.name}政府债务余额{yuan(balance)}元，"
                f"综合财力{yuan(row.financial_capacity)}元，债务率{pct(ratio)}。"
            ),
            figures={
                "债务余额（元）": str(balance),
                "综合财力（元）": str(row.financial_capacity),
                "债务率（%）": str(ratio),
                "月份": row.month,
            },
        )
    ]


def _b15(ctx: Context, p: dict[str, Any]) -> list[Finding]:
    reports = ProjectReport.objects.filter(
        region=ctx.region, year=ctx.year, report_date__lte=ctx.as_of
    )
    latest = reports.values("project_code").annotate(last=Max("report_date")).order_by()
    wanted = Q(pk__in=[])
    for row in latest:
        wanted |= Q(project_code=row["project_code"], report_date=row["last"])
    findings = []
    for report in reports.filter(wanted):
        if not report.annual_plan:
            continue
        days = 366 if calendar.isleap(report.report_date.year) else 365
        progress = (Decimal(report.report_date.timetuple().tm_yday) * HUNDRED / days).quantize(CENT)
        rate = _ratio(report.annual_completed, report.annual_plan) or Decimal(0)
        lag = progress - rate
        level = tier(lag, p)
        if level is None:
            continue
        findings.append(
            Finding(
                subject_key=report.project_code,
                subject_label=report.project_name,
                period=ctx.period,
                level=level,
                amount=report.annual_plan - report.annual_completed,
                explanation=(
                    f"截至{report.report_date:%Y年%m月%d日}，{report.project_name}本年完成投资{yuan(report.annual_completed)}元，"
                    f"为年度计划{yuan(report.annual_plan)}元的{pct(rate)}，时间进度{pct(progress)}，"
                    f"落后{lag.quantize(Decimal('0.1'))}个百分点。"
                ),
                figures={
                    "年度计划（元）": str(report.annual_plan),
                    "本年完成（元）": str(report.annual_completed),
                    "完成（%）": str(rate),
                    "时间进度（%）": str(progress),
                },
            )
        )
    return findings


def _tiers(
    notice: Any, warning: Any, severe: Any, *, kind: str = "points", low: Any = 0, high: Any = 100
) -> tuple[Param, ...]:
    labels = {"points": "落后（百分点）", "percent": "比例（%）"}[kind]
    out = []
    for name, cn, value in (
        ("notice", "提示", notice),
        ("warning", "警告", warning),
        ("severe", "严重", severe),
    ):
        out.append(
            Param(
                name,
                f"{cn}阈值：{labels}",
                kind,
                None if value is None else Decimal(str(value)),
                Decimal(str(low)),
                Decimal(str(high)),
                optional=True,
            )
        )
    return tuple(out)


AGGREGATE_RULES: tuple[AggregateRule, ...] = (
    AggregateRule(
        code="B01",
        name="支出进度滞后",
        description="时间进度减去单位支出进度（支出 ÷ 指标）的百分点数达到阈值。指标较小的单位和3月1日前不预警。",
        basis="《中华人民共和国预算法》第五十七条；《财政部关于进一步加强财政支出预算执行管理的通知》（支出进度考核）。",
        category=Rule.Category.REASONABLENESS,
        subject_type=Rule.SubjectType.UNIT,
        params=(
            *_tiers(10, 20, 30),
            min_indicators_param(),
            Param("start_month", "从几月1日起预警", "int", 3, 1, 12),
        ),
        evaluate=_b01,
        inputs=frozenset({"payments", "units", "indicators", "adjustments"}),
        # Measured against time progress, which moves with the calendar rather than with a
        # batch of data: judged once a day, at night, for every unit (T+1, as treasuries
        # report). Staff can switch it to every import on the rule page.
        schedule=Rule.Schedule.NIGHTLY,
    ),
    AggregateRule(
        code="B02",
        name="超指标支付",
        description="同一指标的支付合计超过调整后的指标数。",
        basis="《中华人民共和国预算法》第十三条、第五十七条：不得超预算支出。",
        category=Rule.Category.LEGALITY,
        subject_type=Rule.SubjectType.INDICATOR,
        params=(level_param(Level.SEVERE),),
        evaluate=_b02,
        inputs=frozenset({"payments", "units", "indicators", "adjustments"}),
    ),
    AggregateRule(
        code="B04",
        name="年底突击花钱",
        description="11—12月支出占单位全年指标的比例超过阈值。",
        basis="审计署财政审计方法 A0110（年度突击花钱）。",
        category=Rule.Category.REASONABLENESS,
        subject_type=Rule.SubjectType.UNIT,
        params=(
            *_tiers(None, 50, None, kind="percent"),
            Param("from_month", "年末起始月份", "int", 11, 7, 12),
            min_indicators_param(),
        ),
        evaluate=_b04,
        inputs=frozenset({"payments", "units", "indicators", "adjustments"}),
        # A year-end pattern over two months of spending, not a single payment: nightly.
        schedule=Rule.Schedule.NIGHTLY,
    ),
    AggregateRule(
        code="B07",
        name="拆分支付",
        description="同一单位在若干天内向同一收款人支付2笔及以上，每笔低于限额，合计达到限额。",
        basis="《中华人民共和国政府采购法》第二十八条：不得将应当以公开招标方式采购的货物或者服务化整为零。",
        category=Rule.Category.LEGALITY,
        subject_type=Rule.SubjectType.PAYEE,
        params=(
            Param("days", "时间窗口（天）", "int", 7, 2, 90),
            Param(
                "single_below",
                "每笔低于（元）",
                "amount",
                Decimal("1000000"),
                Decimal("1000"),
                Decimal("100000000"),
            ),
            Param(
                "total",
                "合计达到（元）",
                "amount",
                Decimal("1000000"),
                Decimal("1000"),
                Decimal("1000000000"),
            ),
            level_param(Level.WARNING),
        ),
        evaluate=_b07,
        payment_months=True,
        inputs=frozenset({"payments", "units"}),
    ),
    AggregateRule(
        code="B09",
        name="三公经费",
        description="单位“三公”经费支出占“三公”经费预算的比例。",
        basis="中央八项规定精神；《党政机关厉行节约反对浪费条例》；“三公”经费只减不增。",
        category=Rule.Category.COMPLIANCE,
        subject_type=Rule.SubjectType.UNIT,
        params=_tiers(90, None, 100, kind="percent", high=1000),
        evaluate=_b09,
        inputs=frozenset({"payments", "units", "indicators"}),
    ),
    AggregateRule(
        code="B10",
        name="收入进度滞后",
        description="时间进度减去收入完成进度（入库 ÷ 收入预算），按收入科目和合计。",
        basis="《中华人民共和国预算法》第五十五条：依法及时足额征收预算收入。",
        category=Rule.Category.RISK,
        subject_type=Rule.SubjectType.REVENUE_CLASS,
        params=_tiers(10, 20, None),
        evaluate=_b10,
        inputs=frozenset({"revenue", "revenue-budget"}),
    ),
    AggregateRule(
        code="B13",
        name="预算调剂频繁",
        description="单位全年调剂次数超过阈值，或从单位外调入的资金超过年初指标的一定比例。",
        basis="《中华人民共和国预算法》第六十九条、第七十二条（预算调整与调剂）。",
        category=Rule.Category.COMPLIANCE,
        subject_type=Rule.SubjectType.UNIT,
        params=(
            Param("count", "调剂次数超过", "int", 5, 1, 100),
            Param("count_level", "次数超标的级别", "level", int(Level.NOTICE), 1, 3),
            Param(
                "inflow_percent",
                "调入超过年初指标的（%）",
                "percent",
                Decimal("20"),
                Decimal("1"),
                Decimal("1000"),
            ),
            Param("inflow_level", "调入超标的级别", "level", int(Level.WARNING), 1, 3),
        ),
        evaluate=_b13,
        inputs=frozenset({"adjustments", "indicators", "units"}),
    ),
    AggregateRule(
        code="B14",
        name="债务率",
        description="政府债务余额 ÷ 综合财力。",
        basis="《国务院关于加强地方政府性债务管理的意见》（国发〔2014〕43号）；地方政府债务风险评估和预警（债务率 120%/200%/300%）。",
        category=Rule.Category.RISK,
        subject_type=Rule.SubjectType.REGION,
        params=_tiers(120, 200, 300, kind="percent", high=10000),
        evaluate=_b14,
        inputs=frozenset({"debt"}),
    ),
    AggregateRule(
        code="B15",
        name="重大项目进度滞后",
        description="时间进度减去项目本年完成投资占年度计划投资的比例。",
        basis="《政府投资条例》第二十二条；人大对重大投资项目的监督。",
        category=Rule.Category.REASONABLENESS,
        subject_type=Rule.SubjectType.PROJECT,
        params=_tiers(None, 20, 40),
        evaluate=_b15,
        inputs=frozenset({"projects"}),
    ),
)

RULES: dict[str, RuleDef] = {
    r.code: r for r in sorted((*PAYMENT_RULES, *AGGREGATE_RULES), key=lambda r: r.code)
}
