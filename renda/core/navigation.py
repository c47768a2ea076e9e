"""The six modules of DESIGN §1 in the top bar. A module not built yet leads to a clear
"建设中" page instead of a broken link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Module:
    slug: str
    title: str
    icon: str
    url_name: str | None  # None while the module is under construction
    summary: str


MODULES: tuple[Module, ...] = (
    Module(
        "budget",
        "预算联网监督",
        "bi-graph-up",
        "budget:home",
        "接入财政、税务、统计等数据，监督预算编制与执行，预警问题并跟踪整改。",
    ),
    Module(
        "exams",
        "任前法律考试",
        "bi-journal-check",
        None,
        "题库、组卷、在线考试与评卷；未经考试合格不提请任命。",
    ),
    Module(
        "stations",
        "代表工作站点",
        "bi-house-door",
        "stations:home",
        "一站一点登记、进站排班、接待群众、社情民意办理与反馈。",
    ),
    Module(
        "deputies",
        "代表履职服务",
        "bi-people",
        "deputies:list",
        "代表名册、议案建议办理、履职档案与积分。",
    ),
    Module(
        "livelihood",
        "民生实事票决",
        "bi-check2-square",
        None,
        "项目征集、候选确定、代表无记名票决与实施跟踪。",
    ),
    Module(
        "portal",
        "人大之家",
        "bi-globe",
        "portal:home",
        "面向公众的代表、站点、建议办理和项目进展信息。",
    ),
)
MODULES_BY_SLUG = {m.slug: m for m in MODULES}


def module_url(module: Module) -> str:
    if module.url_name:
        try:
            return reverse(module.url_name)
        except NoReverseMatch:
            pass
    return reverse("core:under_construction", args=[module.slug])


# Where a module's link leads for a role whose view of it differs from the staff one.
ROLE_ENTRY_POINTS: dict[tuple[str, str | None], str] = {
    ("deputies", "deputy"): "suggestions:deputy_home",
    ("deputies", "handling_officer"): "suggestions:unit_home",
}


def modules_for(user: Any) -> list[dict[str, str]]:
    role = getattr(user, "role", None)
    items = []
    for m in MODULES:
        entry = ROLE_ENTRY_POINTS.get((m.slug, role))
        url = reverse(entry) if entry else module_url(m)
        items.append({"slug": m.slug, "title": m.title, "icon": m.icon, "url": url})
    return items
