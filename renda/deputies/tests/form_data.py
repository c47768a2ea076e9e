"""POST data for the deputy pages, as a browser would send it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from renda.deputies.models import Term

from .factories import make_id_number


def deputy_form_data(world: Any, term: Term | None = None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "李秀英",
        "id_number": make_id_number(dt.date(1980, 3, 15)),
        "mobile": "13711112222",
        "gender": "",
        "birth_date": "",
        "ethnicity": "汉族",
        "party": "中共党员",
        "education": "大学",
        "employer": "禾青镇中心学校",
        "occupation": "教师",
        "category": "professional",
        "region": world.other_township.pk,
        "delegation": "",
        "constituency": "",
        "station": "",
        "elected_on": "2021-11-20",
        "username": "",
        "bio": "",
    }
    if term is not None:
        data["term"] = term.pk
    data.update(overrides)
    return data
