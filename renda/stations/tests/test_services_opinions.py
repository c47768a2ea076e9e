from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from renda.core import calendar as workcal
from renda.core.fields import make_blind_index
from renda.core.models import Notification, Organization, WorkflowEvent
from renda.core.notifications import ConsoleSMSBackend
from renda.core.workflow import TransitionNotAllowed, is_overdue
from renda.deputies.tests.factories import make_deputy
from renda.stations import services
from renda.stations.models import Opinion, Reception
from renda.suggestions.models import Suggestion
from renda.suggestions.services import create_suggestion

from .factories import (
    CONTENT,
    assigned_opinion,
    make_clerk,
    make_opinion,
    make_station,
    replied_opinion,
)

pytestmark = pytest.mark.django_db


def test_it_gives_an_unguessable_tracking_code() -> None:
    codes = {services.new_tracking_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(c) == 12 and set(c) <= set(services.CODE_ALPHABET) for c in codes)


def test_it_stores_the_contact_encrypted_with_a_blind_index(world: Any) -> None:
    opinion = make_opinion(world, make_station(world), phone="13912345678")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contact_name, contact_phone FROM stations_opinion WHERE id = %s", [opinion.pk]
        )
        name, phone = cursor.fetchone()
    assert "王大姐" not in name and "13912345678" not in phone
    assert Opinion.objects.get(contact_phone_index=make_blind_index("13912345678")) == opinion


