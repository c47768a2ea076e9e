"""Each administrator's page lists their own tools only (三员)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

URL = reverse("accounts:admin_home")


def links(response: Any) -> set[str]:
    return {tool["url"] for tool in response.context["tools"]}


def test_the_system_admin_sees_account_tools_only(world: Any, client_for: Any) -> None:
    response = client_for("system_admin").get(URL)
    assert links(response) == {
        reverse("accounts:user_list"),
        reverse("accounts:user_create"),
        reverse("core:calendar"),
    }
    assert "用户管理" in response.content.decode() and "审计日志" not in response.content.decode()


def test_the_security_admin_sees_security_tools_only(world: Any, client_for: Any) -> None:
    response = client_for("security_admin").get(URL)
    assert links(response) == {
        reverse("accounts:request_list"),
        reverse("accounts:lockout_list"),
        reverse("accounts:two_factor_list"),
        reverse("accounts:duties"),
        reverse("accounts:security_settings"),
        reverse("budget:tokens"),
    }


def test_the_audit_admin_sees_the_audit_log_only(world: Any, client_for: Any) -> None:
    response = client_for("audit_admin").get(URL)
    assert links(response) == {reverse("core:audit_log")}


@pytest.mark.parametrize("persona", ["staff", "sc_member", "deputy"])
def test_other_users_have_no_admin_page(world: Any, client_for: Any, persona: str) -> None:
    assert client_for(persona).get(URL).status_code == 403


def test_every_tool_opens_for_its_own_admin(world: Any, client_for: Any) -> None:
    for persona in ("system_admin", "security_admin", "audit_admin"):
        client = client_for(persona)
        for url in links(client.get(URL)):
            assert client.get(url).status_code == 200, (persona, url)


def test_the_security_admin_finds_the_api_token_page_and_the_system_admin_the_calendar(
    world: Any, client_for: Any
) -> None:
    from django.urls import reverse

    security = client_for("security_admin").get(reverse("accounts:admin_home")).content.decode()
    system = client_for("system_admin").get(reverse("accounts:admin_home")).content.decode()
    assert reverse("budget:tokens") in security and reverse("budget:tokens") not in system
    assert reverse("core:calendar") in system
