"""Ed25519 keys and signatures for messages between deployments.

A message is the exact bytes of its JSON body; the signature covers those bytes, so nothing can
be reordered, re-encoded or added without the check failing. Keys are raw 32-byte values in
base64 (what the directory publishes).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

SIGNATURE_HEADER = "CME-Signature"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def key_pair() -> tuple[str, str]:
    """A new (private, public) pair, each base64 of the raw 32 bytes."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return _b64(raw_private), _b64(raw_public)


def encode(message: dict[str, Any]) -> bytes:
    """The bytes that are sent and signed."""
    return json.dumps(message, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(private_key: str, body: bytes) -> str:
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private_key))
    return _b64(key.sign(body))


def verify(public_key: str, body: bytes, signature: str) -> bool:
    """True only for a well-formed signature by this key over exactly these bytes."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signature, validate=True), body)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def is_public_key(text: str) -> bool:
    try:
        return len(base64.b64decode(text, validate=True)) == 32
    except (ValueError, binascii.Error):
        return False