def test_the_same_form_token_returns_the_same_opinion(world: Any) -> None:
    station = make_station(world)
    first, created = services.submit_opinion(
        actor=None,
        station=station,
        source="web",
        category="transport",
        content=CONTENT,
        form_token="tok-1",
    )
    again, created_again = services.submit_opinion(
        actor=None,
        station=station,
        source="web",
        category="transport",
        content=CONTENT + "改",
        form_token="tok-1",
    )
    assert created and not created_again
    assert again.pk == first.pk and again.tracking_code == first.tracking_code
    assert Opinion.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"content": "太短"}, "至少 10 个字"),
        ({"content": "长" * 2001}, "不能超过 2000 个字"),
        ({"content": "<script>x</script>  短"}, "至少 10 个字"),
        ({"contact_phone": "12345"}, "11位手机号"),
        ({"category": "nonsense"}, "请选择类别"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_writes_nothing(
    world: Any, fields: dict[str, str], message: str
) -> None:
    data: dict[str, Any] = {"category": "transport", "content": CONTENT, **fields}
    with pytest.raises(ValidationError, match=message):
        services.submit_opinion(actor=None, station=None, source="web", **data)
    assert not Opinion.objects.exists()


def test_it_strips_markup_from_what_the_public_types(world: Any) -> None:
    opinion, _ = services.submit_opinion(
        actor=None,
        station=None,
        source="web",
        category="transport",
        content='<img src=x onerror="alert(1)">路口红绿灯<b>坏了</b>，请尽快修理，谢谢！',
        location="<a href='javascript:x'>解放路</a>",
    )
    assert opinion.content == "路口红绿灯坏了，请尽快修理，谢谢！"
    assert opinion.location == "解放路"


def test_it_refuses_attachments_of_the_wrong_kind_or_too_many(
    world: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    exe = SimpleUploadedFile("照片.jpg", b"MZ\x90\x00 a windows program")
    with pytest.raises(ValidationError, match="内容与扩展名不符"):
        services.submit_opinion(
            actor=None,
            station=None,
            source="web",
            category="transport",
            content=CONTENT,
            attachments=[exe],
        )
    jpg = b"\xff\xd8\xff\xe0" + b"\0" * 32
    many = [SimpleUploadedFile(f"{i}.jpg", jpg) for i in range(4)]
    with pytest.raises(ValidationError, match="最多上传 3 个文件"):
        services.submit_opinion(
            actor=None,
            station=None,
            source="web",
            category="transport",
            content=CONTENT,
            attachments=many,
        )
    assert not Opinion.objects.exists()
    opinion, _ = services.submit_opinion(
        actor=None,
        station=None,
        source="web",
        category="transport",
        content=CONTENT,
        attachments=many[:2],
    )
    assert opinion.attachments.count() == 2


def test_a_reception_can_become_an_opinion(world: Any) -> None:
    station = make_station(world)
    reception = services.record_reception(
        actor=world.staff,
        station=station,
        matter=CONTENT,
        category="construction",
        constituent_phone="13900001111",
        as_opinion=True,
    )
    opinion = reception.opinion
    assert opinion.source == "reception" and opinion.station == station
    assert opinion.contact_phone == "13900001111"
    assert Reception.objects.count() == 1


def test_the_whole_path_assign_reply_rate(world: Any) -> None:
    ConsoleSMSBackend.sent.clear()
    station = make_station(world)
    with pytest.MonkeyPatch.context() as mp:
        # Commit hooks run at once in this test (the test transaction never commits).
        mp.setattr("django.db.transaction.on_commit", lambda fn, using=None, robust=False: fn())
        opinion = make_opinion(world, station, phone="13912345678")
        assert opinion.state == "submitted"
        # Intake: 交办 due within 10 days.
        due_day = timezone.localdate(opinion.due_at)
        assert due_day - timezone.localdate(opinion.created_at) == dt.timedelta(days=10)
        services.assign_opinion(actor=world.staff, opinion=opinion, unit=world.department)
        assert opinion.state == "assigned"
        assert opinion.assigned_at is not None
        expected_due = workcal.due_at(opinion.assigned_at, workdays=5)
        assert opinion.due_at == expected_due
        assert Notification.objects.filter(recipient=world.handling_officer).exists()
        services.reply_opinion(
            actor=world.handling_officer, opinion=opinion, reply="已修复路灯三盏。", reply_class="A"
        )
        assert opinion.state == "replied" and opinion.solved
        services.rate_opinion(
            actor=None, opinion=opinion, rating_code=opinion.rating_code, rating="satisfied"
        )
    opinion.refresh_from_db()
    assert opinion.state == "closed" and opinion.rating == "satisfied" and opinion.solved
    steps = list(
        WorkflowEvent.objects.filter(object_id=str(opinion.pk)).values_list("transition", flat=True)
    )
    assert steps == ["assign", "reply", "rate_satisfied"]
    texts = [text for mobile, text in ConsoleSMSBackend.sent if mobile == "13912345678"]
    assert any("已收到" in t for t in texts) and any("答复" in t for t in texts)
    assert all(CONTENT[:6] not in t for t in texts)  # the content never travels by SMS


def test_a_complex_case_gets_ten_working_days(world: Any) -> None:
    opinion = make_opinion(world, make_station(world))
    services.assign_opinion(
        actor=world.staff, opinion=opinion, unit=world.department, is_complex=True
    )
    assert opinion.assigned_at is not None
    assert opinion.due_at == workcal.due_at(opinion.assigned_at, workdays=10)


def test_dissatisfied_reopens_and_needs_a_reason(world: Any) -> None:
    opinion = replied_opinion(world, make_station(world))
    with pytest.raises(ValidationError, match="不满意的原因"):
        services.rate_opinion(
            actor=None, opinion=opinion, rating_code=opinion.rating_code, rating="dissatisfied"
        )
    opinion.refresh_from_db()
    assert opinion.state == "replied"
    services.rate_opinion(
        actor=None,
        opinion=opinion,
        rating_code=opinion.rating_code,
        rating="dissatisfied",
        comment="路灯还是不亮",
    )
    assert opinion.state == "reopened" and opinion.reopen_count == 1 and not opinion.solved
    # Re-handling: assigned again, to the same or another unit.
    services.assign_opinion(actor=world.staff, opinion=opinion, unit=world.department)
    assert opinion.state == "assigned"


def test_a_rating_cannot_be_given_twice(world: Any) -> None:
    opinion = replied_opinion(world, make_station(world))
    services.rate_opinion(
        actor=None, opinion=opinion, rating_code=opinion.rating_code, rating="basic"
    )
    with pytest.raises(TransitionNotAllowed):
        services.rate_opinion(
            actor=None, opinion=opinion, rating_code=opinion.rating_code, rating="satisfied"
        )
    opinion.refresh_from_db()
    assert opinion.rating == "basic"


def test_not_accepted_keeps_the_reason_and_channel(world: Any) -> None:
    opinion = make_opinion(world, make_station(world))
    with pytest.raises(TransitionNotAllowed, match="请填写不予受理理由"):
        services.take_step(
            actor=world.staff, opinion=opinion, transition="reject", note="", expected_state=None
        )
    services.take_step(
        actor=world.staff,
        opinion=opinion,
        transition="reject",
        note="属涉诉事项，请向人民法院提起诉讼。",
        expected_state="submitted",
    )
    assert opinion.state == "rejected" and "人民法院" in opinion.decision_note


def test_a_unit_returns_a_misassigned_item_and_loses_it(world: Any) -> None:
    opinion = assigned_opinion(world, make_station(world))
    services.take_step(
        actor=world.handling_officer,
        opinion=opinion,
        transition="return",
        note="不属于本单位职责",
        expected_state="assigned",
    )
    assert opinion.state == "submitted" and opinion.unit is None


def test_only_the_assigned_unit_replies(world: Any) -> None:
    opinion = assigned_opinion(world, make_station(world))
    other = Organization.objects.create(
        name="冷水江市交通运输局",
        code="JTJ",
        kind="government_department",
        region=world.county,
        is_handling_unit=True,
    )
    world.handling_officer.organization = other
    world.handling_officer.save()
    with pytest.raises(PermissionDenied):
        services.reply_opinion(
            actor=world.handling_officer, opinion=opinion, reply="已办理完毕。", reply_class="A"
        )
    opinion.refresh_from_db()
    assert opinion.state == "assigned" and opinion.reply == ""


def test_a_clerk_cannot_handle_another_stations_opinion(world: Any) -> None:
    mine, other = make_station(world), make_station(world)
    clerk = make_clerk(world, mine)
    opinion = make_opinion(world, other)
    with pytest.raises(PermissionDenied):
        services.assign_opinion(actor=clerk, opinion=opinion, unit=world.department)
    assert Opinion.objects.get(pk=opinion.pk).state == "submitted"


def test_conversion_links_the_deputys_suggestion(world: Any) -> None:
    opinion = make_opinion(world, make_station(world))
    deputy = make_deputy(world)
    services.convert_opinion(actor=world.staff, opinion=opinion, deputy=deputy)
    assert opinion.state == "converted" and opinion.converted_deputy == deputy
    suggestion = create_suggestion(
        actor=world.staff,
        deputy=deputy,
        title="关于修复路灯的建议",
        content="建议尽快修复路灯，保障群众夜间出行安全。",
        channel=Suggestion.Source.PAPER,
    )
    services.link_suggestion(actor=world.staff, opinion=opinion, suggestion=suggestion)
    assert services.suggestion_of(Opinion.objects.get(pk=opinion.pk)) == suggestion.pk
    services.take_step(
        actor=world.staff,
        opinion=opinion,
        transition="relay",
        note="代表建议已由住建局答复：列入明年计划。",
        expected_state="converted",
    )
    assert opinion.state == "replied" and "明年" in opinion.feedback


def test_overdue_items_are_reminded_once_a_day(world: Any) -> None:
    opinion = assigned_opinion(world, make_station(world))
    assert opinion.due_at is not None
    later = opinion.due_at + dt.timedelta(days=1)
    assert is_overdue(opinion, later)
    before = Notification.objects.filter(recipient=world.handling_officer).count()
    assert services.remind_overdue_opinions(now=later) == 1
    assert Notification.objects.filter(recipient=world.handling_officer).count() == before + 1
    assert services.remind_overdue_opinions(now=later) == 0
    assert timezone.localdate(later) == Opinion.objects.get(pk=opinion.pk).reminded_on
