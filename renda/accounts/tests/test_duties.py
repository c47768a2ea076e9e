"""The security administrator's duties page (最小权限): office duties saved exactly as
ticked, personal grants with a reason, withdrawals; everything audited; nobody else may."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from renda.accounts.models import OfficeDuty, PersonalDuty, User
from renda.accounts.services import duties as duty_services
from renda.core.models import AuditEvent, Organization
from renda.core.roles import Duty, Role

pytestmark = pytest.mark.django_db


def _office(world: Any, code: str = "T-YGW") -> Organization:
    return Organization.objects.create(
        name="测试预算工委", code=code, kind=Organization.Kind.OFFICE, region=world.county
    )


def test_office_duties_become_exactly_what_is_ticked(world: Any, client_for: Any) -> None:
    office = _office(world)
    client = client_for("security_admin")
    page = client.get(reverse("accounts:duties")).content.decode()
    assert "测试预算工委" in page and "预算联网监督" in page
    url = reverse("accounts:office_duties", args=[office.pk])
    client.post(url, {"duty": ["budget", "livelihood"]})
    assert set(office.duties.values_list("duty", flat=True)) == {"budget", "livelihood"}
    client.post(url, {"duty": ["budget"]})
    assert set(office.duties.values_list("duty", flat=True)) == {"budget"}
    events = AuditEvent.objects.filter(action="accounts.office_duties_changed").order_by("pk")
    assert [e.details for e in events] == [
        {"granted": ["budget", "livelihood"], "withdrawn": []},
        {"granted": [], "withdrawn": ["livelihood"]},
    ]
    assert events[0].actor == world.users["security_admin"]


def test_an_unknown_duty_or_a_department_is_refused_and_nothing_written(world: Any) -> None:
    office = _office(world)
    with pytest.raises(ValidationError, match="未知的职责"):
        duty_services.set_office_duties(actor=None, organization=office, duties=["payroll"])
    with pytest.raises(ValidationError, match="办事机构和专门委员会"):
        duty_services.set_office_duties(
            actor=None, organization=world.department, duties=["budget"]
        )
    assert not OfficeDuty.objects.filter(organization__in=[office, world.department]).exists()


def test_only_the_security_administrator_assigns_duties(world: Any) -> None:
    office = _office(world)
    for persona in ("system_admin", "staff", "audit_admin"):
        with pytest.raises(PermissionDenied):
            duty_services.set_office_duties(
                actor=world.users[persona], organization=office, duties=["budget"]
            )


def test_a_personal_grant_needs_a_reason_and_a_staff_account(world: Any, client_for: Any) -> None:
    client = client_for("security_admin")
    url = reverse("accounts:personal_duty_grant")
    refused = client.post(url, {"username": "staff", "duty": "budget", "reason": " "}, follow=True)
    assert "授权理由" in refused.content.decode() and not PersonalDuty.objects.exists()
    deputy = client.post(
        url, {"username": "deputy", "duty": "budget", "reason": "借调"}, follow=True
    ).content.decode()
    assert "没有这个人大机关工作人员账号" in deputy and not PersonalDuty.objects.exists()
    client.post(url, {"username": "staff", "duty": "budget", "reason": "借调参与预算审查"})
    grant = PersonalDuty.objects.get()
    assert (grant.user.username, grant.duty, grant.granted_by) == (
        "staff",
        "budget",
        world.users["security_admin"],
    )
    again = client.post(
        url, {"username": "staff", "duty": "budget", "reason": "再授一次"}, follow=True
    )
    assert "已有这项职责" in again.content.decode() and PersonalDuty.objects.count() == 1
    page = client.get(reverse("accounts:duties")).content.decode()
    assert "借调参与预算审查" in page
    client.post(reverse("accounts:personal_duty_withdraw", args=[grant.pk]))
    assert not PersonalDuty.objects.exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="accounts.personal_duty").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["accounts.personal_duty_granted", "accounts.personal_duty_withdrawn"]


def test_duties_are_read_once_per_request(world: Any, django_assert_num_queries: Any) -> None:
    user = User.objects.get(pk=world.users["staff"].pk)
    with django_assert_num_queries(1):
        assert user.holds_duty(Duty.BUDGET) and user.holds_duty(Duty.EXAMS)
        assert not user.holds_duty("payroll")
    assert user.role == Role.STAFF
