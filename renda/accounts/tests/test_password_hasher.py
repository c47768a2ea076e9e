"""PBKDF2-SM3 is the password hasher (密评 身份鉴别 a: cryptographic authentication with SM3);
older hashes are upgraded at the next log in; the server refuses to start without SM3."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import Client, override_settings

from renda.accounts import checks
from renda.accounts.hashers import PBKDF2SM3PasswordHasher
from renda.accounts.models import User
from renda.conftest import PASSWORD

from .support import post_login

# What production runs (tests prepend a fast variant of the same algorithm).
PRODUCTION_HASHERS = [path for path in settings.PASSWORD_HASHERS if "Fast" not in path]


def test_production_uses_pbkdf2_sm3_first() -> None:
    assert PRODUCTION_HASHERS[0] == "renda.accounts.hashers.PBKDF2SM3PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in PRODUCTION_HASHERS[1:]


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_a_stored_password_starts_with_pbkdf2_sm3(db: Any) -> None:
    user = User(username="hashcheck")
    user.set_password(PASSWORD)
    assert user.password.startswith(f"pbkdf2_sm3${PBKDF2SM3PasswordHasher.iterations}$")
    assert user.check_password(PASSWORD)


def test_the_hasher_really_uses_sm3() -> None:
    hasher = PBKDF2SM3PasswordHasher()
    encoded = hasher.encode("Renda-2026!", "fixedsalt1234567", iterations=1000)
    expected = base64.b64encode(
        hashlib.pbkdf2_hmac("sm3", b"Renda-2026!", b"fixedsalt1234567", 1000)
    ).decode()
    assert encoded == f"pbkdf2_sm3$1000$fixedsalt1234567${expected}"
    sha256 = base64.b64encode(
        hashlib.pbkdf2_hmac("sha256", b"Renda-2026!", b"fixedsalt1234567", 1000)
    ).decode()
    assert expected != sha256


@pytest.mark.parametrize(
    "password", ["Renda-2026!", "人大代表履职 Lengshuijiang-2026", "😀密码Ab1"]
)
def test_it_round_trips_including_chinese_passphrases(password: str) -> None:
    hasher = PBKDF2SM3PasswordHasher()
    encoded = hasher.encode(password, hasher.salt(), iterations=2000)
    assert hasher.verify(password, encoded)
    assert not hasher.verify(password + "x", encoded)
    assert hasher.decode(encoded)["algorithm"] == "pbkdf2_sm3"


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_a_legacy_sha256_hash_is_upgraded_at_log_in(world: Any) -> None:
    legacy = make_password(PASSWORD, hasher="pbkdf2_sha256")
    # An account imported from an older system: its hash is set directly.
    User.objects.filter(pk=world.deputy.pk).update(password=legacy)
    assert post_login(Client(), "deputy").status_code == 302
    world.deputy.refresh_from_db()
    assert identify_hasher(world.deputy.password).algorithm == "pbkdf2_sm3"
    assert check_password(PASSWORD, world.deputy.password)


def test_the_start_up_check_passes_here() -> None:
    assert checks.check_sm3_available() == []


def test_the_start_up_check_fails_without_sm3(monkeypatch: pytest.MonkeyPatch) -> None:
    real_new = hashlib.new

    def no_sm3(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "sm3":
            raise ValueError("unsupported hash type sm3")
        return real_new(name, *args, **kwargs)

    monkeypatch.setattr(checks.hashlib, "new", no_sm3)
    errors = checks.check_sm3_available()
    assert [e.id for e in errors] == ["accounts.E001"]
    assert "SM3" in errors[0].msg
