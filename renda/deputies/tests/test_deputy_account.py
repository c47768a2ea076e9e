"""Staff open a deputy's log-in account from the deputy's record in one step: created with the
role deputy, linked to the record, audited; the initial password goes by SMS to the deputy's own
mobile and is shown to nobody (not on the page, not in a message, not in the audit log)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from renda.accounts.models import User
from renda.core.models import AuditEvent
from renda.core.notifications import ConsoleSMSBackend
from renda.core.roles import Role
from renda.deputies.models import Deputy

from .factories import make_deputy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_sms() -> Any:
    ConsoleSMSBackend.sent.clear()
    yield
    ConsoleSMSBackend.sent.clear()


def test_staff_open_and_link_the_account_and_the_password_goes_only_by_sms(
    world: Any, client_for: Any, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    deputy = make_deputy(world, name="李秀英", mobile="13907381234")
    staff = client_for("staff")
    page = staff.get(reverse("deputies:detail", args=[deputy.pk])).content.decode()
    assert 'data-testid="create-account"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("deputies:account_create", args=[deputy.pk]), follow=True)
    deputy.refresh_from_db()
    user = User.objects.get(pk=deputy.user_id)
    assert user.role == Role.DEPUTY and user.name == "李秀英" and user.must_change_password
    assert user.mobile == "13907381234"
    [(mobile, text)] = ConsoleSMSBackend.sent
    assert mobile == "13907381234" and user.username in text
    password = text.split("初始口令：")[1].split("。")[0]
    assert user.check_password(password)
    # Nobody but the deputy learns it: not the page staff see, not the audit log.
    assert password not in response.content.decode()
    event = AuditEvent.objects.get(action="deputy.account_create")
    assert password not in str(event.details) and event.target_id == str(deputy.pk)
    assert 'data-testid="create-account"' not in response.content.decode()
    # The deputy no longer sees "尚未关联".
    User.objects.filter(pk=user.pk).update(must_change_password=False)  # changed at first log in
    client.force_login(user)
    me = client.get(reverse("deputies:me"))
    assert me.status_code == 200 and "尚未关联" not in me.content.decode()


def test_a_linked_or_unreachable_deputy_gets_no_second_account(world: Any, client_for: Any) -> None:
    linked = make_deputy(world, user=world.deputy)
    no_mobile = make_deputy(world, name="王五", mobile="")
    staff = client_for("staff")
    for deputy, reason in ((linked, "已关联登录账号"), (no_mobile, "没有登记手机号")):
        response = staff.post(reverse("deputies:account_create", args=[deputy.pk]), follow=True)
        assert reason in response.content.decode()
    assert Deputy.objects.get(pk=no_mobile.pk).user_id is None
    assert not ConsoleSMSBackend.sent
    assert User.objects.filter(role=Role.DEPUTY).count() == 1


def test_sc_members_cannot_open_accounts(world: Any, client_for: Any) -> None:
    deputy = make_deputy(world)
    response = client_for("sc_member").post(reverse("deputies:account_create", args=[deputy.pk]))
    assert response.status_code == 403
    assert Deputy.objects.get(pk=deputy.pk).user_id is None
