"""代表小组活动: the roster, sign-up on the phone, attendance after the activity, and the duty
records it makes (present, leave and absent), once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from renda.core.models import AuditEvent
from renda.deputies import services as deputy_services
from renda.deputies.models import ActivityParticipant, DutyRecord, GroupActivity
from renda.deputies.services import activities

from .factories import make_deputy, make_term
from .reporting_factories import make_activity


def _past(activity: GroupActivity) -> None:
    """Move the activity's start into the past (as if its day had come)."""
    GroupActivity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=2)
    )
    activity.refresh_from_db()


def test_a_delegations_members_are_the_roster(world: Any) -> None:
    term = make_term(world)
    group = deputy_services.create_delegation(
        actor=None, term=term, name="冷水江街道代表小组", region=world.township
    )
    members = [make_deputy(world, name=n, delegation=group) for n in ("甲", "乙")]
    guest = make_deputy(world, name="丙")
    activity = make_activity(world, delegation=group, invitees=[guest])
    roster = set(activity.participants.values_list("deputy_id", flat=True))
    assert roster == {members[0].pk, members[1].pk, guest.pk}
    assert AuditEvent.objects.filter(action="activity.create").count() == 1


def test_an_activity_needs_someone_to_invite(world: Any) -> None:
    with pytest.raises(ValidationError, match="请选择代表团"):
        make_activity(world)
    assert not GroupActivity.objects.exists()


def test_sign_up_capacity_and_closing(world: Any) -> None:
    me = make_deputy(world, user=world.deputy)
    activity = make_activity(world, invitees=[me], open_signup=True, capacity=1)
    row = activities.sign_up(actor=world.deputy, activity=activity)
    again = activities.sign_up(actor=world.deputy, activity=activity)
    assert row.pk == again.pk and row.signed_up_at is not None
    assert AuditEvent.objects.filter(action="activity.sign_up").count() == 1
    activities.cancel_sign_up(actor=world.deputy, activity=activity)
    row.refresh_from_db()
    assert row.signed_up_at is None  # an invitee stays on the roster
    _past(activity)
    with pytest.raises(ValidationError, match="报名已截止"):
        activities.sign_up(actor=world.deputy, activity=activity)


def test_a_deputy_outside_the_roster_cannot_sign_up(world: Any) -> None:
    make_deputy(world, user=world.deputy)
    activity = make_activity(world, invitees=[make_deputy(world, name="王五")])
    with pytest.raises(ValidationError, match="不在本次活动的邀请范围"):
        activities.sign_up(actor=world.deputy, activity=activity)
    with pytest.raises(PermissionDenied):
        activities.sign_up(actor=world.staff, activity=activity)
    assert not ActivityParticipant.objects.exclude(signed_up_at=None).exists()


def test_a_full_activity_refuses_more(world: Any) -> None:
    me = make_deputy(world, user=world.deputy)
    first = make_deputy(world, name="赵六")
    activity = make_activity(world, invitees=[me, first], capacity=1)
    ActivityParticipant.objects.filter(activity=activity, deputy=first).update(
        signed_up_at=timezone.now()
    )
    with pytest.raises(ValidationError, match="报名人数已满"):
        activities.sign_up(actor=world.deputy, activity=activity)


def test_attendance_becomes_duty_records_once(world: Any) -> None:
    came, away, missing = (make_deputy(world, name=n) for n in ("出", "假", "缺"))
    activity = make_activity(world, invitees=[came, away, missing])
    with pytest.raises(ValidationError, match="尚未开始"):
        activities.record_attendance(actor=world.staff, activity=activity, attendance={})
    _past(activity)
    states = {came.pk: "present", away.pk: "leave", missing.pk: "absent"}
    made = activities.record_attendance(
        actor=world.staff, activity=activity, attendance=states, notes={away.pk: "外出学习"}
    )
    assert made == 3
    again = activities.record_attendance(actor=world.staff, activity=activity, attendance=states)
    assert again == 3
    kinds = dict(DutyRecord.objects.values_list("deputy_id", "kind"))
    assert kinds == {
        came.pk: "inspection",
        away.pk: "activity_leave",
        missing.pk: "activity_absence",
    }
    assert DutyRecord.objects.count() == 3
    assert "外出学习" in DutyRecord.objects.get(deputy=away).details
    with pytest.raises(ValidationError, match="不能修改"):
        activities.record_attendance(
            actor=world.staff, activity=activity, attendance={**states, missing.pk: "present"}
        )
    assert AuditEvent.objects.filter(action="activity.attendance").count() == 1


