"""国密 primitives used by the project: SM3 (hash, HMAC) and SM4-GCM (field encryption).

Django-free so that commands and benchmarks can use them directly. Both come from PyCA
`cryptography` (OpenSSL); `self_test()` proves at start-up that this OpenSSL build has them.
"""

from __future__ import annotations

import base64
import hmac as std_hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"  # GB/T 32905 vector
KEY_ID = "k1"  # prefix of every ciphertext, so that keys can be rotated later


class DecryptionError(ValueError):
    pass


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def constant_time_equal(a: str, b: str) -> bool:
    return std_hmac.compare_digest(a.encode(), b.encode())


def sm4_gcm_encrypt(key: bytes, plaintext: str) -> str:
    """Return `k1:<base64(nonce ‖ ciphertext ‖ tag)>`; a fresh 96-bit nonce per value."""
    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    token = base64.b64encode(nonce + body + encryptor.tag).decode()
    return f"{KEY_ID}:{token}"


def sm4_gcm_decrypt(key: bytes, token: str) -> str:
    try:
        key_id, payload = token.split(":", 1)
        raw = base64.b64decode(payload)
    except ValueError as exc:
        raise DecryptionError("malformed ciphertext") from exc
    if key_id != KEY_ID or len(raw) < 28:
        raise DecryptionError("unknown key or short ciphertext")
    nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except InvalidTag as exc:
        raise DecryptionError("ciphertext was altered or the key is wrong") from exc


def blind_index(key: bytes, value: str) -> str:
    """Keyed HMAC-SM3 of a normalised value: exact-match search without storing plaintext."""
    normalised = value.strip().upper().replace(" ", "")
    return hmac_sm3(key, normalised.encode()).hex()


def self_test() -> None:
    if sm3_hex(b"abc") != SM3_ABC:
        raise RuntimeError("SM3 self-test failed: this OpenSSL build lacks a correct SM3")
    key = bytes(16)
    if sm4_gcm_decrypt(key, sm4_gcm_encrypt(key, "自检")) != "自检":
        raise RuntimeError("SM4-GCM self-test failed")
