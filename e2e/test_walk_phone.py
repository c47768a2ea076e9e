"""Issue 14, "Done means": the deputy, the handling officer and the public walk their pages on
a phone (390×844). Each page fits the screen (no sideways scrolling, no table cell squeezed
into a few characters: tables stack into one card per row, `table-stack` in renda.css), and
what it shows is read back against the site's database: the lead unit (主办) of every
suggestion, the unit's own role, the opinions assigned to the unit, the public budget's
headline figures (each on its own, not run together as "68,846.0765,803.86"). The demo data
may change; the tests read the rows they expect from the database, never fixed figures.
Screenshots land in e2e/screenshots/walk-phone-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from renda.core.demo_data import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
MONEY = re.compile(r"^\d{1,3}(,\d{3})*\.\d{2}$")

# Visible table cells with text narrower than four characters of body text (the unit desk
# used to wrap titles into four-character columns).
NARROW_CELLS = """() => {
  const em = parseFloat(getComputedStyle(document.body).fontSize);
  return [...document.querySelectorAll('main table td, main table th')]
    .filter(c => c.offsetParent !== null && c.textContent.trim())
    .map(c => ({width: Math.round(c.getBoundingClientRect().width),
                text: c.textContent.trim().slice(0, 20)}))
    .filter(c => c.width < 4 * em);
}"""
# Bootstrap's stylesheet is applied (an unstyled page "fits" any screen and proves nothing).
STYLED = "() => getComputedStyle(document.documentElement).getPropertyValue('--bs-body-font-size') !== ''"

# The suggestions' active units by code: the lead (主办, or 分办 units) and the co-units
# (协办), named as the lists name them (short name, else full name).
SUGGESTION_UNITS = """
import json
from renda.suggestions.models import Assignment
rows = {}
for a in Assignment.objects.filter(active=True).select_related("suggestion", "unit"):
    s = rows.setdefault(a.suggestion.code or f"#{a.suggestion_id}",
                        {"pk": a.suggestion_id, "lead": [], "co": [], "units": {}})
    label = a.unit.short_name or a.unit.name
    s["co" if a.role == "co" else "lead"].append(label)
    s["units"][str(a.unit_id)] = a.get_role_display()
