import pytest

from renda.lib import crypto

KEY = bytes(range(16))


def test_sm3_matches_the_standard_vector() -> None:
    assert crypto.sm3_hex(b"abc") == crypto.SM3_ABC


def test_sm4_gcm_round_trips_and_uses_a_fresh_nonce() -> None:
    a = crypto.sm4_gcm_encrypt(KEY, "430000199001011234")
    b = crypto.sm4_gcm_encrypt(KEY, "430000199001011234")
    assert a != b and a.startswith("k1:")
    assert crypto.sm4_gcm_decrypt(KEY, a) == "430000199001011234"


def test_sm4_gcm_detects_tampering_and_wrong_keys() -> None:
    token = crypto.sm4_gcm_encrypt(KEY, "13800001111")
    raw = bytearray(token.encode())
    raw[-3] = ord("A") if raw[-3] != ord("A") else ord("B")
    with pytest.raises(crypto.DecryptionError):
        crypto.sm4_gcm_decrypt(KEY, raw.decode())
    with pytest.raises(crypto.DecryptionError):
        crypto.sm4_gcm_decrypt(bytes(16), token)


def test_blind_index_is_keyed_and_normalised() -> None:
    assert crypto.blind_index(KEY, " 43138119750501001x ") == crypto.blind_index(
        KEY, "43138119750501001X"
    )
    assert crypto.blind_index(KEY, "13800001111") != crypto.blind_index(bytes(16), "13800001111")
