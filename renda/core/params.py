"""The one way to read a number from a query parameter or a form field that is not a form.

`str.isdigit()` is true for "²" and "٣", which `int()` then refuses, and an id of twenty
digits overflows the database's integer: both answered 500. Here a value counts only if it is
ASCII digits within a range; otherwise the filter is ignored (`int_param`, `ids_param`) or the
request is refused with a Chinese 400 (`required_int`, which raises `BadRequest`)."""

from __future__ import annotations

import re

from django.core.exceptions import BadRequest
from django.http import QueryDict

_DIGITS = re.compile(r"[0-9]{1,18}")
# Primary keys are positive 64-bit integers; years of this system lie well inside this range.
MAX_ID = 2**63 - 1
MIN_YEAR, MAX_YEAR = 1949, 2100


def parse_int(value: str | None, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """`value` as an int if it is ASCII digits between `low` and `high`, else None."""
    text = (value or "").strip()
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def int_param(
    data: QueryDict, name: str, *, low: int = 1, high: int = MAX_ID, default: int | None = None
) -> int | None:
    """A numeric filter: its value, or `default` when it is absent or not a valid number
    (a bad filter is ignored rather than breaking the page)."""
    number = parse_int(data.get(name), low=low, high=high)
    return default if number is None else number


def year_param(data: QueryDict, name: str = "year", *, default: int | None = None) -> int | None:
    return int_param(data, name, low=MIN_YEAR, high=MAX_YEAR, default=default)


def ids_param(data: QueryDict, name: str) -> list[int]:
    """Every valid id among the repeated parameter `name`, in order, without repeats."""
    seen: dict[int, None] = {}
    for value in data.getlist(name):
        number = parse_int(value, low=1)
        if number is not None:
            seen.setdefault(number)
    return list(seen)


def required_int(
    data: QueryDict, name: str, *, low: int = 1, high: int = MAX_ID, label: str = ""
) -> int:
    """A number the request cannot do without: refused with a Chinese 400 when missing or
    not valid."""
    number = parse_int(data.get(name), low=low, high=high)
    if number is None:
        span = "应为正整数" if high == MAX_ID else f"应在 {low} 到 {high} 之间"
        raise BadRequest(f"参数“{label or name}”不是有效的数字（{span}）。")
    return number
