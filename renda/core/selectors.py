from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from renda.core.roles import ADMIN_ROLES, Role


@dataclass(frozen=True)
class Card:
    title: str
    value: int | str
    url: str = ""
    note: str = ""


def workbench_cards(user: Any) -> list[Card]:
    """The counts on a user's workbench: what this role looks after, each a link to its list."""
    from renda.deputies.models import Deputy
    from renda.stations.models import Station

    cards: list[Card] = []
    if user.role in {Role.STAFF, Role.SC_MEMBER}:
        active = Deputy.objects.filter(status=Deputy.Status.ACTIVE, term__is_current=True)
        cards += [
            Card(
                "在任市级代表",
                active.filter(term__level="city").count(),
                reverse("deputies:list") + "?level=city",
            ),
            Card(
                "在任乡镇代表",
                active.filter(term__level="township").count(),
                reverse("deputies:list") + "?level=township",
            ),
            Card(
                "代表工作站点",
                Station.objects.filter(is_active=True).count(),
                reverse("stations:list"),
            ),
        ]
    if user.role == Role.DEPUTY:
        deputy = getattr(user, "deputy", None)
        cards.append(
            Card(
                "我的代表资格",
                deputy.get_status_display() if deputy else "未关联",
                reverse("deputies:me"),
            )
        )
    if user.role == Role.AUDIT_ADMIN:
        from .models import AuditEvent

        cards.append(Card("审计日志条数", AuditEvent.objects.count(), reverse("core:audit_log")))
    if user.role in ADMIN_ROLES:
        cards.append(
            Card("管理工具", "进入", reverse("accounts:admin_home"), user.get_role_display())
        )
    if user.role in {Role.STAFF, Role.SYSTEM_ADMIN}:
        from .calendar import missing_year_warnings

        today = timezone.localdate()
        warnings = missing_year_warnings([today.year, today.year + 1])
        cards.append(
            Card(
                "工作日历",
                "待录入" if warnings else "已就绪",
                reverse("core:calendar"),
                "；".join(warnings),
            )
        )
    cards += _app_cards(user)
    cards.append(
        Card(
            "未读消息",
            user.notifications.filter(read_at__isnull=True).count(),
            reverse("core:inbox"),
        )
    )
    return cards


def _app_cards(user: Any) -> list[Card]:
    """Cards contributed by apps: each may define `workbench.cards(user) -> list[Card]`, so
    core lists their work without importing them (DESIGN §3 import direction)."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    found: list[Card] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("renda.") or find_spec(f"{config.name}.workbench") is None:
            continue
        found += import_module(f"{config.name}.workbench").cards(user)
    return found
