"""Model fields for personal data encrypted at rest with SM4-GCM (密评 §8.4 e)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from renda.lib.crypto import blind_index, sm4_gcm_decrypt, sm4_gcm_encrypt


class EncryptedCharField(models.TextField):
    """Stores `k1:<base64>` ciphertext; Python sees plaintext. Not searchable: pair it with a
    blind-index column (see `make_blind_index`) for exact-match lookup."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return sm4_gcm_decrypt(settings.FIELD_ENCRYPTION_KEY, value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return sm4_gcm_encrypt(settings.FIELD_ENCRYPTION_KEY, str(value))


def make_blind_index(value: str | None) -> str:
    return blind_index(settings.BLIND_INDEX_KEY, value) if value else ""
