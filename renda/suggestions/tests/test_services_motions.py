"""议案: only in a sitting, before the presidium's deadline, with enough deputies; the
presidium's decisions, including conversion into a 建议."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from renda.deputies.models import DutyRecord
from renda.suggestions import services
from renda.suggestions.models import Suggestion

from .factories import motion_with_signers, open_sitting, scene

pytestmark = pytest.mark.django_db


def test_it_refuses_a_motion_outside_a_sitting(world: Any) -> None:
    sc = scene(world, others=9)
    motion = motion_with_signers(sc, confirmed=9)
    with pytest.raises(ValidationError, match="只能在人民代表大会会议期间提出"):
        services.submit_motion(actor=world.deputy, motion=motion)
    motion.refresh_from_db()
    assert motion.state == "draft" and not DutyRecord.objects.filter(kind="motion").exists()


def test_it_refuses_a_motion_after_the_presidiums_deadline(world: Any) -> None:
    sc = scene(world, others=9)
    sitting = open_sitting(sc)
    motion = motion_with_signers(sc, confirmed=9)
    with pytest.raises(ValidationError, match="议案截止时间"):
        services.submit_motion(
            actor=world.deputy, motion=motion, now=sitting.motion_deadline + dt.timedelta(minutes=1)
        )


def test_it_refuses_a_motion_with_too_few_co_signers(world: Any) -> None:
    sc = scene(world, others=9)
    open_sitting(sc)
    motion = motion_with_signers(sc, confirmed=8)
    with pytest.raises(ValidationError) as error:
        services.submit_motion(actor=world.deputy, motion=motion)
    assert "至少10名代表联名" in str(error.value) and "已确认9名" in str(error.value)
    motion.refresh_from_db()
    assert motion.state == "draft"


def test_it_takes_a_motion_with_ten_deputies_and_records_their_duty(world: Any) -> None:
    sc = scene(world, others=9)
    open_sitting(sc)
    motion = motion_with_signers(sc, confirmed=9)
    services.submit_motion(actor=world.deputy, motion=motion)
    assert motion.state == "submitted" and motion.code == "第18届3次会议议案第001号"
    assert DutyRecord.objects.filter(kind="motion", source_id=str(motion.pk)).count() == 10


def test_it_converts_a_motion_into_a_suggestion(world: Any) -> None:
    sc = scene(world, others=9)
    open_sitting(sc)
    motion = motion_with_signers(sc, confirmed=9)
    services.submit_motion(actor=world.deputy, motion=motion)
    services.decide_motion(
        actor=world.staff, motion=motion, decision="convert", note="作为建议交有关部门办理"
    )
    assert motion.state == "converted"
    s = Suggestion.objects.get(motion=motion)
    assert s.source == "motion" and s.state == "submitted" and s.sitting == motion.sitting
    assert s.signatures.count() == 10 and "【案由】" in s.content
    # Counted once, as a motion.
    assert not DutyRecord.objects.filter(kind="suggestion").exists()


def test_it_needs_a_committee_to_refer_a_motion(world: Any) -> None:
    sc = scene(world, others=9)
    open_sitting(sc)
    motion = motion_with_signers(sc, confirmed=9)
    services.submit_motion(actor=world.deputy, motion=motion)
    with pytest.raises(ValidationError, match="专门委员会"):
        services.decide_motion(actor=world.staff, motion=motion, decision="refer")
    motion.refresh_from_db()
    assert motion.state == "submitted"


def test_it_files_suggestions_made_during_a_sitting_under_it(world: Any) -> None:
    from .factories import registered

    sc = scene(world)
    sitting = open_sitting(sc)
    s = registered(sc)
    assert s.sitting == sitting and s.code == "第18届3次会议第0001号"
    assert timezone.localdate() <= sitting.end_date
