"""What a question gets when its file does not say: Aiken and plain GIFT carry no difficulty
or score. Staff change them in the bank afterwards."""

from __future__ import annotations

from decimal import Decimal

DEFAULT_DIFFICULTY = 3
DEFAULT_SCORES = {
    "single": Decimal(2),
    "multiple": Decimal(3),
    "true_false": Decimal(1),
    "fill_in": Decimal(2),
    "short_answer": Decimal(10),
}


def default_score(kind: str) -> Decimal:
    return DEFAULT_SCORES.get(kind, Decimal(2))
