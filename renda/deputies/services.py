"""Deputy registry services: the only code that writes deputies, terms and memberships."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from renda.core import audit
from renda.core.models import Organization, Region
from renda.lib.idcard import birth_date_from_id, gender_from_id, id_number_problem, normalise_id_number

from .models import Constituency, Delegation, Deputy, Membership, Term

# Fields staff may set on a deputy through `create_deputy` / `update_deputy`.
EDITABLE_FIELDS = frozenset({
    "name", "gender", "ethnicity", "birth_date", "party", "education", "occupation", "employer",
    "category", "region", "constituency", "delegation", "station", "id_number", "mobile",
    "elected_on", "bio", "user",
})


@transaction.atomic
def create_term(
    *, actor: Any, congress: Organization, level: str, number: int, start_date: dt.date,
    end_date: dt.date | None = None, is_current: bool = True,
) -> Term:
    if is_current:
        Term.objects.filter(congress=congress, is_current=True).update(is_current=False)
    term = Term(congress=congress, level=level, number=number, start_date=start_date,
                end_date=end_date, is_current=is_current)
    term.full_clean()
    term.save()
    audit.record(actor=actor, action="term.create", target=term)
    return term


@transaction.atomic
def create_delegation(*, actor: Any, term: Term, name: str, region: Region) -> Delegation:
    delegation = Delegation(term=term, name=name, region=region)
    delegation.full_clean()
    delegation.save()
    audit.record(actor=actor, action="delegation.create", target=delegation)
    return delegation


@transaction.atomic
def create_constituency(*, actor: Any, term: Term, name: str, region: Region, seats: int = 1) -> Constituency:
    constituency = Constituency(term=term, name=name, region=region, seats=seats)
    constituency.full_clean()
    constituency.save()
    audit.record(actor=actor, action="constituency.create", target=constituency)
    return constituency


def _check_id_number(deputy: Deputy) -> None:
    deputy.id_number = normalise_id_number(deputy.id_number or "")
    problem = id_number_problem(deputy.id_number)
    if problem:
        raise ValidationError({"id_number": problem})
    if deputy.birth_date is None:
        deputy.birth_date = birth_date_from_id(deputy.id_number)
    if not deputy.gender:
        deputy.gender = gender_from_id(deputy.id_number)


def _check_unique_seat(deputy: Deputy) -> None:
    from renda.core.fields import make_blind_index

    clash = Deputy.objects.filter(term=deputy.term, id_number_index=make_blind_index(deputy.id_number))
    if deputy.pk:
        clash = clash.exclude(pk=deputy.pk)
    if clash.exists():
        raise ValidationError({"id_number": "该身份证号的代表在本届已登记，不能重复登记"})


@transaction.atomic
def create_deputy(*, actor: Any, term: Term, audit_event: bool = True, **fields: Any) -> Deputy:
    """Register a deputy in a term. Birth date and gender default to what the ID number says.
    `audit_event=False` lets a bulk import record one event for the whole batch instead."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"unknown deputy fields: {sorted(unknown)}")
    deputy = Deputy(term=term, **fields)
    _check_id_number(deputy)
    _check_unique_seat(deputy)
    deputy.full_clean(exclude=["id_number_index", "mobile_index"])
    deputy.save()
    if audit_event:
        audit.record(actor=actor, action="deputy.create", target=deputy)
    return deputy


@transaction.atomic
def update_deputy(*, actor: Any, deputy: Deputy, **fields: Any) -> Deputy:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"unknown deputy fields: {sorted(unknown)}")
    changed = sorted(name for name, value in fields.items() if getattr(deputy, name) != value)
    for name, value in fields.items():
        setattr(deputy, name, value)
    _check_id_number(deputy)
    _check_unique_seat(deputy)
    deputy.full_clean(exclude=["id_number_index", "mobile_index"])
    deputy.save()
    # Names of changed fields only: the values may be personal data and stay out of the log.
    audit.record(actor=actor, action="deputy.update", target=deputy, details={"changed": changed})
    return deputy


@transaction.atomic
def end_mandate(*, actor: Any, deputy: Deputy, ended_on: dt.date, reason: str) -> Deputy:
    """代表资格终止: the record stays (history); the deputy leaves public lists."""
    if deputy.status == Deputy.Status.ENDED:
        raise ValidationError("该代表资格已终止")
    if ended_on < deputy.elected_on:
        raise ValidationError({"ended_on": "终止日期不能早于当选日期"})
    if reason not in Deputy.EndReason.values:
        raise ValidationError({"end_reason": "请选择终止原因"})
    deputy.status = Deputy.Status.ENDED
    deputy.ended_on = ended_on
    deputy.end_reason = reason
    deputy.save(update_fields=["status", "ended_on", "end_reason", "updated_at"])
    Membership.objects.filter(deputy=deputy, end_date__isnull=True).update(end_date=ended_on)
    audit.record(actor=actor, action="deputy.end_mandate", target=deputy, details={"reason": reason})
    return deputy


@transaction.atomic
def add_membership(
    *, actor: Any, deputy: Deputy, organization: Organization, role: str, start_date: dt.date,
    end_date: dt.date | None = None,
) -> Membership:
    membership = Membership(deputy=deputy, organization=organization, role=role,
                            start_date=start_date, end_date=end_date)
    membership.full_clean()
    membership.save()
    audit.record(actor=actor, action="membership.create", target=membership)
    return membership
