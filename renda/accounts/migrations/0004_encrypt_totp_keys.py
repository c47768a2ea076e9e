"""Move every TOTP device from django-otp's table (key in plain hex) into accounts'
EncryptedTOTPDevice (key encrypted with SM4-GCM), and back on reversal. Nothing is lost: every
field is copied, and the old rows are removed only after their copies are written."""

from __future__ import annotations

from typing import Any

from django.db import migrations

FIELDS = (
    "user_id",
    "name",
    "confirmed",
    "key",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "created_at",
    "last_used_at",
)


def _move(source: Any, target: Any) -> None:
    rows = list(source.objects.all())
    for row in rows:
        copy = target(**{field: getattr(row, field) for field in FIELDS})
        copy.save()
    source.objects.filter(pk__in=[row.pk for row in rows]).delete()


def encrypt(apps: Any, schema_editor: Any) -> None:
    _move(apps.get_model("otp_totp", "TOTPDevice"), apps.get_model("accounts", "EncryptedTOTPDevice"))


def decrypt(apps: Any, schema_editor: Any) -> None:
    _move(apps.get_model("accounts", "EncryptedTOTPDevice"), apps.get_model("otp_totp", "TOTPDevice"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_requests_history_encrypted_totp"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
