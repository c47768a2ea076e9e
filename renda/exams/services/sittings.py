"""Exam sittings and enrolment. The sitting password is read out in the exam room, so the
proctor must see it: it is stored encrypted (core.fields.EncryptedCharField), and it can be
regenerated (audited) if it leaked. Allowed IP ranges are CIDR networks checked with
`ipaddress`; `address_allowed` is what the attempt (later) asks."""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from renda.core import audit
from renda.core.roles import Role
from renda.core.sources import Source, link_source

from ..models import Blueprint, Enrolment, ExamSitting, Paper, ParallelForm, SittingMode
from ..permissions import require_sitting_manager


def parse_networks(text: str | Sequence[str]) -> list[str]:
    """CIDR networks, one per line (or comma); a bare address means that one address.
    Refuses with every bad line named; a network with host bits set is refused with the
    network it probably meant."""
    items = (
        text.replace("，", ",").replace(",", "\n").splitlines() if isinstance(text, str) else text
    )
    networks: list[str] = []
    errors: list[str] = []
    for raw in items:
        item = raw.strip()
        if not item:
            continue
        try:
            network = ipaddress.ip_network(item, strict=True)
        except ValueError:
            try:
                meant = ipaddress.ip_network(item, strict=False)
            except ValueError:
                errors.append(f"“{item}”不是有效的 IP 地址或网段（如 10.12.0.0/16）")
            else:
                errors.append(f"“{item}”含主机位，网段应写作 {meant}")
            continue
        if str(network) not in networks:
            networks.append(str(network))
    if errors:
        raise ValidationError({"allowed_networks": errors})
    return networks


def address_allowed(sitting: ExamSitting, address: str) -> bool:
    if not sitting.allowed_networks:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n) for n in sitting.allowed_networks)


def new_password() -> str:
    """Six digits: easy to read out and type on a phone."""
    return f"{secrets.randbelow(10**6):06d}"


def _is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _has_papers(sitting: ExamSitting) -> bool:
    return (
        Paper.objects.filter(enrolment__sitting=sitting).exists()
        or ParallelForm.objects.filter(sitting=sitting).exists()
    )


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _check(sitting: ExamSitting) -> None:
    errors: dict[str, list[str]] = {}
    if sitting.ends_at <= sitting.starts_at:
        errors.setdefault("ends_at", []).append("截止时间应晚于开考时间")
    elif sitting.ends_at - sitting.starts_at < dt.timedelta(minutes=sitting.duration_minutes):
        errors.setdefault("duration_minutes", []).append("考试时长超过了开考到截止的时间")
    if sitting.duration_minutes < 1:
        errors.setdefault("duration_minutes", []).append("考试时长至少 1 分钟")
    blueprint = sitting.blueprint
    total = sum((c.score * c.count for c in blueprint.cells.all()), Decimal(0))
    if sitting.pass_mark <= 0 or sitting.pass_mark > total:
        errors.setdefault("pass_mark", []).append(
            f"及格分应大于 0 且不超过试卷总分 {_plain(total)} 分"
        )
    if sitting.mode == SittingMode.FORMS:
        if not 2 <= sitting.form_count <= 6:
            errors.setdefault("form_count", []).append("平行卷为 2–6 套")
        elif blueprint.parallel_forms < sitting.form_count:
            errors.setdefault("form_count", []).append(
                f"组卷规则“{blueprint.name}”只按 {blueprint.parallel_forms} 套检查过题库，"
                f"不能出 {sitting.form_count} 套平行卷；请先把规则的平行卷套数改为 "
                f"{sitting.form_count} 并保存"
            )
    if errors:
        raise ValidationError(errors)
    sitting.full_clean(exclude=["password"], validate_constraints=False)


FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "duration_minutes",
    "pass_mark",
    "venue",
    "blueprint",
    "mode",
    "form_count",
)


