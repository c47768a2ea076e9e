"""Motions (议案): drafts, submission with enough co-signers, the presidium's decision."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit
from renda.core.models import Organization
from renda.core.notifications import notify
from renda.core.workflow import apply_transition
from renda.deputies.models import Deputy, DutyRecord
from renda.deputies.services import record_duty

from ..models import (
    Motion,
    Signature,
    Suggestion,
)
from ..rules import RULES
from .base import (
    _clean_text,
    _deputy_users,
    _next_serial,
    _signers,
    _url,
)
from .drafting import check_author, drop_unconfirmed, submit_suggestion
from .sittings import open_sitting


@transaction.atomic
def create_motion(
    *, actor: User, deputy: Deputy, title: str, cause: str, basis: str, plan: str
) -> Motion:
    check_author(actor, deputy, Suggestion.Source.ONLINE)
    motion = Motion(
        term=deputy.term,
        lead_deputy=deputy,
        title=_clean_text(title)[:200],
        cause=_clean_text(cause),
        basis=_clean_text(basis),
        plan=_clean_text(plan),
        created_by=actor,
    )
    _check_motion_text(motion)
    motion.full_clean()
    motion.save()
    Signature.objects.create(
        motion=motion, deputy=deputy, is_lead=True, confirmed_at=timezone.now()
    )
    audit.record(actor=actor, action="motion.create", target=motion)
    return motion


def _check_motion_text(motion: Motion) -> None:
    errors = {}
    for name, label in (("title", "标题"), ("cause", "案由"), ("basis", "案据"), ("plan", "方案")):
        if not getattr(motion, name):
            errors[name] = f"请填写{label}。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_motion(
    *, actor: User, motion: Motion, title: str, cause: str, basis: str, plan: str
) -> Motion:
    if motion.state != "draft":
        raise ValidationError("只有草稿可以修改。")
    motion.title = _clean_text(title)[:200]
    motion.cause, motion.basis, motion.plan = map(_clean_text, (cause, basis, plan))
    _check_motion_text(motion)
    motion.full_clean()
    motion.save()
    audit.record(actor=actor, action="motion.update_draft", target=motion)
    return motion


@transaction.atomic
def submit_motion(*, actor: User, motion: Motion, now: dt.datetime | None = None) -> Motion:
    """议案: only during a sitting, before the presidium's deadline, with enough deputies."""
    now = now or timezone.now()
    if motion.state != "draft":
        raise ValidationError("该议案已提交，不能重复提交。")
    sitting = open_sitting(motion.term, now)
    if sitting is None:
        raise ValidationError(
            "议案只能在人民代表大会会议期间提出；现在不在会期内。闭会期间可以提出建议。"
        )
    if sitting.motion_deadline is not None and now > sitting.motion_deadline:
        raise ValidationError(
            f"{sitting.short_label}的议案截止时间（{timezone.localtime(sitting.motion_deadline):%Y-%m-%d %H:%M}）"
            "已过，不能再提出议案；可以改为提出建议。"
        )
    need = RULES.min_signers(motion.term.level)
    have = motion.signatures.filter(confirmed_at__isnull=False).count()
    if have < need:
        raise ValidationError(
            f"议案须由至少{need}名代表联名提出，目前已确认{have}名（含领衔代表），"
            f"还差{need - have}名。请等待被邀请的代表确认。"
        )
    apply_transition(actor=actor, obj=motion, transition="submit", expected_state="draft")
    drop_unconfirmed(motion)
    motion.sitting = sitting
    motion.serial = _next_serial(f"m:{sitting.pk}")
    motion.code = f"第{motion.term.number}届{sitting.number}次会议议案第{motion.serial:03d}号"
    motion.submitted_at = now
    motion.save(update_fields=["sitting", "serial", "code", "submitted_at", "updated_at"])
    for sig in motion.signatures.select_related("deputy"):
        record_duty(
            actor=actor,
            deputy=sig.deputy,
            kind=DutyRecord.Kind.MOTION,
            occurred_on=timezone.localdate(now),
            title=f"{'领衔' if sig.is_lead else '联名'}提出议案：{motion.title}",
            source=motion,
        )
    audit.record(actor=actor, action="motion.submit", target=motion, details={"signers": have})
    return motion


MOTION_DECISIONS = {
    "place_on_agenda": "列入会议议程",
    "refer": "交专门委员会审议",
    "convert": "转为建议",
    "refuse": "不列入议程",
}


@transaction.atomic
def decide_motion(
    *,
    actor: User,
    motion: Motion,
    decision: str,
    note: str = "",
    committee: Organization | None = None,
    expected_state: str | None = None,
) -> Motion:
    """The presidium's decision, recorded by staff. A converted motion becomes a 建议
    (source = motion) that enters registration like any other."""
    if decision not in MOTION_DECISIONS:
        raise ValidationError({"decision": "请选择主席团的决定。"})
    if decision == "refer" and (
        committee is None or committee.kind != Organization.Kind.SPECIAL_COMMITTEE
    ):
        raise ValidationError({"committee": "请选择审议的专门委员会。"})
    apply_transition(
        actor=actor, obj=motion, transition=decision, note=note, expected_state=expected_state
    )
    motion.decision_note = note.strip()
    if committee is not None:
        motion.committee = committee
    motion.save(update_fields=["decision_note", "committee", "updated_at"])
    audit.record(actor=actor, action="motion.decide", target=motion, details={"decision": decision})
    if decision == "convert":
        suggestion = Suggestion(
            term=motion.term,
            lead_deputy=motion.lead_deputy,
            title=motion.title,
            content=f"【案由】{motion.cause}\n【案据】{motion.basis}\n【方案】{motion.plan}",
            source=Suggestion.Source.MOTION,
            motion=motion,
            created_by=actor,
        )
        suggestion.full_clean()
        suggestion.save()
        Signature.objects.bulk_create(
            [
                Signature(
                    suggestion=suggestion,
                    deputy_id=s.deputy_id,
                    is_lead=s.is_lead,
                    confirmed_at=s.confirmed_at,
                )
                for s in motion.signatures.all()
            ]
        )
        submit_suggestion(actor=actor, suggestion=suggestion)
    notify(
        actor=actor,
        recipients=_deputy_users(_signers(motion)),
        title=f"议案“{motion.title[:30]}”：主席团决定{MOTION_DECISIONS[decision]}",
        body=note,
        url=_url("suggestions:motion_detail", motion.pk),
    )
    return motion
