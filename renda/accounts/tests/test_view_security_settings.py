"""The security administrator's read-only page of the security settings in force."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

URL = reverse("accounts:security_settings")


def test_it_shows_the_settings_in_force(world: Any, client_for: Any) -> None:
    response = client_for("security_admin").get(URL)
    html = response.content.decode()
    for text in [
        "8 个字符",
        "至少 3 类",
        "每 90 天须更换",
        "连续失败 5 次",
        "30 分钟",
        "12 小时",
        "pbkdf2_sm3（迭代 600000 次）",
        "人大机关工作人员、常委会组成人员、系统管理员、安全管理员、审计管理员",
    ]:
        assert text in html, text


def test_it_follows_the_configuration(world: Any, client_for: Any, settings: Any) -> None:
    settings.PASSWORD_MAX_AGE_DAYS = 0
    settings.SESSION_COOKIE_AGE = 900
    html = client_for("security_admin").get(URL).content.decode()
    assert "15 分钟" in html and "每 90 天" not in html


def test_it_has_no_form(world: Any, client_for: Any) -> None:
    html = client_for("security_admin").get(URL).content.decode()
    assert "<form" not in html.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("persona", ["system_admin", "audit_admin", "staff"])
def test_only_the_security_admin_sees_it(world: Any, client_for: Any, persona: str) -> None:
    assert client_for(persona).get(URL).status_code == 403
