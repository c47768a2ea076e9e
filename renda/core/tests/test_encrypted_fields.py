from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection

from renda.core.fields import make_blind_index


def test_mobile_is_stored_as_sm4_ciphertext_and_found_by_blind_index(world: Any) -> None:
    user_model = get_user_model()
    user = world.deputy
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT mobile, mobile_index FROM {user_model._meta.db_table} WHERE id = %s", [user.pk]
        )
        stored, index = cursor.fetchone()
    assert stored.startswith("k1:") and user.mobile not in stored
    assert index == make_blind_index(user.mobile)
    assert user_model.objects.get(mobile_index=make_blind_index(user.mobile)) == user
