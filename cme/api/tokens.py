"""The shape of an API token and how it is checked. A token reads `cme_<prefix>_<secret>`: the
prefix (8 hex characters) finds the token and is shown to people; only a SHA-256 digest of the
whole token is stored, and digests are compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

PREFIX_BYTES = 4  # 8 hex characters
SECRET_BYTES = 32  # 43 URL-safe characters
_SHAPE = re.compile(r"^cme_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class NewSecret:
    prefix: str
    token: str  # the whole token, to be shown once and never stored
    digest: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def generate() -> NewSecret:
    prefix = secrets.token_hex(PREFIX_BYTES)
    token = f"cme_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    return NewSecret(prefix=prefix, token=token, digest=digest(token))


def prefix_of(token: str) -> str | None:
    """The prefix of a well-formed token; None for anything else (never looked up)."""
    match = _SHAPE.match(token)
    return match[1] if match else None


def matches(token: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(token), stored_digest)
