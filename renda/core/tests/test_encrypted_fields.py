from __future__ import annotations

from typing import Any

from django.db import connection

from renda.accounts.models import User
from renda.core.fields import make_blind_index


def test_mobile_is_stored_as_sm4_ciphertext_and_found_by_blind_index(world: Any) -> None:
    user = world.deputy
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT mobile, mobile_index FROM {User._meta.db_table} WHERE id = %s", [user.pk]
        )
        stored, index = cursor.fetchone()
    assert stored.startswith("k1:") and user.mobile not in stored
    assert index == make_blind_index(user.mobile)
    assert User.objects.get(mobile_index=make_blind_index(user.mobile)) == user
