"""Deputy registry services: the only code that writes deputies, terms and memberships."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from renda.accounts.models import User
from renda.core import audit
from renda.core.models import Organization, Region
from renda.lib.idcard import (
    birth_date_from_id,
    gender_from_id,
    id_number_problem,
    is_mobile,
    normalise_id_number,
)

from ..extensions import save_facts, save_many
from ..models import Constituency, Delegation, Deputy, Membership, Term

# Fields staff may set on a deputy through `create_deputy` / `update_deputy`.
EDITABLE_FIELDS = frozenset(
    {
        "name",
        "gender",
        "ethnicity",
        "birth_date",
        "party",
        "education",
        "occupation",
        "employer",
        "category",
        "region",
        "constituency",
        "delegation",
        "id_number",
        "mobile",
        "elected_on",
        "bio",
        "user",
    }
)


@transaction.atomic
def create_term(
    *,
    actor: User | None,
    congress: Organization,
    level: str,
    number: int,
    start_date: dt.date,
    end_date: dt.date | None = None,
    is_current: bool = True,
) -> Term:
    if is_current:
        Term.objects.filter(congress=congress, is_current=True).update(is_current=False)
    term = Term(
        congress=congress,
        level=level,
        number=number,
        start_date=start_date,
        end_date=end_date,
        is_current=is_current,
    )
    term.full_clean()
    term.save()
    audit.record(actor=actor, action="term.create", target=term)
    return term


@transaction.atomic
def create_delegation(*, actor: User | None, term: Term, name: str, region: Region) -> Delegation:
    delegation = Delegation(term=term, name=name, region=region)
    delegation.full_clean()
    delegation.save()
    audit.record(actor=actor, action="delegation.create", target=delegation)
    return delegation


@transaction.atomic
def create_constituency(
    *, actor: User | None, term: Term, name: str, region: Region, seats: int = 1
) -> Constituency:
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


def _check_contact_and_term(deputy: Deputy) -> None:
    """Checks every caller needs (forms, imports, API), not only the staff form."""
    if deputy.mobile and not is_mobile(deputy.mobile):
        raise ValidationError({"mobile": "手机号应为11位大陆手机号码"})
    for field, label in (("delegation", "代表团（组）"), ("constituency", "选区")):
        related = getattr(deputy, field)
        if related is not None and related.term_id != deputy.term_id:
            raise ValidationError({field: f"所选{label}不属于该代表所在的届"})


def _check_unique_seat(deputy: Deputy) -> None:
    from renda.core.fields import make_blind_index

    clash = Deputy.objects.filter(
        term=deputy.term, id_number_index=make_blind_index(deputy.id_number)
    )
    if deputy.pk:
        clash = clash.exclude(pk=deputy.pk)
    if clash.exists():
        raise ValidationError({"id_number": "该身份证号的代表在本届已登记，不能重复登记"})


@transaction.atomic
def create_deputy(
    *,
    actor: User | None,
    term: Term,
    audit_event: bool = True,
    facts: dict[str, Any] | None = None,
    **fields: Any,
) -> Deputy:
    """Register a deputy in a term. Birth date and gender default to what the ID number says.
    `audit_event=False` lets a bulk import record one event for the whole batch instead.
    `facts` are the values of facts other apps keep (deputies/extensions.py)."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"unknown deputy fields: {sorted(unknown)}")
    deputy = Deputy(term=term, **fields)
    _check_id_number(deputy)
    _check_contact_and_term(deputy)
    _check_unique_seat(deputy)
    deputy.full_clean(exclude=["id_number_index", "mobile_index"])
    deputy.save()
    save_facts(actor, deputy, facts or {})
    if audit_event:
        audit.record(actor=actor, action="deputy.create", target=deputy)
    return deputy


@transaction.atomic
def update_deputy(
    *, actor: User | None, deputy: Deputy, facts: dict[str, Any] | None = None, **fields: Any
) -> Deputy:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"unknown deputy fields: {sorted(unknown)}")
    changed = sorted(name for name, value in fields.items() if getattr(deputy, name) != value)
    for name, value in fields.items():
        setattr(deputy, name, value)
    _check_id_number(deputy)
    _check_contact_and_term(deputy)
    _check_unique_seat(deputy)
    deputy.full_clean(exclude=["id_number_index", "mobile_index"])
    deputy.save()
    changed += save_facts(actor, deputy, facts or {})
    # Names of changed fields only: the values may be personal data and stay out of the log.
    audit.record(actor=actor, action="deputy.update", target=deputy, details={"changed": changed})
    return deputy


@transaction.atomic
def end_mandate(*, actor: User | None, deputy: Deputy, ended_on: dt.date, reason: str) -> Deputy:
    """代表资格终止: the record stays (history); the deputy leaves public lists."""
    if deputy.status == Deputy.Status.ENDED:
        raise ValidationError("该代表资格已终止")
    if ended_on < deputy.elected_on:
        raise ValidationError({"ended_on": "终止日期不能早于当选日期"})
    if reason not in Deputy.EndReason.values:
        raise ValidationError({"end_reason": "请选择终止原因"})
    if Membership.objects.filter(
        deputy=deputy, end_date__isnull=True, start_date__gt=ended_on
    ).exists():
        raise ValidationError({"ended_on": "该代表有起始日期晚于终止日期的任职，请先调整任职记录"})
    deputy.status = Deputy.Status.ENDED
    deputy.ended_on = ended_on
    deputy.end_reason = reason
    deputy.save(update_fields=["status", "ended_on", "end_reason", "updated_at"])
    Membership.objects.filter(deputy=deputy, end_date__isnull=True).update(end_date=ended_on)
    audit.record(
        actor=actor, action="deputy.end_mandate", target=deputy, details={"reason": reason}
    )
    return deputy


