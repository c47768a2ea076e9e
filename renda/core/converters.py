"""Path converters: a URL's number is checked before any view sees it, so an id too large
for the database or a year like 99999 is a 404, never a 500."""

from __future__ import annotations

from renda.core.params import MAX_ID, MAX_YEAR, MIN_YEAR


class IdConverter:
    """A positive database id (at most 18 digits, within a 64-bit integer)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not MIN_YEAR <= number <= MAX_YEAR:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)
