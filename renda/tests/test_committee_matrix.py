"""Least privilege inside the staff role (issue 18 item 2; 等保 访问控制: 最小权限), per
committee: a member of staff of an office that holds one duty writes in that module only,
reads across the others, and a member of staff whose office holds none writes nowhere. The
permission functions are checked for every duty, and the pages through a logged-in client.

The persona `staff` of the other matrix tests belongs to an office holding every duty."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from renda.accounts import services as account_services
from renda.accounts.models import OfficeDuty, User
from renda.accounts.services.duties import grant_personal_duty
from renda.conftest import login
from renda.core.models import Organization
from renda.core.roles import Duty, Role

pytestmark = pytest.mark.django_db

NONE = "none"  # an office with no duty at all


@pytest.fixture
def committee(world: Any) -> dict[str, User]:
    """One office per duty, each with one member of staff; and one office with none."""
    people = {}
    for n, duty in enumerate([*Duty.values, NONE]):
        office = Organization.objects.create(
            name=f"测试{duty}处",
            code=f"T-{duty}",
            kind=Organization.Kind.OFFICE,
            region=world.county,
        )
        if duty != NONE:
            OfficeDuty.objects.create(organization=office, duty=duty)
        people[duty] = account_services.create_user(
            actor=None,
            username=f"staff-{duty}",
            name=f"{duty}岗",
            role=Role.STAFF,
            organization=office,
            mobile=f"1391111{n:04d}",
            must_change_password=False,
        )
    return people


def _perm(path: str) -> Callable[[Any], bool]:
    module, name = path.rsplit(".", 1)
    function: Callable[[Any], bool] = getattr(__import__(module, fromlist=[name]), name)
    return function


# (permission function, the duty that grants it)
WRITES = [
    ("renda.budget.permissions.can_manage_rules", Duty.BUDGET),
    ("renda.budget.permissions.can_handle_alerts", Duty.BUDGET),
    ("renda.budget.permissions.can_upload_budget_data", Duty.BUDGET),
    ("renda.budget.permissions.can_view_payees", Duty.BUDGET),
    ("renda.suggestions.permissions.can_manage_duty", Duty.SUGGESTIONS),
    ("renda.suggestions.permissions.is_handler", Duty.SUGGESTIONS),
    ("renda.stations.permissions.can_manage_stations", Duty.STATIONS),
    ("renda.stations.permissions.can_manage_liaison", Duty.STATIONS),
    ("renda.meetings.permissions.can_manage_meetings", Duty.MEETINGS),
    ("renda.documents.permissions.can_manage_documents", Duty.MEETINGS),
    ("renda.exams.permissions.can_manage_bank", Duty.EXAMS),
    ("renda.exams.permissions.can_manage_sittings", Duty.EXAMS),
    ("renda.exams.permissions.can_grade", Duty.EXAMS),
    ("renda.exams.permissions.can_manage_appointments", Duty.EXAMS),
    ("renda.exams.permissions.can_manage_materials", Duty.EXAMS),
    ("renda.livelihood.permissions.can_manage_votes", Duty.LIVELIHOOD),
]
READS = [
    "renda.budget.permissions.can_view_budget_data",
    "renda.budget.permissions.can_view_alerts",
    "renda.suggestions.permissions.is_reader",
    "renda.stations.permissions.can_view_stations",
    "renda.meetings.permissions.can_view_meetings",
    "renda.livelihood.permissions.can_view_votes",
]


@pytest.mark.parametrize(("path", "duty"), WRITES)
def test_a_write_permission_follows_the_office_duty(
    committee: dict[str, User], path: str, duty: str
) -> None:
    check = _perm(path)
    holders = {d for d, user in committee.items() if check(user)}
    assert holders == {duty}, f"{path}: held by {holders}, expected only {duty}"


@pytest.mark.parametrize("path", READS)
def test_every_member_of_staff_reads_across_committees(
    committee: dict[str, User], path: str
) -> None:
    check = _perm(path)
    assert all(check(user) for user in committee.values())


# Pages: (URL name, the duty that opens it (None = every member of staff), its answer then)
PAGES = [
    ("meetings:create", Duty.MEETINGS, 200),
    ("meetings:list", None, 200),
    ("stations:create", Duty.STATIONS, 200),
    ("stations:list", None, 200),
    # with no alert ticked, the inquiry form sends its user back to the alerts
    ("budget:inquiry_create", Duty.BUDGET, 302),
    ("budget:payments", Duty.BUDGET, 200),
    ("budget:rules", None, 200),
    ("budget:alerts", None, 200),
    ("suggestions:paper_create", Duty.SUGGESTIONS, 200),
    ("suggestions:home", None, 200),
    ("documents:library", None, 200),
    # the question bank is confidential: not even read across committees
    ("exams:bank", Duty.EXAMS, 200),
    ("exams:sittings", Duty.EXAMS, 200),
    # the committee's reading of exam results: exam staff (and SC members), not other offices
    ("exams:committee_home", Duty.EXAMS, 200),
    ("livelihood:project_create", Duty.LIVELIHOOD, 200),
    ("livelihood:home", None, 200),
]


@pytest.mark.parametrize(("name", "duty", "ok"), PAGES)
def test_pages_follow_the_office_duty(
    committee: dict[str, User], name: str, duty: str | None, ok: int
) -> None:
    url = reverse(name)
    got = {d: login(_client(), user).get(url).status_code for d, user in committee.items()}
    expected = {d: ok if duty is None or d == duty else 403 for d in committee}
    assert got == expected, f"{url}: (got, expected) {got} {expected}"


def _client() -> Any:
    from django.test import Client

    return Client()


def test_the_workflow_buttons_need_the_duty(committee: dict[str, User]) -> None:
    """A transition for staff (交办, 发出询问函 …) also needs its module's duty."""
    from renda.core import workflow

    for code, duty in (("suggestion", Duty.SUGGESTIONS), ("budget_inquiry", Duty.BUDGET)):
        flow = workflow.get(code)
        staff_steps = [t for t in flow.transitions if Role.STAFF in t.roles]
        assert staff_steps and all(t.duty == duty for t in staff_steps), code


def test_a_personal_grant_adds_one_duty_to_one_account(committee: dict[str, User]) -> None:
    from renda.budget.permissions import can_manage_rules

    seconded = committee[Duty.SUGGESTIONS]
    grant_personal_duty(actor=None, user=seconded, duty=Duty.BUDGET, reason="借调参与预算审查")
    fresh = User.objects.get(pk=seconded.pk)  # the duties are read once per request/instance
    assert can_manage_rules(fresh)
    colleague = User.objects.get(pk=committee[Duty.MEETINGS].pk)
    assert not can_manage_rules(colleague)


def test_roles_other_than_staff_never_hold_a_duty(world: Any) -> None:
    """An SC member of the same office as the all-duties staff persona holds none."""
    from renda.core.roles import has_duty

    assert all(has_duty(world.users["staff"], d) for d in Duty.values)
    for persona in ("sc_member", "deputy", "security_admin", "system_admin"):
        assert not any(has_duty(world.users[persona], d) for d in Duty.values), persona
