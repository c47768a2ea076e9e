"""Checks for PRC resident ID numbers (GB 11643-1999) and mainland mobile numbers."""

from __future__ import annotations

import datetime as dt
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def id_check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalise_id_number(value: str) -> str:
    return value.strip().upper()


def id_number_problem(value: str) -> str | None:
    """Return a Chinese message saying what is wrong, or None when the number is valid."""
    number = normalise_id_number(value)
    if not _ID_RE.match(number):
        return "身份证号应为18位，前17位为数字，末位为数字或X"
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "身份证号中的出生日期无效"
    if id_check_digit(number[:17]) != number[17]:
        return "身份证号校验位错误"
    return None


def birth_date_from_id(value: str) -> dt.date:
    number = normalise_id_number(value)
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender_from_id(value: str) -> str:
    """'M' or 'F' from the 17th digit (odd = male)."""
    return "M" if int(normalise_id_number(value)[16]) % 2 else "F"


def is_mobile(value: str) -> bool:
    return bool(_MOBILE_RE.match(value.strip()))
