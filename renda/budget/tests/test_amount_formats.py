"""Every amount on a budget page follows docs/architecture.md §8 (issue 14, item 9): 元 with thousands
separators and two decimals in tables and lists, 万元 with two decimals on dashboards. The
zh-hans locale has no thousands separator, so `floatformat:"2g"` printed 688323476.12."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse

from renda.budget.templatetags.dashboard_tags import grouped, wan, yuan
from renda.budget.tests.alert_data import make_alert
from renda.budget.tests.test_views import data  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

BIG = Decimal("688323476.12")
# A run of five or more digits in an amount: an amount that lost its separators.
UNGROUPED = re.compile(r"\d{5,}")


def test_the_filters_group_and_round() -> None:
    assert yuan(BIG) == "688,323,476.12"
    assert yuan(Decimal("0")) == "0.00" and yuan(None) == "—"
    assert yuan("12800.1") == "12,800.10"
    assert wan(BIG) == "68,832.35"
    assert grouped(68832.3476) == "68,832.35"


def test_alert_list_and_detail_show_amounts_with_separators(world: Any, client_for: Any) -> None:
    alert = make_alert(world, amount=BIG)
    client = client_for("staff")
    listing = client.get(reverse("budget:alerts")).content.decode()
    assert "688,323,476.12" in listing and "688323476.12" not in listing
    detail = client.get(reverse("budget:alert_detail", args=[alert.pk])).content.decode()
    assert "688,323,476.12 元" in detail and "688323476.12" not in detail
    # the rule's figures in 元 too
    assert "5,000,000.00" in detail


class _Cells(HTMLParser):
    """The text of every right-aligned table cell (where the amounts are)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = dict(attrs).get("class") or ""
        if tag == "td" and "text-end" in classes:
            self.depth = 1
            self.texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self.depth = 0

    def handle_data(self, text: str) -> None:
        if self.depth:
            self.texts[-1] += text


def test_the_alert_table_cells_have_no_ungrouped_amounts(world: Any, client_for: Any) -> None:
    make_alert(world, amount=BIG)
    make_alert(world, amount=Decimal("12345.6"))
    parser = _Cells()
    parser.feed(client_for("staff").get(reverse("budget:alerts")).content.decode())
    cells = [t.strip() for t in parser.texts if t.strip()]
    assert "688,323,476.12" in cells and "12,345.60" in cells
    assert not [c for c in cells if UNGROUPED.search(c)], cells


def test_the_overview_shows_amounts_with_separators(
    world: Any,
    data: Any,  # noqa: F811
    client_for: Any,
) -> None:
    html = client_for("staff").get(reverse("budget:home")).content.decode()
    figures = html.split('data-testid="budget-figures"')[1].split("</div>\n</div>")[0]
    assert "200,000.00" in figures and "200000.00" not in figures
