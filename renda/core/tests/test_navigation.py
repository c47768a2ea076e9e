"""The top bar's groups: every module in exactly one group, and each role's bar holds the
same modules as its menu, grouped, with one-module groups as plain links."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from renda.core.navigation import GROUPS, MODULES, modules_for, nav_groups

pytestmark = pytest.mark.django_db


def test_every_module_is_in_exactly_one_group() -> None:
    grouped = [slug for _title, _icon, slugs in GROUPS for slug in slugs]
    assert sorted(grouped) == sorted(m.slug for m in MODULES)


@pytest.mark.parametrize("persona", ["staff", "deputy", "handling_officer", "nominee"])
def test_the_bar_holds_the_roles_modules_grouped(world: Any, persona: str) -> None:
    user = getattr(world, persona)
    flat = [item["slug"] for g in nav_groups(user) for item in g["items"]]
    assert flat == [
        slug
        for _t, _i, slugs in GROUPS
        for slug in slugs
        if slug in {m["slug"] for m in modules_for(user)}
    ]
    assert sorted(flat) == sorted(m["slug"] for m in modules_for(user))


def test_a_staff_page_shows_dropdowns_and_plain_links(client_for: Any) -> None:
    html = client_for("staff").get(reverse("core:workbench")).content.decode()
    nav = html.split('id="topnav"', 1)[1].split("</nav>", 1)[0]
    assert nav.count('class="nav-link dropdown-toggle"') >= 3  # 监督, 代表工作, 会议 + the user
    assert "预算联网监督" in nav and "年度报告" in nav
