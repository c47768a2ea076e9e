"""Accounts for the API fuzz run (.ci/api-fuzz), made through the project's services on the
fuzz run's own database: a data-provider account with a push token, and a staff member's
logged-in, second-factor-verified session for the read endpoints. Prints two lines,
`TOKEN=…` and `SESSION=…`, for the shell script to read."""

from __future__ import annotations

import os
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renda.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402

from renda.accounts.middleware import SESSION_STARTED_KEY  # noqa: E402
from renda.accounts.models import EncryptedTOTPDevice, User  # noqa: E402
from renda.accounts.services import create_user  # noqa: E402
from renda.budget.services.tokens import issue_push_token  # noqa: E402
from renda.core.roles import Role  # noqa: E402


def account(username: str, role: str) -> User:
    found = User.objects.filter(username=username).first()
    if found:
        return found
    return create_user(
        actor=None,
        username=username,
        name=username,
        role=role,
        password=secrets.token_urlsafe(24),
        must_change_password=False,
    )


security = account("fuzz-security", Role.SECURITY_ADMIN)
provider = account("fuzz-provider", Role.DATA_PROVIDER)
staff = account("fuzz-staff", Role.STAFF)
_token, raw = issue_push_token(actor=security, name="schemathesis", user=provider)

device, _ = EncryptedTOTPDevice.objects.get_or_create(
    user=staff, name="fuzz", defaults={"confirmed": True}
)
store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
store[SESSION_KEY] = str(staff.pk)
store[BACKEND_SESSION_KEY] = "renda.accounts.backends.UsernameOrMobileBackend"
store[HASH_SESSION_KEY] = staff.get_session_auth_hash()
store[DEVICE_ID_SESSION_KEY] = device.persistent_id
store[SESSION_STARTED_KEY] = int(time.time())
store.create()
sys.stdout.write(f"TOKEN={raw}\nSESSION={settings.SESSION_COOKIE_NAME}={store.session_key}\n")
