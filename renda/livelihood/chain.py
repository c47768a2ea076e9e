"""The hashes of a 票决 (Django-free): the frozen manifest's hash, each ballot's hash and its
short tracker (回执/核验码), and the chain over the ballots in tracker order whose last link is
the fingerprint the 总监票人 signs (Belenios' chained public data; Helios' `vote_tinyhash`).

Everything hashed is canonical JSON (sorted keys, no spaces, UTF-8), so that a verifier in
any language gets the same bytes from the same stored values.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

TRACKER_LENGTH = 10  # 50 bits of base32: no collision among a hall's ballots in practice


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def manifest_hash(manifest: dict[str, Any]) -> str:
    return sha256(canonical(manifest))


def choices_text(marks: dict[int, str]) -> str:
    return canonical({str(cid): mark for cid, mark in marks.items()})


def new_nonce() -> str:
    return secrets.token_hex(16)


def ballot_hash(*, manifest_digest: str, choices: str, nonce: str) -> str:
    """Binds the ballot to its round's manifest; the random nonce makes two identical ballots
    differ, so a tracker says nothing about the choices."""
    return sha256(canonical({"manifest": manifest_digest, "choices": choices, "nonce": nonce}))


def tracker_of(digest: str) -> str:
    return base64.b32encode(bytes.fromhex(digest)).decode()[:TRACKER_LENGTH]


def genesis(manifest_digest: str) -> str:
    return sha256(canonical({"genesis": "renda.livelihood.ballots", "manifest": manifest_digest}))


@dataclass(frozen=True)
class Link:
    position: int
    tracker: str
    digest: str
    choices: str
    nonce: str
    valid: bool


def link_hash(prev: str, link: Link) -> str:
    return sha256(
        canonical(
            {
                "prev": prev,
                "position": link.position,
                "tracker": link.tracker,
                "ballot": link.digest,
                "choices": link.choices,
                "nonce": link.nonce,
                "valid": link.valid,
            }
        )
    )


def chain(manifest_digest: str, links: Iterable[Link]) -> list[str]:
    """The chain value after each link, in the order given (tracker order)."""
    prev = genesis(manifest_digest)
    out = []
    for link in links:
        prev = link_hash(prev, link)
        out.append(prev)
    return out


def fingerprint(manifest_digest: str, values: list[str]) -> str:
    return values[-1] if values else genesis(manifest_digest)


def grouped(fp: str) -> str:
    """The fingerprint as the printed report shows it: groups of eight for reading aloud."""
    return " ".join(fp[i : i + 8] for i in range(0, len(fp), 8))