@transaction.atomic
def create_sitting(
    *,
    actor: Any,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    duration_minutes: int,
    pass_mark: Decimal,
    venue: str,
    blueprint: Blueprint,
    mode: str = SittingMode.INDIVIDUAL,
    form_count: int = 2,
    allowed_networks: str | Sequence[str] = (),
) -> ExamSitting:
    require_sitting_manager(actor)
    sitting = ExamSitting(
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        duration_minutes=duration_minutes,
        pass_mark=pass_mark,
        venue=venue.strip(),
        blueprint=blueprint,
        mode=mode,
        form_count=form_count,
        allowed_networks=parse_networks(allowed_networks),
        password=new_password(),
        created_by=actor if _is_user(actor) else None,
    )
    _check(sitting)
    sitting.save()
    audit.record(
        actor=actor,
        action="exam.sitting_create",
        target=sitting,
        details={"title": sitting.title, "blueprint": blueprint.pk, "mode": mode},
    )
    return sitting


@transaction.atomic
def update_sitting(
    *, actor: Any, sitting: ExamSitting, allowed_networks: str | Sequence[str], **values: Any
) -> ExamSitting:
    """Change a sitting. Once papers exist its blueprint and mode stay as they were drawn."""
    require_sitting_manager(actor)
    locked = ExamSitting.objects.select_for_update().get(pk=sitting.pk)
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    drawn = _has_papers(locked)
    changed = []
    for name, value in values.items():
        if isinstance(value, str):
            value = value.strip()
        current = getattr(locked, name)
        if current != value:
            if drawn and name in ("blueprint", "mode", "form_count"):
                raise ValidationError({name: "已生成试卷，组卷规则和组卷方式不能再改。"})
            setattr(locked, name, value)
            changed.append(name)
    networks = parse_networks(allowed_networks)
    if networks != locked.allowed_networks:
        locked.allowed_networks = networks
        changed.append("allowed_networks")
    if not changed:
        return locked
    _check(locked)
    locked.save()
    audit.record(
        actor=actor,
        action="exam.sitting_edit",
        target=locked,
        details={"changed": changed, "networks": locked.allowed_networks},
    )
    return locked


@transaction.atomic
def regenerate_password(*, actor: Any, sitting: ExamSitting) -> str:
    require_sitting_manager(actor)
    locked = ExamSitting.objects.select_for_update().get(pk=sitting.pk)
    locked.password = new_password()
    locked.save(update_fields=["password", "updated_at"])
    # The password itself never goes to the audit log.
    audit.record(actor=actor, action="exam.sitting_password", target=locked, details={})
    sitting.password = locked.password
    return locked.password


@transaction.atomic
def enrol(
    *,
    actor: Any,
    sitting: ExamSitting,
    user: Any,
    reason: str,
    source: Source | None = None,
) -> Enrolment:
    """Put a nominee on the sitting with the next seat and an admission slip number. By
    hand, `reason` says why (e.g. "拟任市住建局局长，市政府提请"); the appointment list (later)
    passes itself as `source`, which is recorded as a core source link."""
    require_sitting_manager(actor)
    locked = ExamSitting.objects.select_for_update().get(pk=sitting.pk)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "请填写报名依据（如拟任职务、提请机关）"})
    if getattr(user, "role", None) != Role.NOMINEE or not user.is_active:
        raise ValidationError({"user": "只有“拟任命人员”账号可以参加任前法律考试"})
    if Enrolment.objects.filter(sitting=locked, user=user).exists():
        raise ValidationError({"user": f"{user.name or user.username} 已在本场考试名单中"})
    seat = (Enrolment.objects.filter(sitting=locked).aggregate(m=Max("seat"))["m"] or 0) + 1
    enrolment = Enrolment.objects.create(
        sitting=locked,
        user=user,
        seat=seat,
        slip_number=f"{locked.starts_at:%Y}{locked.pk:04d}{seat:03d}",
        reason=reason[:300],
        enrolled_by=actor if _is_user(actor) else None,
    )
    if source is not None:
        link_source(actor=actor, source=source, target=enrolment)
    audit.record(
        actor=actor,
        action="exam.enrol",
        target=enrolment,
        details={
            "sitting": locked.pk,
            "user": user.pk,
            "slip": enrolment.slip_number,
            "seat": seat,
            "reason": enrolment.reason,
            "source": source.label if source else "",
        },
    )
    return enrolment


def record_slip_view(*, actor: Any, target: Any, kind: str, slips: Sequence[str]) -> None:
    """Who printed or downloaded which admission slips (a sitting's, or one examinee's)."""
    audit.record(
        actor=actor,
        action="exam.slip_view",
        target=target,
        details={"kind": kind, "slips": list(slips)},
    )
