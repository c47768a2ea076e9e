"""The supervision rules as data plus registered evaluators: base types (parameters,
findings, the context a run reads), payment rules, aggregate rules, and the registry of
every rule by code."""

from .base import AggregateRule, Context, Finding, Param, PaymentRule, RuleDef, month_start
from .payment import PAYMENT_RULES, payment_scan
from .registry import AGGREGATE_RULES, RULES

__all__ = [
    "AGGREGATE_RULES",
    "PAYMENT_RULES",
    "RULES",
    "AggregateRule",
    "Context",
    "Finding",
    "Param",
    "PaymentRule",
    "RuleDef",
    "month_start",
    "payment_scan",
]
