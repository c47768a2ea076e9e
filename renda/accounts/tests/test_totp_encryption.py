"""TOTP secrets are encrypted at rest (issue 13 item 11); existing plain keys are moved over
by migration 0004 and keep working."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_otp.oath import totp
from django_otp.util import random_hex

from renda.accounts.models import EncryptedTOTPDevice


def raw_key(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_encryptedtotpdevice WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_the_key_is_not_stored_in_plain_hex(world: Any) -> None:
    device = EncryptedTOTPDevice.objects.create(user=world.staff, name="手机", confirmed=True)
    stored = raw_key(device.pk)
    assert device.key not in stored and stored.startswith("k1:")
    again = EncryptedTOTPDevice.objects.get(pk=device.pk)
    assert again.key == device.key
    assert again.verify_token(totp(again.bin_key))


def test_the_migration_moves_plain_keys_and_loses_none(transactional_db: Any) -> None:
    executor = MigrationExecutor(connection)
    before = [
        ("accounts", "0003_requests_history_encrypted_totp"),
        ("otp_totp", "0003_add_timestamps"),
    ]
    after = [("accounts", "0004_encrypt_totp_keys")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    user = old_apps.get_model("accounts", "User").objects.create(
        username="legacy", name="旧用户", role="staff"
    )
    plain = old_apps.get_model("otp_totp", "TOTPDevice")
    keys = [random_hex(20) for _ in range(3)]
    for n, key in enumerate(keys):
        plain.objects.create(user_id=user.pk, name=f"设备{n}", key=key, confirmed=True)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    assert not plain.objects.exists()
    moved = EncryptedTOTPDevice.objects.filter(user_id=user.pk).order_by("name")
    assert [d.key for d in moved] == keys
    assert all(keys[n] not in raw_key(d.pk) for n, d in enumerate(moved))
    assert moved[0].verify_token(totp(moved[0].bin_key))
    # Back to the latest schema, so that later tests on this database find every table.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