def test_incomplete_attendance_writes_nothing(world: Any) -> None:
    a, b = make_deputy(world, name="甲"), make_deputy(world, name="乙")
    activity = make_activity(world, invitees=[a, b], kind=GroupActivity.Kind.RESEARCH)
    _past(activity)
    with pytest.raises(ValidationError, match="乙"):
        activities.record_attendance(
            actor=world.staff, activity=activity, attendance={a.pk: "present", b.pk: "maybe"}
        )
    with pytest.raises(PermissionDenied):
        activities.record_attendance(
            actor=world.sc_member, activity=activity, attendance={a.pk: "present"}
        )
    activity.refresh_from_db()
    assert activity.attendance_recorded_at is None and not DutyRecord.objects.exists()
    assert not ActivityParticipant.objects.exclude(attendance="").exists()


def test_one_row_per_deputy_and_activity_in_the_database(world: Any) -> None:
    me = make_deputy(world)
    activity = make_activity(world, invitees=[me])
    with pytest.raises(IntegrityError), transaction.atomic():
        ActivityParticipant.objects.create(activity=activity, deputy=me)


# --- pages -------------------------------------------------------------------------------


def test_a_deputy_signs_up_on_the_phone(world: Any, client_for: Any) -> None:
    me = make_deputy(world, user=world.deputy)
    activity = make_activity(world, invitees=[me], kind=GroupActivity.Kind.THEMED, title="专题学习")
    phone = client_for("deputy")
    mine = phone.get("/deputies/activities/mine/").content.decode()
    assert "专题学习" in mine and "未报名" in mine
    page = phone.get(f"/deputies/activities/{activity.pk}/").content.decode()
    assert "报名参加" in page
    assert phone.post(f"/deputies/activities/{activity.pk}/sign-up/").status_code == 302
    page = phone.get(f"/deputies/activities/{activity.pk}/").content.decode()
    assert "已报名" in page and "取消报名" in page


def test_a_deputy_cannot_open_an_activity_they_are_not_on(world: Any, client_for: Any) -> None:
    make_deputy(world, user=world.deputy)
    activity = make_activity(world, invitees=[make_deputy(world, name="王五")])
    phone = client_for("deputy")
    assert phone.get(f"/deputies/activities/{activity.pk}/").status_code == 404
    assert phone.post(f"/deputies/activities/{activity.pk}/sign-up/").status_code == 404


def test_staff_create_and_record_attendance(world: Any, client_for: Any) -> None:
    term = make_term(world)
    a, b = make_deputy(world, name="甲"), make_deputy(world, name="乙")
    staff = client_for("staff")
    form = {
        "term": term.pk,
        "kind": "inspection",
        "title": "视察农村公路",
        "starts_at": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "禾青镇",
        "invitees": [a.pk, b.pk],
    }
    bad = staff.post("/deputies/activities/new/", {**form, "invitees": [], "place": ""})
    assert 'data-testid="form-errors"' in bad.content.decode()
    assert not GroupActivity.objects.exists()
    refused = staff.post("/deputies/activities/new/", {**form, "invitees": []})
    assert "请选择代表团（组），或邀请代表" in refused.content.decode()
    assert staff.post("/deputies/activities/new/", form).status_code == 302
    activity = GroupActivity.objects.get()
    _past(activity)
    url = f"/deputies/activities/{activity.pk}/attendance/"
    assert "登记出勤" in staff.get(url).content.decode()
    response = staff.post(
        url, {f"att_{a.pk}": "present", f"att_{b.pk}": "leave", f"note_{b.pk}": "病假"}
    )
    assert response.status_code == 302
    assert DutyRecord.objects.filter(kind="inspection", deputy=a).count() == 1
    assert DutyRecord.objects.filter(kind="activity_leave", deputy=b).count() == 1
    listing = client_for("sc_member").get("/deputies/activities/").content.decode()
    assert "视察农村公路" in listing and "已登记" in listing