print(json.dumps(rows))
"""


@pytest.fixture(scope="module")
def units(site: Any) -> dict[str, dict[str, Any]]:
    return dict(site.read(SUGGESTION_UNITS))


@pytest.fixture
def login_phone(site: Any, browser: Any) -> Iterator[Any]:
    contexts = []

    def open_page(username: str | None) -> Any:
        context = browser.new_context(
            locale="zh-CN", viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True
        )
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        if username:
            page.goto(site.url + "/accounts/login/")
            page.locator("input[name=username]").fill(username)
            page.locator("input[name=password]").fill(DEMO_PASSWORD)
            page.locator("form button[type=submit]").click()
            page.wait_for_load_state()
            assert "/accounts/login/" not in page.url, f"{username} 未能登录"
        return page

    yield open_page
    for context in contexts:
        context.close()


def walk(page: Any, url: str, name: str, save_screenshot: Any, *, status: int = 200) -> None:
    """Open `url` and check that it reads on the phone; save its screenshot."""
    response = page.goto(url)
    assert response is not None and response.status == status, url
    check_fits(page, name, save_screenshot)


def check_fits(page: Any, name: str, save_screenshot: Any) -> None:
    save_screenshot(page, f"walk-phone-{name}")
    assert page.evaluate(STYLED), f"{page.url}: 样式表没有加载"
    width = int(page.evaluate("document.documentElement.scrollWidth"))
    assert width <= PHONE["width"], f"{page.url}: 页面宽 {width}px，需要左右滑动"
    assert page.evaluate(NARROW_CELLS) == [], page.url
    for table in page.locator("main table.table-stack").all():
        # Stacked: the header row is hidden, every row is a card as wide as the table.
        assert not table.locator("thead").is_visible(), page.url


def shown_units(row: Any) -> tuple[set[str], set[str]]:
    lead = row.get_by_test_id("lead-units")
    co = row.get_by_test_id("co-units")
    return (
        set(lead.inner_text().split("、")) if lead.count() else set(),
        set(co.inner_text().split("、")) if co.count() else set(),
    )


def test_the_deputy_walks_their_pages_on_a_phone(
    site: Any, login_phone: Any, save_screenshot: Any, units: dict[str, Any]
) -> None:
    mine = site.read(
        "import json\n"
        "from django.db.models import Q\n"
        "from renda.deputies.models import Deputy\n"
        "from renda.suggestions.models import Suggestion\n"
        "d = Deputy.objects.get(user__username='deputy')\n"
        "qs = Suggestion.objects.filter(Q(lead_deputy=d) | Q(signatures__deputy=d)).distinct()\n"
        "print(json.dumps({'name': d.name, 'pks': sorted(qs.values_list('pk', flat=True))}))\n"
    )
    page = login_phone("deputy")
    walk(page, site.url + "/suggestions/me/", "deputy-home", save_screenshot)
    assert mine["name"] in page.locator("h1").inner_text()
    links = page.get_by_test_id("my-suggestions").locator("a").all()
    shown = {int(a.get_attribute("href").rstrip("/").rsplit("/", 1)[1]) for a in links}
    assert shown and shown <= set(mine["pks"]), "“我的建议”里出现了别人的建议"
    by_pk = {v["pk"]: v for v in units.values()}
    checked = 0
    for link in links:
        pk = int(link.get_attribute("href").rstrip("/").rsplit("/", 1)[1])
        if pk in by_pk and by_pk[pk]["lead"]:
            assert shown_units(link)[0] == set(by_pk[pk]["lead"]), pk
            checked += 1
    assert checked, "没有一条已交办的建议可以核对主办单位"

    # One of the deputy's assigned suggestions: the detail names the lead unit.
    pk = next(pk for pk in shown if pk in by_pk and by_pk[pk]["lead"])
    walk(page, f"{site.url}/suggestions/{pk}/", "deputy-suggestion", save_screenshot)
    assert "主办" in page.locator("main").inner_text()

    walk(page, site.url + "/suggestions/duty/me/", "deputy-duty", save_screenshot)
    walk(page, site.url + "/deputies/me/", "deputy-record", save_screenshot)
    walk(page, site.url + "/stations/me/", "deputy-station-duties", save_screenshot)
    assert page.get_by_test_id("duty-progress").is_visible()
    walk(page, site.url + "/suggestions/new/", "deputy-new-suggestion", save_screenshot)
    walk(page, site.url + "/budget/alerts/offered/", "deputy-offered-alerts", save_screenshot)
    # Issue 15's pages: the 待办 list, meetings, documents, 双联, 述职 and group activities.
    walk(page, site.url + "/workbench/", "deputy-workbench", save_screenshot)
    walk(page, site.url + "/meetings/mine/", "deputy-meetings", save_screenshot)
    walk(page, site.url + "/documents/mine/", "deputy-documents", save_screenshot)
    walk(page, site.url + "/stations/liaison/mine/", "deputy-liaison", save_screenshot)
    walk(page, site.url + "/deputies/reporting/mine/", "deputy-reporting", save_screenshot)
    walk(page, site.url + "/deputies/activities/mine/", "deputy-activities", save_screenshot)


def test_the_handling_officer_walks_the_unit_desk_on_a_phone(
    site: Any, login_phone: Any, save_screenshot: Any, units: dict[str, Any]
) -> None:
    unit = site.read(
        "import json\n"
        "from renda.accounts.models import User\n"
        "from renda.stations.models import Opinion\n"
        "u = User.objects.get(username='handling_officer')\n"
        "ops = Opinion.objects.filter(unit_id=u.organization_id).order_by('-created_at', '-id')\n"
        "print(json.dumps({'id': u.organization_id, 'name': u.organization.name,\n"
        "    'opinions': [o.number for o in ops[:50]], 'opinion_count': ops.count()}))\n"
    )
    mine = {code: v for code, v in units.items() if str(unit["id"]) in v["units"]}
    page = login_phone("handling_officer")
    walk(page, site.url + "/suggestions/unit/", "officer-unit-desk", save_screenshot)
    assert unit["name"] in page.locator("h1").inner_text()
    rows = page.locator("[data-testid=suggestion-list] tbody tr[data-code]").all()
    assert rows, "本单位承办建议列表是空的"
    codes = {row.get_attribute("data-code") for row in rows}
    assert codes == set(mine) if len(mine) <= 30 else codes <= set(mine)
    for row in rows:
        expected = mine[row.get_attribute("data-code")]
        lead, co = shown_units(row)
        assert lead == set(expected["lead"]), row.get_attribute("data-code")
        assert co == set(expected["co"]), row.get_attribute("data-code")
        assert row.get_by_test_id("my-role").inner_text() == expected["units"][str(unit["id"])]
        # The title reads as a line, not as a four-character column.
        title = row.locator("td.stack-title")
        assert title.bounding_box()["width"] > PHONE["width"] * 0.7

    rows[0].locator("td.stack-title a").click()
    page.wait_for_load_state()
    check_fits(page, "officer-suggestion", save_screenshot)
    assert unit["name"] in page.locator("main").inner_text()

    walk(page, site.url + "/stations/opinions/", "officer-opinions", save_screenshot)
    numbers = page.get_by_test_id("opinion-table").locator("tbody a").all_inner_texts()
    assert numbers == unit["opinions"][: len(numbers)] and len(numbers) == min(
        50, unit["opinion_count"]
    )
    if numbers:
        page.get_by_test_id("opinion-table").locator("tbody a").first.click()
        page.wait_for_load_state()
        check_fits(page, "officer-opinion", save_screenshot)
        assert numbers[0] in page.locator("h1").inner_text()


PUBLIC_BUDGET = """
import json
from django.db.models import Sum
from renda.budget.models import Payment
from renda.budget.selectors.data import available_years
year = available_years()[0]
paid = Payment.objects.filter(year=year, is_void=False).aggregate(s=Sum("amount"))["s"]
print(json.dumps({"year": year, "paid": str(paid)}))
"""


def wan(text: str) -> Decimal:
    assert MONEY.match(text), f"金额 {text!r} 不是带千分位、两位小数的万元数"
    return Decimal(text.replace(",", ""))


def check_budget_headline(page: Any, paid_yuan: Decimal) -> None:
    """The two headline figures are apart, each a separated 万元 amount, and the spending
    agrees with the year's treasury payments in the database."""
    available = page.get_by_test_id("total-available")
    paid = page.get_by_test_id("total-paid")
    a, p = available.bounding_box(), paid.bounding_box()
    apart = a["y"] + a["height"] <= p["y"] or a["x"] + a["width"] + 8 <= p["x"]
    assert apart, "预算数和已支出数挤在一起"
    assert wan(available.inner_text()) > 0
    assert wan(paid.inner_text()) == (paid_yuan / 10000).quantize(Decimal("0.01"))
    totals = page.get_by_test_id("public-totals").inner_text()
    assert available.inner_text() + paid.inner_text() not in totals.replace("\n", "")


