from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django_otp.oath import totp

from renda.accounts.models import EncryptedTOTPDevice as TOTPDevice
from renda.accounts.models import User
from renda.core import demo_data
from renda.core.models import AuditEvent, Organization, Region
from renda.core.roles import STRICT_ROLES, Role
from renda.deputies.models import Delegation, Deputy, Membership, Term
from renda.lib.idcard import id_number_problem
from renda.stations.members import station_of
from renda.stations.models import Station

pytestmark = pytest.mark.django_db


def seed(**kwargs: Any) -> str:
    """The registry only, unless asked: module demo years are slow and tested by their apps."""
    kwargs.setdefault("registry_only", True)
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture
def debug_on(settings: Any) -> None:
    settings.DEBUG = True


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Region,
            Organization,
            Term,
            Delegation,
            Station,
            Deputy,
            Membership,
            User,
            TOTPDevice,
            AuditEvent,
        )
    }


def test_it_loads_lengshuijiang_at_its_real_scale(debug_on: None) -> None:
    seed()
    townships = Region.objects.filter(level__in=["township", "subdistrict"], parent__code="431381")
    assert townships.count() == 10
    assert set(townships.values_list("name", flat=True)) >= {
        "冷水江街道",
        "锡矿山街道",
        "禾青镇",
        "中连乡",
    }
    assert Station.objects.count() == 20
    assert set(
        Station.objects.values_list("kind", flat=True)
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    ) == {("station", 10), ("point", 10)}
    assert Organization.objects.filter(kind="special_committee").count() == 7
    assert Organization.objects.filter(kind="township_congress").count() == 10
    assert 38 <= Organization.objects.filter(is_handling_unit=True).count() <= 42
    assert Deputy.objects.filter(term__level="city").count() == 205
    assert Deputy.objects.filter(term__level="township").count() == 392
    assert User.objects.filter(role=Role.STAFF).count() >= 25


def test_it_gives_deputies_valid_distinct_personal_data(debug_on: None) -> None:
    seed()
    deputies = list(Deputy.objects.all())
    assert all(id_number_problem(d.id_number) is None for d in deputies)
    assert all(1955 <= d.birth_date.year <= 1995 for d in deputies)
    assert len({d.id_number for d in deputies}) == len(deputies)
    assert len({d.name for d in deputies}) == len(deputies)
    stations = [station_of(d) for d in deputies]
    assert all(
        d.delegation and s and d.region == s.region for d, s in zip(deputies, stations, strict=True)
    )
    assert all(len(d.mobile) == 11 for d in deputies)


def test_it_creates_one_working_demo_account_per_role(debug_on: None) -> None:
    seed()
    for account in demo_data.DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password(demo_data.DEMO_PASSWORD) and user.role == account.role
        assert not user.needs_password_change
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if user.role in STRICT_ROLES:
            assert device is not None and device.key == demo_data.DEMO_TOTP_KEY_HEX
        else:
            assert device is None
    assert Deputy.objects.get(user__username="deputy").term.level == "city"
    assert {a.role for a in demo_data.DEMO_ACCOUNTS} == set(Role.values)


def test_it_changes_nothing_when_run_twice(debug_on: None) -> None:
    # With every module's demo year: each loader must be idempotent too.
    seed(registry_only=False)
    before = counts()
    output = seed(registry_only=False)
    assert counts() == before
    assert "没有新建任何记录" in output


def test_it_refuses_when_debug_is_off(settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        seed()
    assert Region.objects.count() == 0 and User.objects.count() == 0


def test_demo_totp_prints_the_code_the_device_accepts(debug_on: None) -> None:
    seed()
    out = io.StringIO()
    call_command("demo_totp", "staff", stdout=out, stderr=io.StringIO())
    code = out.getvalue().strip()
    assert code == f"{totp(demo_data.DEMO_TOTP_KEY):06d}"
    assert TOTPDevice.objects.get(user__username="staff").verify_token(code)


def test_demo_totp_refuses_accounts_without_the_demo_key(world: Any, debug_on: None) -> None:
    # The personas' devices have random keys, as real enrolments do.
    with pytest.raises(CommandError, match="staff"):
        call_command("demo_totp", "staff", stdout=io.StringIO())


def test_demo_totp_refuses_when_debug_is_off(settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", "staff", stdout=io.StringIO())
