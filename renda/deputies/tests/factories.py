"""Test data for deputies, built through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from renda.deputies import services
from renda.deputies.models import Deputy, Term
from renda.lib.idcard import id_check_digit

_serial = itertools.count(1)


def make_id_number(birth: dt.date = dt.date(1975, 5, 1), serial: int | None = None) -> str:
    n = next(_serial) if serial is None else serial
    first17 = f"431381{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_digit(first17)


def make_term(world: Any, level: str = "city") -> Term:
    term = Term.objects.filter(congress=world.congress, is_current=True).first()
    if term:
        return term
    return services.create_term(
        actor=None,
        congress=world.congress,
        level=level,
        number=18,
        start_date=dt.date(2021, 12, 28),
    )


def make_deputy(world: Any, **fields: Any) -> Deputy:
    defaults: dict[str, Any] = {
        "name": "张建国",
        "party": "中共党员",
        "category": Deputy.Category.WORKER,
        "region": world.township,
        "id_number": make_id_number(),
        "mobile": "13912345678",
        "employer": "冷水江市锑业公司",
        "occupation": "工人",
        "elected_on": dt.date(2021, 11, 20),
    }
    defaults.update(fields)
    return services.create_deputy(actor=None, term=make_term(world), **defaults)