def test_the_public_walks_the_portal_on_a_phone(
    site: Any, login_phone: Any, save_screenshot: Any, units: dict[str, Any]
) -> None:
    budget = site.read(PUBLIC_BUDGET)
    published = site.read(
        "import json\n"
        "from renda.suggestions.models import Suggestion\n"
        "qs = Suggestion.objects.filter(published_at__isnull=False)\n"
        "print(json.dumps(sorted(c for c in qs.values_list('code', flat=True))))\n"
    )
    opinion = site.read(
        "import json\n"
        "from renda.stations.models import Opinion\n"
        "o = Opinion.objects.exclude(unit=None).order_by('id').first()\n"
        "print(json.dumps({'code': o.tracking_code, 'state': o.get_state_display()}))\n"
    )
    page = login_phone(None)
    walk(page, site.url + "/", "public-home", save_screenshot)

    walk(page, site.url + "/portal/budget/", "public-budget", save_screenshot)
    assert f"{budget['year']}年" in page.locator("h1").inner_text()
    check_budget_headline(page, Decimal(budget["paid"]))
    classes = page.get_by_test_id("public-classes")
    total = classes.locator("tbody tr").last
    assert total.locator("td").nth(2).inner_text() == page.get_by_test_id("total-paid").inner_text()

    walk(page, site.url + "/suggestions/public/", "public-suggestions", save_screenshot)
    items = page.get_by_test_id("public-suggestions").locator("a[data-code]").all()
    assert items and {i.get_attribute("data-code") for i in items} <= set(published)
    for item in items:
        code = item.get_attribute("data-code")
        lead, co = shown_units(item)
        assert lead == set(units[code]["lead"]), code
        assert co == set(units[code]["co"]), code
    items[0].click()
    page.wait_for_load_state()
    check_fits(page, "public-suggestion", save_screenshot)

    walk(page, site.url + "/portal/deputies/", "public-deputies", save_screenshot)
    page.get_by_test_id("public-deputies").locator("a").first.click()
    page.wait_for_load_state()
    check_fits(page, "public-deputy", save_screenshot)

    walk(page, site.url + "/stations/public/", "public-stations", save_screenshot)
    page.locator("main a.list-group-item[href^='/stations/public/']").first.click()
    page.wait_for_load_state()
    check_fits(page, "public-station", save_screenshot)
    walk(page, site.url + "/stations/public/opinion/", "public-opinion-form", save_screenshot)

    # The opinion tracking page: the code from the database finds the opinion and its state.
    walk(page, site.url + "/stations/public/track/", "public-track", save_screenshot)
    page.locator("main input[name=code]").fill(opinion["code"])
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    check_fits(page, "public-track-detail", save_screenshot)
    assert opinion["state"] in page.locator("main").inner_text()

    walk(page, site.url + "/no-such-page/", "public-404", save_screenshot, status=404)
    assert "页面不存在" in page.locator("main").inner_text()
