"""Shared test fixtures: named personas (docs/architecture.md §4.8), one per role, created through services.

`login(client, user)` logs a persona in; for staff and administrators it also completes the
TOTP step, as a real log in would, so that tests reach the page behind the security gate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from hypothesis import settings as hypothesis_settings

from renda.accounts import services as account_services
from renda.accounts.models import EncryptedTOTPDevice as TOTPDevice
from renda.accounts.models import OfficeDuty, User
from renda.core.models import Organization, Region
from renda.core.roles import Duty, Role
from renda.core.tests.personas import PERSONA_ROLES

PASSWORD = "Renda-Test-2026!"

# Machines here are shared and noisy: a per-example time limit would make property tests flaky.
hypothesis_settings.register_profile("renda", deadline=None)
hypothesis_settings.load_profile("renda")


@dataclass
class World:
    county: Region
    township: Region
    other_township: Region
    congress: Organization
    office: Organization
    department: Organization
    finance: Organization
    users: dict[str, User]

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def make_regions() -> tuple[Region, Region, Region]:
    county = Region.objects.create(code="431381", name="冷水江市", level=Region.Level.COUNTY)
    township = Region.objects.create(
        code="431381001", name="冷水江街道", level=Region.Level.SUBDISTRICT, parent=county
    )
    other = Region.objects.create(
        code="431381100", name="禾青镇", level=Region.Level.TOWNSHIP, parent=county
    )
    return county, township, other


def confirm_totp(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    if user.is_strict:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or confirm_totp(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def world(db: Any) -> World:
    county, township, other = make_regions()
    congress = Organization.objects.create(
        name="冷水江市人民代表大会", code="RD", kind=Organization.Kind.CONGRESS, region=county
    )
    office = Organization.objects.create(
        name="冷水江市人大常委会办公室", code="RD-BGS", kind=Organization.Kind.OFFICE, region=county
    )
    department = Organization.objects.create(
        name="冷水江市住房和城乡建设局",
        code="ZJJ",
        kind=Organization.Kind.GOVERNMENT_DEPARTMENT,
        region=county,
        is_handling_unit=True,
    )
    finance = Organization.objects.create(
        name="冷水江市财政局", code="CZJ", kind=Organization.Kind.DATA_PROVIDER, region=county
    )
    # The test office holds every duty, so `staff` stands for staff of any committee; the
    # committee matrix (renda/tests/test_committee_matrix.py) tests offices with one duty.
    OfficeDuty.objects.bulk_create(OfficeDuty(organization=office, duty=d) for d in Duty.values)
    orgs: dict[str, Organization] = {
        Role.STAFF: office,
        Role.SC_MEMBER: office,
        Role.HANDLING_OFFICER: department,
        Role.DATA_PROVIDER: finance,
    }
    users: dict[str, User] = {}
    for index, (persona, role) in enumerate(PERSONA_ROLES.items()):
        users[persona] = account_services.create_user(
            actor=None,
            username=persona,
            name=f"测试{persona}",
            role=role,
            password=PASSWORD,
            organization=orgs.get(role),
            mobile=f"1380000{index:04d}",
            must_change_password=False,
        )
        if users[persona].is_strict:
            confirm_totp(users[persona])
    return World(county, township, other, congress, office, department, finance, users)


@pytest.fixture
def client_for(world: World) -> Any:
    """`client_for("staff")` → a logged-in test client for that persona (anonymous for public)."""

    def make(persona: str) -> Client:
        client = Client()
        if persona == "anonymous":
            return client
        return login(client, world.users[persona])

    return make


@pytest.fixture
def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
