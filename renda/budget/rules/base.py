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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    F,
    Q,
    QuerySet,
    Sum,
)

from renda.budget.models import (
    AlertLevel,
    BudgetAdjustment,
    BudgetIndicator,
    BudgetUnit,
    FinanceRegion,
    IndicatorPaidSummary,
    Payment,
    PaymentSummary,
    Rule,
    SummaryState,
    UnitPaidSummary,
)
from renda.lib import workdays

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
        """Day of year of the as-of date ÷ days in the year, in percent, exact (compared
        with thresholds as it is; figures show it rounded)."""
        days = 366 if calendar.isleap(self.as_of.year) else 365
        return Decimal(self.as_of.timetuple().tm_yday) * HUNDRED / days

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
        (AlertLevel.NOTICE, "notice"),
        (AlertLevel.WARNING, "warning"),
        (AlertLevel.SEVERE, "severe"),
    ):
        threshold = params.get(name)
        if threshold is None:
            continue
        if value > threshold or (name not in strict and value == threshold):
            found = int(level)
    return found


LEVEL_NAMES = dict(AlertLevel.choices)
