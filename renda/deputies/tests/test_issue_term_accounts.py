"""Every deputy of a term on a phone in one action (issue 15 item 4): accounts for all
deputies without one, linked to their records, no password (they log in with the mobile
number on record and a text-message code), one text each; run twice, nothing twice; a deputy
without a valid mobile number is listed, not skipped silently."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from renda.accounts.models import User
from renda.accounts.services import sms_login
from renda.core.models import AuditEvent
from renda.core.notifications import ConsoleSMSBackend
from renda.core.roles import Role
from renda.deputies.models import Deputy
from renda.deputies.services import issue_term_accounts

from .factories import make_deputy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_sms() -> Any:
    ConsoleSMSBackend.sent.clear()
    yield
    ConsoleSMSBackend.sent.clear()


def _term_of_five(world: Any) -> list[Deputy]:
    deputies = [
        make_deputy(world, name="甲代表", mobile="13907380001"),
        make_deputy(world, name="乙代表", mobile="13907380002"),
        make_deputy(world, name="丙代表", mobile=""),
        make_deputy(world, name="丁代表", mobile="13907380004"),
        make_deputy(world, name="戊代表", mobile="13907380005", user=world.deputy),
    ]
    # A landline from a record kept before the registry checked numbers (the form refuses it).
    Deputy.objects.filter(pk=deputies[3].pk).update(mobile="0738-8221234")
    deputies[3].refresh_from_db()
    return deputies


def test_one_action_opens_linked_password_less_accounts_and_texts_each_deputy(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first, second, no_mobile, landline, linked = _term_of_five(world)
    with django_capture_on_commit_callbacks(execute=True):
        result = issue_term_accounts(actor=world.staff, term=first.term)
    assert {d.name for d in result.created} == {"甲代表", "乙代表"}
    assert result.already == 1
    assert sorted((d.name, why) for d, why in result.refused) == [
        ("丁代表", "手机号格式不正确"),
        ("丙代表", "未登记手机号"),
    ]
    for deputy in (first, second):
        deputy.refresh_from_db()
        user = User.objects.get(pk=deputy.user_id)
        assert user.role == Role.DEPUTY and user.mobile == deputy.mobile
        assert not user.has_usable_password() and not user.must_change_password
    assert sorted(m for m, _ in ConsoleSMSBackend.sent) == ["13907380001", "13907380002"]
    assert all("短信验证码登录" in text for _, text in ConsoleSMSBackend.sent)
    summary = AuditEvent.objects.get(action="deputy.accounts_issue")
    assert summary.details == {"created": 2, "already": 1, "refused": 2}
    assert AuditEvent.objects.filter(action="deputy.account_create").count() == 2


def test_run_twice_it_opens_nothing_twice(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    deputies = _term_of_five(world)
    with django_capture_on_commit_callbacks(execute=True):
        issue_term_accounts(actor=world.staff, term=deputies[0].term)
    users = User.objects.count()
    ConsoleSMSBackend.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = issue_term_accounts(actor=world.staff, term=deputies[0].term)
    assert again.created == [] and again.already == 3 and len(again.refused) == 2
    assert User.objects.count() == users and list(ConsoleSMSBackend.sent) == []


def test_a_number_another_account_uses_is_listed_and_the_rest_still_open(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ok = make_deputy(world, name="甲代表", mobile="13907380001")
    User.objects.filter(pk=world.handling_officer.pk).update(mobile="13907380009")
    world.handling_officer.refresh_from_db()
    world.handling_officer.save()  # the blind index of the number
    clash = make_deputy(world, name="乙代表", mobile="13907380009")
    with django_capture_on_commit_callbacks(execute=True):
        result = issue_term_accounts(actor=world.staff, term=ok.term)
    assert [d.name for d in result.created] == ["甲代表"]
    assert [(d.name, why) for d, why in result.refused] == [
        ("乙代表", "该手机号已被其他账号使用。")
    ]
    clash.refresh_from_db()
    assert clash.user_id is None


def test_the_new_account_logs_in_with_the_number_and_a_text_code(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    deputy = make_deputy(world, name="甲代表", mobile="13907380001")
    with django_capture_on_commit_callbacks(execute=True):
        issue_term_accounts(actor=world.staff, term=deputy.term)
        sms_login.request_code(mobile="13907380001", ip="10.1.1.1")
    text = next(t for _, t in reversed(ConsoleSMSBackend.sent) if "登录验证码为" in t)
    digits = text.split("登录验证码为")[1][:6]
    user = sms_login.verify_code(mobile="13907380001", code=digits, ip="10.1.1.1")
    deputy.refresh_from_db()
    assert user.pk == deputy.user_id


def test_only_staff_may_issue(world: Any) -> None:
    from django.core.exceptions import PermissionDenied

    deputy = make_deputy(world)
    for actor in (world.sc_member, world.system_admin, world.deputy):
        with pytest.raises(PermissionDenied):
            issue_term_accounts(actor=actor, term=deputy.term)


def test_the_page_shows_who_will_and_who_cannot_get_an_account_then_issues(
    world: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    deputies = _term_of_five(world)
    staff = client_for("staff")
    url = reverse("deputies:accounts_issue") + f"?term={deputies[0].term_id}"
    page = staff.get(url).content.decode()
    assert 'data-testid="to-open">2<' in page and 'data-testid="cannot-count">2<' in page
    assert "丙代表" in page and "未登记手机号" in page and "手机号格式不正确" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("deputies:accounts_issue"), {"term": deputies[0].term_id}, follow=True
        )
    body = response.content.decode()
    assert "已开通 2 个账号" in body and 'data-testid="to-open">0<' in body
    assert len(ConsoleSMSBackend.sent) == 2
