"""Duties inside the staff role (core.roles.Duty): the security administrator grants them to
an office or committee, or with a reason to one account, and withdraws them. `actor=None`
is an operator at the command line (the demo seed)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from renda.core import audit
from renda.core.models import Organization
from renda.core.roles import Duty, Role

from ..models import OfficeDuty, PersonalDuty, User
from ..permissions import can_manage_security

# The bodies whose staff hold duties: the standing committee's offices and the congress's
# special committees.
DUTY_KINDS = (Organization.Kind.OFFICE, Organization.Kind.SPECIAL_COMMITTEE)


def _require(actor: Any) -> None:
    if actor is not None and not can_manage_security(actor):
        raise PermissionDenied("只有安全管理员可以分配职责。")


def _clean(duties: Iterable[str]) -> set[str]:
    wanted = set(duties)
    unknown = wanted - set(Duty.values)
    if unknown:
        raise ValidationError(f"未知的职责：{'、'.join(sorted(unknown))}")
    return wanted


@transaction.atomic
def set_office_duties(
    *, actor: User | None, organization: Organization, duties: Iterable[str]
) -> tuple[set[str], set[str]]:
    """Make the office's duties exactly `duties`; returns (granted, withdrawn)."""
    _require(actor)
    if organization.kind not in DUTY_KINDS:
        raise ValidationError("职责只能分配给人大常委会的办事机构和专门委员会。")
    wanted = _clean(duties)
    have = set(OfficeDuty.objects.filter(organization=organization).values_list("duty", flat=True))
    granted, withdrawn = wanted - have, have - wanted
    if not granted and not withdrawn:
        return granted, withdrawn
    OfficeDuty.objects.filter(organization=organization, duty__in=withdrawn).delete()
    OfficeDuty.objects.bulk_create(
        OfficeDuty(organization=organization, duty=d, granted_by=actor) for d in sorted(granted)
    )
    audit.record(
        actor=actor,
        action="accounts.office_duties_changed",
        target=organization,
        details={"granted": sorted(granted), "withdrawn": sorted(withdrawn)},
    )
    return granted, withdrawn


@transaction.atomic
def grant_personal_duty(*, actor: User | None, user: User, duty: str, reason: str) -> PersonalDuty:
    _require(actor)
    _clean([duty])
    reason = reason.strip()
    if user.role != Role.STAFF:
        raise ValidationError("只有人大机关工作人员的账号可以单独授权。")
    if not reason:
        raise ValidationError("单独授权须写明理由。")
    if PersonalDuty.objects.filter(user=user, duty=duty).exists():
        raise ValidationError("该账号已有这项职责。")
    grant = PersonalDuty.objects.create(user=user, duty=duty, reason=reason, granted_by=actor)
    audit.record(
        actor=actor,
        action="accounts.personal_duty_granted",
        target=user,
        details={"duty": duty, "reason": reason},
    )
    return grant


@transaction.atomic
def withdraw_personal_duty(*, actor: User | None, grant: PersonalDuty) -> None:
    _require(actor)
    audit.record(
        actor=actor,
        action="accounts.personal_duty_withdrawn",
        target=grant.user,
        details={"duty": grant.duty, "reason": grant.reason},
    )
    grant.delete()
