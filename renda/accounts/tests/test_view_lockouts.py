"""The security administrator's lock-out page and its 解锁 button."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from renda.core.models import AuditEvent

from .support import logged_in_user_id, post_login


def lock(username: str, ip: str = "10.0.0.1") -> None:
    client = Client(REMOTE_ADDR=ip)
    for _ in range(5):
        post_login(client, username, "Wrong-Pass-1")


def test_it_lists_locked_accounts_with_their_names(world: Any, client_for: Any) -> None:
    lock("deputy")
    post_login(Client(), "staff", "Wrong-Pass-1")  # one failure: listed, not locked
    response = client_for("security_admin").get(reverse("accounts:lockout_list"))
    assert response.status_code == 200
    rows = {row.username: row for row in response.context["page"]}
    assert (
        rows["deputy"].locked
        and rows["deputy"].failures == 5
        and rows["deputy"].name == "测试deputy"
    )
    assert not rows["staff"].locked
    html = response.content.decode()
    assert "已锁定" in html and "解锁" in html


def test_it_can_show_only_locked_accounts(world: Any, client_for: Any) -> None:
    lock("deputy")
    post_login(Client(), "staff", "Wrong-Pass-1")
    response = client_for("security_admin").get(reverse("accounts:lockout_list"), {"locked": "1"})
    assert [row.username for row in response.context["page"]] == ["deputy"]


def test_unlocking_lets_the_user_log_in_again_and_is_audited(world: Any, client_for: Any) -> None:
    lock("deputy")
    assert post_login(Client(REMOTE_ADDR="10.0.0.1"), "deputy").status_code == 403
    response = client_for("security_admin").post(
        reverse("accounts:unlock"), {"username": "deputy"}, follow=True
    )
    assert "已解锁账号 deputy" in response.content.decode()
    assert not AccessAttempt.objects.filter(username="deputy").exists()
    event = AuditEvent.objects.get(action="auth.unlock")
    assert event.actor == world.security_admin and event.target_repr == "测试deputy"
    # Changed (issue 13 item 6): one record now; the locked attempt above comes from the
    # locked address (10.0.0.1), since another address is not locked any more (it was 2).
    assert event.details == {"username": "deputy", "attempts_removed": 1}
    client = Client(REMOTE_ADDR="10.0.0.1")
    assert post_login(client, "deputy").status_code == 302
    assert logged_in_user_id(client) == str(world.deputy.pk)


@pytest.mark.parametrize("persona", ["system_admin", "audit_admin", "staff", "deputy"])
def test_only_the_security_admin_can_see_or_unlock(
    world: Any, client_for: Any, persona: str
) -> None:
    lock("nominee")  # not the persona itself: logging a persona in clears its own failures
    client = client_for(persona)
    assert client.get(reverse("accounts:lockout_list")).status_code == 403
    assert client.post(reverse("accounts:unlock"), {"username": "nominee"}).status_code == 403
    assert AccessAttempt.objects.filter(username="nominee").exists()
    assert not AuditEvent.objects.filter(action="auth.unlock").exists()
    assert post_login(Client(REMOTE_ADDR="10.0.0.1"), "nominee").status_code == 403


def test_unlocking_an_account_without_failures_says_so(world: Any, client_for: Any) -> None:
    response = client_for("security_admin").post(
        reverse("accounts:unlock"), {"username": "staff"}, follow=True
    )
    assert "没有登录失败记录，无需解锁" in response.content.decode()


def test_an_empty_unlock_request_is_refused(world: Any, client_for: Any) -> None:
    response = client_for("security_admin").post(
        reverse("accounts:unlock"), {"username": ""}, follow=True
    )
    assert "请指定要解锁的账号。" in response.content.decode()
    assert not AuditEvent.objects.filter(action="auth.unlock").exists()


def test_the_list_reads_a_bounded_number_of_queries(
    world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        AccessAttempt.objects.create(
            username=f"guess{i}",
            ip_address=f"10.0.1.{i}",
            user_agent="x",
            http_accept="*/*",
            path_info="/accounts/login/",
            get_data="",
            post_data="",
            failures_since_start=5,
        )
    client = client_for("security_admin")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:lockout_list"))
    assert len(response.context["page"]) == 30


def test_the_page_counts_a_names_failures_across_addresses(world: Any, client_for: Any) -> None:
    """The username-wide signal: failures from many addresses, none of them locked, add up."""
    for n in range(4):
        client = Client(REMOTE_ADDR=f"10.0.2.{n}")
        for _ in range(3):
            post_login(client, "staff", "Wrong-Pass-1")
    lock("deputy", "10.0.3.1")
    response = client_for("security_admin").get(reverse("accounts:lockout_list"))
    rows = {row.username: row for row in response.context["page"]}
    assert rows["staff"].failures == 12 and rows["staff"].ip_count == 4
    assert not rows["staff"].locked
    assert rows["deputy"].locked and rows["deputy"].locked_ips == 1
    assert 'data-testid="many-addresses"' in response.content.decode()