@transaction.atomic
def add_membership(
    *,
    actor: User | None,
    deputy: Deputy,
    organization: Organization,
    role: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
) -> Membership:
    membership = Membership(
        deputy=deputy,
        organization=organization,
        role=role,
        start_date=start_date,
        end_date=end_date,
    )
    membership.full_clean()
    membership.save()
    audit.record(actor=actor, action="membership.create", target=membership)
    return membership


@transaction.atomic
def end_membership(*, actor: User | None, membership: Membership, end_date: dt.date) -> Membership:
    """A deputy leaves a body (e.g. a special committee); the membership stays as history."""
    if membership.end_date is not None:
        raise ValidationError("该任职已终止")
    if end_date < membership.start_date:
        raise ValidationError({"end_date": "终止日期不能早于起始日期"})
    membership.end_date = end_date
    membership.full_clean()
    membership.save(update_fields=["end_date", "updated_at"])
    audit.record(actor=actor, action="membership.end", target=membership)
    return membership


# Links a bulk record may carry; `user` is left out (a log-in account is linked one by one).
_BULK_LINKS = ("region", "constituency", "delegation")
_BULK_FIELDS = EDITABLE_FIELDS - {"user"}


def _checked_bulk_deputy(record: Mapping[str, Any], registered: dict[int, set[str]]) -> Deputy:
    """One record of a bulk registration as an unsaved deputy, checked like `create_deputy`
    (the seat against `registered`, term → blind indexes already taken, which it extends)."""
    from renda.core.fields import make_blind_index

    fields = dict(record)
    term = fields.pop("term")
    unknown = set(fields) - _BULK_FIELDS
    if unknown:
        raise TypeError(f"unknown deputy fields: {sorted(unknown)}")
    deputy = Deputy(term=term, **fields)
    _check_id_number(deputy)
    # save() derives these; bulk_create does not call save().
    deputy.id_number_index = make_blind_index(deputy.id_number)
    deputy.mobile_index = make_blind_index(deputy.mobile)
    if term.pk not in registered:
        registered[term.pk] = set(
            Deputy.objects.filter(term=term).values_list("id_number_index", flat=True)
        )
    if deputy.id_number_index in registered[term.pk]:
        raise ValidationError({"id_number": "该身份证号的代表在本届已登记，不能重复登记"})
    registered[term.pk].add(deputy.id_number_index)
    for name in _BULK_LINKS:
        linked = getattr(deputy, name)
        if linked is not None and linked.pk is None:
            raise ValidationError({name: "关联的记录尚未保存"})
    for name in ("delegation", "constituency"):
        linked = getattr(deputy, name)
        if linked is not None and linked.term_id != term.pk:
            raise ValidationError({name: f"{linked}不属于{term}"})
    # Links were checked above and uniqueness set-wise; the check constraint (an ended
    # mandate has a date) holds for a new, serving deputy. That saves ~8 queries a row.
    deputy.full_clean(
        exclude=["term", *_BULK_LINKS, "user", "id_number_index", "mobile_index"],
        validate_unique=False,
        validate_constraints=False,
    )
    return deputy


def _insert(actor: User | None, pending: list[tuple[Deputy, dict[str, Any]]]) -> int:
    Deputy.objects.bulk_create([deputy for deputy, _ in pending])
    save_many(actor, pending)
    return len(pending)


@transaction.atomic
def create_deputies_in_bulk(
    *,
    actor: User | None,
    records: Iterable[Mapping[str, Any]],
    audit_event: bool = True,
    chunk_size: int = 500,
) -> int:
    """Register many deputies at once (the Excel import): the checks of `create_deputy`, done
    set-wise, and INSERTs in chunks — about 20 times faster than one `create_deputy` per row
    on 10,000 rows (see bench/bench_deputies.py). Each record is `term` plus deputy fields.

    Records are consumed one at a time and checked as they come, so a caller iterating its
    own rows knows which one was rejected. The first bad record raises ValidationError and
    nothing is written (one transaction). `audit_event=False` when the caller records one
    event for the whole batch (the import framework does)."""
    registered: dict[int, set[str]] = {}  # term → blind indexes of its deputies, loaded once
    pending: list[tuple[Deputy, dict[str, Any]]] = []
    created = 0
    for record in records:
        values = dict(record)
        extra = values.pop("facts", None) or {}
        pending.append((_checked_bulk_deputy(values, registered), extra))
        if len(pending) >= chunk_size:
            created += _insert(actor, pending)
            pending = []
    if pending:
        created += _insert(actor, pending)
    if audit_event and created:
        audit.record(actor=actor, action="deputy.create_bulk", details={"count": created})
    return created
