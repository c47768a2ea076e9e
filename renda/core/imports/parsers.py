"""Parsers of the import framework: a raw cell value → a value, or ValueError with a Chinese
message. A `Column` names one of these (or its own) as `parse`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from renda.lib.idcard import id_number_problem, is_mobile, normalise_id_number

# A cell read from a file is arbitrary: text, a number, a date, a bool.
Parser = Callable[[Any], Any]


def as_text(raw: Any) -> str:
    """A cell as text: numbers without a spurious '.0', dates as 2021-11-20."""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time.min else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


def text(max_length: int | None = None) -> Parser:
    def parse(raw: Any) -> str:
        value = as_text(raw)
        if max_length is not None and len(value) > max_length:
            raise ValueError(f"不能超过 {max_length} 个字（现有 {len(value)} 个字）")
        return value

    return parse


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m-%d %H:%M:%S")


def date_value(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    value = as_text(raw)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValueError("日期格式应为 2021-11-20（年-月-日）")


def integer(raw: Any) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    try:
        return int(as_text(raw).replace(",", ""))
    except ValueError:
        raise ValueError("应为整数") from None


def decimal_value(raw: Any) -> Decimal:
    """Amounts: Decimal, never float (docs/architecture.md §4.6); thousands separators are allowed."""
    try:
        return Decimal(as_text(raw).replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise ValueError("应为数字，如 1234.56") from None


def id_number(raw: Any) -> str:
    if isinstance(raw, float):
        # Excel shows an 18-digit number as 4.31381E+17 and keeps only 15 digits of it.
        raise ValueError(
            "身份证号被 Excel 当作数字保存，后几位已丢失：请把该列设为“文本”格式后重新填写"
        )
    value = normalise_id_number(as_text(raw))
    problem = id_number_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def mobile(raw: Any) -> str:
    value = as_text(raw).replace(" ", "").replace("-", "")
    if value.startswith("+86"):
        value = value[3:]
    if not is_mobile(value):
        raise ValueError("应为 11 位中国大陆手机号码")
    return value


def mask(value: str) -> str:
    """Personal numbers in previews: enough to recognise a row, not enough to reuse."""
    if len(value) <= 7:
        return "*" * len(value)
    keep_head = 6 if len(value) >= 15 else 3
    return value[:keep_head] + "*" * (len(value) - keep_head - 4) + value[-4:]


def normalise_header(value: Any) -> str:
    text_value = as_text(value) if value is not None else ""
    for full, half in (("（", "("), ("）", ")"), ("：", ":"), ("＊", "*")):
        text_value = text_value.replace(full, half)
    return "".join(text_value.split()).strip("*").lower()
