from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from renda.core.roles import ADMIN_ROLES, Actor, Role

from .calendar import missing_year_warnings
from .models import AuditEvent, Notification


@dataclass(frozen=True)
class Card:
    title: str
    value: int | str
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Due:
    """One thing a user has to do (a notice to answer, a document to read, a reply to rate),
    for the phone home's 待办 list. `due` is when it is due (None when it has no deadline);
    `kind` is a short Chinese label of the module (会议, 文件, 建议 …)."""

    kind: str
    title: str
    url: str
    due: dt.date | dt.datetime | None = None
    note: str = ""


def due_items(user: Actor) -> list[Due]:
    """What `user` has to do, from each app's `workbench.due(user)`, soonest first (items
    without a deadline last)."""
    found: list[Due] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("renda.") or find_spec(f"{config.name}.workbench") is None:
            continue
        contribute = getattr(import_module(f"{config.name}.workbench"), "due", None)
        if contribute is not None:
            found += contribute(user)
    return sorted(found, key=_due_key)


def _due_key(item: Due) -> tuple[int, str]:
    if item.due is None:
        return (1, "")
    when = item.due
    if isinstance(when, dt.datetime):
        when = timezone.localtime(when) if timezone.is_aware(when) else when
        return (0, when.isoformat())
    return (0, dt.datetime.combine(when, dt.time.min).isoformat())


def workbench_cards(user: Actor) -> list[Card]:
    """The counts on a user's workbench: what this role looks after, each a link to its list.

    The registers come first (`registry_cards` of the apps that keep them: deputies, stations),
    then core's own cards, then each app's work (`cards`), then the inbox."""
    cards = _app_cards(user, "registry_cards")
    cards += _core_cards(user)
    cards += _app_cards(user, "cards")
    cards.append(
        Card(
            "未读消息",
            Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count(),
            reverse("core:inbox"),
        )
    )
    return cards


def _core_cards(user: Actor) -> list[Card]:
    role = getattr(user, "role", None)
    cards: list[Card] = []
    if role == Role.AUDIT_ADMIN:
        cards.append(Card("审计日志条数", AuditEvent.objects.count(), reverse("core:audit_log")))
    if role in ADMIN_ROLES:
        label = str(Role(role).label)
        cards.append(Card("管理工具", "进入", reverse("accounts:admin_home"), label))
    if role in {Role.STAFF, Role.SYSTEM_ADMIN}:
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
    return cards


def _app_cards(user: Actor, hook: str) -> list[Card]:
    """Cards contributed by apps: each may define `workbench.registry_cards(user)` and
    `workbench.cards(user)` returning a list of Card, so core lists their work without
    importing them (docs/architecture.md §3 import direction)."""
    found: list[Card] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("renda.") or find_spec(f"{config.name}.workbench") is None:
            continue
        contribute = getattr(import_module(f"{config.name}.workbench"), hook, None)
        if contribute is not None:
            found += contribute(user)
    return found
