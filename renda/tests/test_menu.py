"""The top bar follows the role (issue: a deputy or handling officer clicking 预算联网监督 got
403, the staff suggestion desk was missing, the public saw staff modules and unbuilt ones).
Every link of every role's menu is opened by that role and must answer."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from renda.core.navigation import modules_for
from renda.core.tests.personas import PERSONAS

EXPECTED = {
    "anonymous": ["人大之家"],
    "staff": [
        "预算联网监督",
        "任前法律考试",
        "代表工作站点",
        "双联",
        "代表履职服务",
        "述职与活动",
        "建议办理",
        "会议",
        "知情知政",
        "民生实事票决",
        "年度报告",
        "人大之家",
    ],
    "sc_member": [
        "预算联网监督",
        "任前法律考试",
        "代表工作站点",
        "双联",
        "代表履职服务",
        "述职与活动",
        "建议办理",
        "会议",
        "知情知政",
        "民生实事票决",
        "年度报告",
        "人大之家",
    ],
    "deputy": [
        "代表工作站点",
        "双联",
        "代表履职服务",
        "述职与活动",
        "会议",
        "知情知政",
        "民生实事票决",
        "人大之家",
    ],
    "handling_officer": ["代表工作站点", "代表履职服务", "民生实事票决", "人大之家"],
    "data_provider": ["预算联网监督", "人大之家"],
    "nominee": ["任前法律考试", "人大之家"],
    "system_admin": ["人大之家"],
    "security_admin": ["人大之家"],
    "audit_admin": ["人大之家"],
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_sees_the_modules_it_may_open_and_each_link_opens(
    persona: str, world: Any, client_for: Any
) -> None:
    if persona == "deputy":
        # A deputy's account is linked to their record in the registry.
        from renda.deputies.tests.factories import make_deputy

        make_deputy(world, user=world.deputy)
    client: Client = client_for(persona)
    user = world.users.get(persona)
    items = modules_for(user)
    assert [m["title"] for m in items] == EXPECTED[persona]
    for item in items:
        response = client.get(item["url"], follow=True)
        assert response.status_code == 200, (persona, item["url"])
    if persona != "anonymous":
        html = client.get("/workbench/").content.decode()
        assert all(m["title"] in html for m in items)
