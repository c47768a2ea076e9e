"""The aggregate rule table and the registry of every rule by code."""

from __future__ import annotations

from decimal import Decimal

from renda.budget.models import AlertLevel, Rule
from renda.budget.rules.base import AggregateRule, Param, RuleDef, level_param, min_indicators_param
from renda.budget.rules.finances import _b09, _b10, _b13, _b14, _b15, _tiers
from renda.budget.rules.payment import PAYMENT_RULES
from renda.budget.rules.spending import _b01, _b02, _b04, _b07

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
        params=(level_param(AlertLevel.SEVERE),),
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
            level_param(AlertLevel.WARNING),
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
            Param("count_level", "次数超标的级别", "level", int(AlertLevel.NOTICE), 1, 3),
            Param(
                "inflow_percent",
                "调入超过年初指标的（%）",
                "percent",
                Decimal("20"),
                Decimal("1"),
                Decimal("1000"),
            ),
            Param("inflow_level", "调入超标的级别", "level", int(AlertLevel.WARNING), 1, 3),
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
