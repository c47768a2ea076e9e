"""The top bar: the modules of the platform, each leading every role to the desk it may open
there (a deputy's 代表履职服务 is their own suggestions, a handling officer's their unit's desk).
A role sees only the modules it may open; the public sees the portal. A module not built yet
leads to a clear "建设中" page, shown to the congress's own people only. The permission test
(renda/tests/test_menu.py) opens every link of every role's menu."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from .roles import Role

PUBLIC = "public"  # the role of a visitor without an account
CONGRESS = frozenset({Role.STAFF, Role.SC_MEMBER})
EVERYONE = frozenset({PUBLIC, *Role.values})


@dataclass(frozen=True)
class Entry:
    roles: frozenset[str]
    url_name: str | None  # None while the module is under construction


@dataclass(frozen=True)
class Module:
    slug: str
    title: str
    icon: str
    summary: str
    entries: tuple[Entry, ...]

    def entry_for(self, role: str) -> Entry | None:
        return next((e for e in self.entries if role in e.roles), None)


MODULES: tuple[Module, ...] = (
    Module(
        "budget",
        "预算联网监督",
        "bi-graph-up",
        "接入财政、税务、统计等数据，监督预算编制与执行，预警问题并跟踪整改。",
        (Entry(frozenset({*CONGRESS, Role.DATA_PROVIDER}), "budget:home"),),
    ),
    Module(
        "exams",
        "任前法律考试",
        "bi-journal-check",
        "题库、组卷、在线考试与评卷；未经考试合格不提请任命。",
        (
            Entry(frozenset({Role.STAFF}), "exams:bank"),
            # A nominee sees their own sittings and admission slips, never the bank.
            Entry(frozenset({Role.NOMINEE}), "exams:my_exams"),
            # The bank is confidential: members read the lists before them and the results.
            Entry(frozenset({Role.SC_MEMBER}), "exams:committee_home"),
        ),
    ),
    Module(
        "stations",
        "代表工作站点",
        "bi-house-door",
        "一站一点登记、进站排班、接待群众、社情民意办理与反馈。",
        (Entry(frozenset({*CONGRESS, Role.DEPUTY, Role.HANDLING_OFFICER}), "stations:home"),),
    ),
    Module(
        "liaison",
        "双联",
        "bi-telephone",
        "常委会组成人员联系代表、代表联系群众：联系名单、联系记录，反映的问题转为群众意见或建议。",
        (Entry(frozenset({*CONGRESS, Role.DEPUTY}), "stations:liaison"),),
    ),
    Module(
        "deputies",
        "代表履职服务",
        "bi-people",
        "代表名册、议案建议办理、履职档案与积分。",
        (
            Entry(CONGRESS, "deputies:list"),
            Entry(frozenset({Role.DEPUTY}), "suggestions:deputy_home"),
            Entry(frozenset({Role.HANDLING_OFFICER}), "suggestions:unit_home"),
        ),
    ),
    Module(
        "reporting",
        "述职与活动",
        "bi-person-video3",
        "代表向选民述职、选民测评，代表小组视察、调研和专题活动的报名与出勤，记入履职档案。",
        (
            Entry(CONGRESS, "deputies:reporting_plans"),
            Entry(frozenset({Role.DEPUTY}), "deputies:activities_mine"),
        ),
    ),
    Module(
        "suggestions",
        "建议办理",
        "bi-inboxes",
        "议案建议的登记、交办、督办、答复与满意度测评。",
        (Entry(CONGRESS, "suggestions:home"),),
    ),
    Module(
        "meetings",
        "会议",
        "bi-calendar-event",
        "人代会、常委会会议和主任会议：通知回执、请假、扫码签到、法定人数与出席记录。",
        (Entry(CONGRESS, "meetings:list"), Entry(frozenset({Role.DEPUTY}), "meetings:my_list")),
    ),
    Module(
        "documents",
        "知情知政",
        "bi-file-earmark-text",
        "会议文件和年度报告发给代表：按时发布、涉密控制、手机在线阅读、阅读回执。",
        (
            Entry(frozenset({Role.STAFF}), "documents:library"),
            Entry(frozenset({Role.SC_MEMBER, Role.DEPUTY}), "documents:mine"),
        ),
    ),
    Module(
        "livelihood",
        "民生实事票决",
        "bi-check2-square",
        "项目征集、候选确定、代表无记名票决与实施跟踪。",
        (
            Entry(CONGRESS, "livelihood:home"),
            Entry(frozenset({Role.DEPUTY}), "livelihood:my_votes"),
            Entry(frozenset({Role.HANDLING_OFFICER}), "livelihood:plans"),
        ),
    ),
    Module(
        "report",
        "年度报告",
        "bi-file-earmark-bar-graph",
        "常委会工作报告用的年度数据：代表和站点、建议办理、预算监督，可打印、可下载Word。",
        (Entry(CONGRESS, "portal:annual_report"),),
    ),
    Module(
        "portal",
        "人大之家",
        "bi-globe",
        "面向公众的代表、站点、建议办理和项目进展信息。",
        (Entry(EVERYONE, "portal:home"),),
    ),
)
MODULES_BY_SLUG = {m.slug: m for m in MODULES}


def role_of(user: Any) -> str:
    if getattr(user, "is_authenticated", False) and getattr(user, "is_active", False):
        return str(getattr(user, "role", PUBLIC))
    return PUBLIC


def modules_for(user: Any) -> list[dict[str, str]]:
    """The top-bar items of `user`'s role: title, icon and the URL of that role's desk."""
    role = role_of(user)
    items = []
    for m in MODULES:
        entry = m.entry_for(role)
        if entry is None:
            continue
        if entry.url_name:
            url = reverse(entry.url_name)
        else:
            url = reverse("core:under_construction", args=[m.slug])
        items.append({"slug": m.slug, "title": m.title, "icon": m.icon, "url": url})
    return items


# The top bar groups the modules so that a staff member's dozen fit one line on a laptop: a
# group with one module the role may open is a plain link, a group with more is a dropdown.
# Every module is in exactly one group (renda/core/tests/test_navigation.py).
GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("监督", "bi-binoculars", ("budget", "exams", "livelihood")),
    ("代表工作", "bi-people", ("deputies", "suggestions", "reporting", "stations", "liaison")),
    ("会议", "bi-calendar-event", ("meetings", "documents")),
    ("年度报告", "bi-file-earmark-bar-graph", ("report",)),
    ("人大之家", "bi-globe", ("portal",)),
)


def nav_groups(user: Any) -> list[dict[str, Any]]:
    """The top bar of `user`'s role: groups of modules_for(user), empty groups left out."""
    items = {item["slug"]: item for item in modules_for(user)}
    groups = []
    for title, icon, slugs in GROUPS:
        members = [items[slug] for slug in slugs if slug in items]
        if members:
            groups.append({"title": title, "icon": icon, "items": members})
    return groups
