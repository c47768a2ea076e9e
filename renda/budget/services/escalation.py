"""Closing the congress's loop on an alert (reference budget.md §1.1 "weak spots", §5): staff
offer it to a deputy, who may draft a suggestion from it on their workbench; the suggestion
then links back to the alert. Putting it before the standing committee (提请常委会审议) is
services/agenda.py.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from renda.accounts.models import User
from renda.budget.models import Alert
from renda.budget.permissions import can_handle_alerts
from renda.core import audit
from renda.core.notifications import notify
from renda.core.sources import Source, targets_of
from renda.deputies.models import Deputy
from renda.suggestions.models import Suggestion
from renda.suggestions.services import create_suggestion


def _check_staff(actor: User) -> None:
    if not can_handle_alerts(actor):
        raise PermissionDenied("只有人大机关工作人员可以办理预警。")


def _lock(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


@transaction.atomic
def offer_to_deputy(*, actor: User, alert: Alert, deputy: Deputy) -> Alert:
    """Offer the alert to an active deputy (转代表建议). Until a suggestion is drafted from it,
    staff may offer it to another deputy instead."""
    _check_staff(actor)
    if deputy.status != Deputy.Status.ACTIVE or not deputy.term.is_current:
        raise ValidationError({"deputy": f"{deputy.name} 不是本届在任代表。"})
    if deputy.user_id is None:
        raise ValidationError({"deputy": f"{deputy.name} 还没有开通账号，无法在工作台查看。"})
    locked = _lock(alert)
    if targets_of(locked, Suggestion):
        raise ValidationError("代表已据此预警提出建议，不能再转交。")
    before = locked.offered_to_id
    locked.offered_to, locked.offered_at = deputy, timezone.now()
    locked.save(update_fields=["offered_to", "offered_at"])
    audit.record(
        actor=actor,
        action="budget.alert.offer",
        target=locked,
        details={"deputy": deputy.pk, "before": before},
    )
    notify(
        actor=actor,
        recipients=[deputy.user],
        title=f"预算监督预警转交您参考：{locked.rule.name}",
        body=locked.explanation[:500],
        url=reverse("budget:alert_draft_suggestion", args=[locked.pk]),
    )
    alert.offered_to, alert.offered_at = deputy, locked.offered_at
    return alert


def _amount(value: Decimal) -> str:
    return f"{value / Decimal(10000):,.2f} 万元"


def figure_rows(alert: Alert) -> list[tuple[str, str]]:
    """The alert's figures as (label, value) pairs for pages and letters, in the order the
    rule stored them (the rule engine names them; nested values are shown as text)."""
    rows: list[tuple[str, str]] = []
    for key, value in (alert.figures or {}).items():
        text = _figure(value)
        if str(key).endswith("（元）"):
            text = _yuan(text)
        rows.append((str(key), text))
    return rows


def _yuan(text: str) -> str:
    """An amount in 元 as tables show it (docs/architecture.md §8): '688,323,476.12'."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return f"{number.quantize(Decimal('0.01')):,.2f}" if number.is_finite() else text


def _figure(value: Any) -> str:
    # Sums come out of SQL with many decimals ("210687.510000000"): show cents at most.
    if isinstance(value, float):
        return f"{round(value, 4)}"
    if not isinstance(value, str | Decimal):
        return str(value)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return f"{number.quantize(Decimal('0.01'))}"
    return str(value)


def suggestion_prefill(alert: Alert) -> dict[str, str]:
    """A starting text for the deputy: the alert's explanation and figures; the deputy
    rewrites it into their own words and demands."""
    figures = "；".join(f"{k}：{v}" for k, v in figure_rows(alert))
    lines = [
        f"预算联网监督系统{alert.period:%Y年%m月}发现：{alert.explanation}",
        f"预警规则：{alert.rule.code} {alert.rule.name}（{alert.get_level_display()}）。",
    ]
    if alert.amount:
        lines.append(f"涉及金额：{_amount(alert.amount)}。")
    if figures:
        lines.append(f"相关数据：{figures}。")
    lines.append("建议：")
    subject = alert.unit.name if alert.unit_id and alert.unit else alert.subject_label
    return {
        "title": f"关于{subject}{alert.rule.name}问题的建议"[:200],
        "content": "\n".join(lines),
    }


def alert_source(alert: Alert) -> Source:
    """How a suggestion drafted from the alert names it (core source link; the suggestion
    page shows the label with a link to the alert)."""
    rule = alert.rule
    return Source(
        obj=alert,
        label=f"预算联网监督预警 {rule.code} {rule.name}（{alert.period:%Y年%m月}）",
        url=reverse("budget:alert_detail", args=[alert.pk]),
    )


@transaction.atomic
def draft_suggestion_from_alert(
    *, actor: User, alert: Alert, title: str, content: str, allow_public: bool = True
) -> Suggestion:
    """The offered deputy drafts a suggestion from the alert (suggestions'
    `create_suggestion` with the alert as its source, a core source link). Only once, and only that deputy."""
    locked = _lock(alert)
    deputy = getattr(actor, "deputy", None)
    if deputy is None or locked.offered_to_id != deputy.pk:
        raise PermissionDenied("这条预警没有转交给您。")
    if targets_of(locked, Suggestion):
        raise ValidationError("您已据此预警提出过建议。")
    suggestion = create_suggestion(
        actor=actor,
        deputy=deputy,
        title=title,
        content=content,
        allow_public=allow_public,
        source=alert_source(locked),
    )
    audit.record(
        actor=actor,
        action="budget.alert.suggestion",
        target=locked,
        details={"suggestion": suggestion.pk},
    )
    return suggestion
