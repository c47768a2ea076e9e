"""Registration and assignment by staff: the code, merging duplicates, key supervision,
assigning the handling units."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit
from renda.core import calendar as workcal
from renda.core.models import Organization
from renda.core.notifications import notify
from renda.core.roles import Role
from renda.core.workflow import apply_transition

from ..models import (
    FIELD_COMMITTEES,
    Assignment,
    Field,
    Suggestion,
)
from ..rules import RULES
from .base import (
    _deputy_users,
    _next_serial,
    _signers,
    _url,
    _users_of_units,
)


def suggestion_code(suggestion: Suggestion) -> str:
    term = suggestion.term.number
    if suggestion.sitting_id:
        assert suggestion.sitting is not None
        return f"第{term}届{suggestion.sitting.number}次会议第{suggestion.serial:04d}号"
    return f"第{term}届闭会期间第{suggestion.serial:04d}号"


@transaction.atomic
def register_suggestion(
    *,
    actor: User,
    suggestion: Suggestion,
    field: str,
    committee: Organization | None = None,
    expected_state: str | None = "submitted",
) -> Suggestion:
    """登记: give the number (第18届3次会议第0012号) and the field; the field decides the
    special committee that follows the item up, unless staff choose another."""
    if field not in Field.values:
        raise ValidationError({"field": "请选择分类。"})
    apply_transition(
        actor=actor, obj=suggestion, transition="register", expected_state=expected_state
    )
    scope = f"s:{suggestion.term_id}:{suggestion.sitting_id or 'between'}"
    suggestion.serial = _next_serial(scope)
    suggestion.code = suggestion_code(suggestion)
    suggestion.field = field
    suggestion.committee = (
        committee
        or Organization.objects.filter(code=FIELD_COMMITTEES.get(Field(field), "")).first()
    )
    suggestion.registered_at = timezone.now()
    suggestion.save(
        update_fields=["serial", "code", "field", "committee", "registered_at", "updated_at"]
    )
    audit.record(
        actor=actor,
        action="suggestion.register",
        target=suggestion,
        details={"code": suggestion.code, "field": field},
    )
    notify(
        actor=actor,
        recipients=_deputy_users([suggestion.lead_deputy]),
        title=f"您的建议“{suggestion.title[:30]}”已登记为{suggestion.code}",
        url=_url("suggestions:detail", suggestion.pk),
    )
    return suggestion


@transaction.atomic
def merge_suggestion(
    *,
    actor: User,
    suggestion: Suggestion,
    into: Suggestion,
    note: str = "",
    expected_state: str | None = None,
) -> Suggestion:
    """并案: the item is handled together with `into`; its deputies get the answer too."""
    if into.pk == suggestion.pk:
        raise ValidationError({"into": "不能与自身并案。"})
    if into.term_id != suggestion.term_id:
        raise ValidationError({"into": "只能与同一届的建议并案。"})
    if into.state in ("draft", "merged", "withdrawn", "not_accepted"):
        raise ValidationError({"into": f"“{into.title[:20]}”当前状态不能作为并案的主件。"})
    # The target is written first: the database insists that a merged item names its main
    # item. If the transition is refused, the transaction undoes this write too.
    Suggestion.objects.filter(pk=suggestion.pk).update(duplicate_of=into)
    suggestion.duplicate_of = into
    apply_transition(
        actor=actor,
        obj=suggestion,
        transition="merge",
        note=note or f"并入 {into.code or into.title}",
        expected_state=expected_state,
    )
    audit.record(
        actor=actor, action="suggestion.merge", target=suggestion, details={"into": into.pk}
    )
    notify(
        actor=actor,
        recipients=_deputy_users(_signers(suggestion)),
        title=f"您的建议“{suggestion.title[:30]}”已与{into.code or '同类建议'}并案办理",
        body="承办单位答复主件时，您也会收到答复。",
        url=_url("suggestions:detail", suggestion.pk),
    )
    return suggestion


@transaction.atomic
def set_key_supervision(
    *, actor: User, suggestion: Suggestion, is_key: bool, reason: str = ""
) -> Suggestion:
    if getattr(actor, "role", None) != Role.STAFF:
        raise PermissionDenied("只有人大机关工作人员可以确定重点督办。")
    if is_key and not reason.strip():
        raise ValidationError({"reason": "请填写重点督办的理由。"})
    suggestion.is_key = is_key
    suggestion.key_reason = reason.strip()[:200] if is_key else ""
    suggestion.save(update_fields=["is_key", "key_reason", "updated_at"])
    audit.record(
        actor=actor,
        action="suggestion.key_supervision",
        target=suggestion,
        details={"is_key": is_key},
    )
    return suggestion


def _units_to_assign(
    mode: str,
    lead_unit: Organization | None,
    co_units: Sequence[Organization],
    split_units: Sequence[Organization],
) -> list[tuple[Organization, str]]:
    """The (unit, role) pairs of an assignment, checked: a lead unit (and co-handling units)
    or at least two split units, none twice, each an active handling unit."""
    units: list[tuple[Organization, str]]
    if mode == Suggestion.Mode.LEAD:
        if lead_unit is None:
            raise ValidationError({"lead_unit": "请选择主办单位。"})
        lead: tuple[Organization, str] = (lead_unit, Assignment.Role.LEAD)
        units = [lead] + [(u, Assignment.Role.CO) for u in co_units]
    elif mode == Suggestion.Mode.SPLIT:
        if len(split_units) < 2:
            raise ValidationError({"split_units": "分办至少需要两个承办单位。"})
        units = [(u, Assignment.Role.SPLIT) for u in split_units]
    else:
        raise ValidationError({"mode": "请选择办理方式。"})
    ids = [u.pk for u, _ in units]
    if len(set(ids)) != len(ids):
        raise ValidationError({"co_units": "同一单位不能重复交办（主办单位不能同时是协办单位）。"})
    for unit, _ in units:
        if not (unit.is_handling_unit and unit.is_active):
            raise ValidationError({"lead_unit": f"“{unit.name}”不是在用的承办单位。"})
    return units


def _tell_assigned(
    actor: User,
    suggestion: Suggestion,
    units: list[tuple[Organization, str]],
    return_until: dt.datetime,
) -> None:
    """The units hear what they must answer by (and until when they may return it); the
    signers hear who handles their suggestion."""
    ids = [u.pk for u, _ in units]
    notify(
        actor=actor,
        recipients=_users_of_units(ids),
        title=f"新交办建议：{suggestion.code} {suggestion.title[:30]}",
        body=f"请于 {suggestion.due_at:%Y-%m-%d} 前答复代表；如非本单位职责，请在 "
        f"{return_until:%Y-%m-%d} 前说明理由退回。",
        url=_url("suggestions:detail", suggestion.pk),
        sms=True,
    )
    notify(
        actor=actor,
        recipients=_deputy_users(_signers(suggestion)),
        title=f"您的建议{suggestion.code}已交办",
        body="、".join(f"{u.name}（{Assignment.Role(r).label}）" for u, r in units),
        url=_url("suggestions:detail", suggestion.pk),
    )


@transaction.atomic
def assign_suggestion(
    *,
    actor: User,
    suggestion: Suggestion,
    mode: str,
    lead_unit: Organization | None = None,
    co_units: Sequence[Organization] = (),
    split_units: Sequence[Organization] = (),
    note: str = "",
    expected_state: str | None = None,
) -> Suggestion:
    """交办: one lead unit and co-handling units, or split handling among ≥2 units. The reply
    deadline is 3 months from now (rules.reply_months); co-handling opinions are due in 1
    month; a unit may return the item within 7 working days."""
    units = _units_to_assign(mode, lead_unit, co_units, split_units)
    # The row lock is taken here: a second, concurrent assignment fails on the state check.
    apply_transition(
        actor=actor,
        obj=suggestion,
        transition="assign",
        note=note,
        expected_state=expected_state,
    )
    now = timezone.now()
    overrides = workcal.load_overrides()
    return_until = workcal.due_at(now, workdays=RULES.return_workdays, overrides=overrides)
    opinion_due = workcal.due_at(now, months=RULES.co_opinion_months, overrides=overrides)
    suggestion.assignments.filter(active=True).update(active=False)
    Assignment.objects.bulk_create(
        [
            Assignment(
                suggestion=suggestion,
                unit=unit,
                role=role,
                assigned_at=now,
                assigned_by=actor,
                return_until=return_until,
                opinion_due_at=opinion_due if role == Assignment.Role.CO else None,
            )
            for unit, role in units
        ]
    )
    suggestion.mode = mode
    suggestion.assigned_at = now
    suggestion.save(update_fields=["mode", "assigned_at", "updated_at"])
    audit.record(
        actor=actor,
        action="suggestion.assign",
        target=suggestion,
        details={"mode": mode, "units": {str(u.pk): r for u, r in units}},
    )
    _tell_assigned(actor, suggestion, units, return_until)
    return suggestion
