"""预算联网监督 data, by concern: reference data (treasuries, codes, units), the data elements
the finance, tax, statistics and investment systems send, push tokens, rules and alerts,
summaries, and inquiry letters. Every model is imported here so that Django finds them and
`from renda.budget.models import X` works.

Rows that arrive by the million (payments) keep their foreign keys without database
constraints: PostgreSQL checks a foreign key with one query per inserted row, which would
triple the bulk-load time, and the importer already resolves every reference set-based before
it writes (budget/ingest/). Smaller tables keep real constraints.
"""

from .alerts import LEVEL_TONES, Alert, AlertChange, AlertLevel, Rule, RuleRun, RuleVersion
from .exports import ExportJob
from .inquiries import Inquiry, InquiryAnswer, InquiryAttachment
from .records import (
    BudgetAdjustment,
    BudgetIndicator,
    CarryOver,
    DebtMonth,
    EnterpriseReport,
    FiscalRecord,
    Payment,
    ProjectReport,
    RecordChange,
    RevenueBudget,
    RevenueReceipt,
    StatisticValue,
)
from .reference import BudgetUnit, ClassificationCode, FinanceRegion, ThreePublic
from .summaries import (
    IndicatorPaidSummary,
    OverviewSummary,
    PayeeSummary,
    PaymentSummary,
    SummaryState,
    UnitPaidSummary,
)
from .tokens import IdempotencyRecord, PushToken

__all__ = [
    "LEVEL_TONES",
    "Alert",
    "AlertChange",
    "AlertLevel",
    "BudgetAdjustment",
    "BudgetIndicator",
    "BudgetUnit",
    "CarryOver",
    "ClassificationCode",
    "DebtMonth",
    "EnterpriseReport",
    "ExportJob",
    "FinanceRegion",
    "FiscalRecord",
    "IdempotencyRecord",
    "IndicatorPaidSummary",
    "Inquiry",
    "InquiryAnswer",
    "InquiryAttachment",
    "OverviewSummary",
    "PayeeSummary",
    "Payment",
    "PaymentSummary",
    "ProjectReport",
    "PushToken",
    "RecordChange",
    "RevenueBudget",
    "RevenueReceipt",
    "Rule",
    "RuleRun",
    "RuleVersion",
    "StatisticValue",
    "SummaryState",
    "ThreePublic",
    "UnitPaidSummary",
]
