"""Signed tokens (HMAC-SHA256) that carry a few integers: unsubscribe links, VERP addresses."""

from __future__ import annotations

import base64
import hashlib
import hmac
from enum import StrEnum

from mailer.errors import MailerError

__all__ = ["InvalidToken", "Purpose", "make_token", "read_token"]

# 80 bits of MAC: forging one token takes ~2^79 tries against a live server; short enough that a
# VERP address stays under the 64-octet local-part limit of RFC 5321 section 4.5.3.1.1.
_MAC_BYTES = 10


class Purpose(StrEnum):
    """What a token may be used for; a token made for one purpose is refused for another."""

    UNSUBSCRIBE = "unsubscribe"
    VERP = "verp"


class InvalidToken(MailerError):
    """A token that is malformed, forged, or made for another purpose."""


def _varint(value: int) -> bytes:
    if value < 0:
        raise ValueError("token fields are non-negative integers")
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _read_varints(data: bytes) -> tuple[int, ...]:
    values, current, shift = [], 0, 0
    for byte in data:
        current |= (byte & 0x7F) << shift
        shift += 7
        if shift > 63:
            raise InvalidToken("malformed token")
        if not byte & 0x80:
            values.append(current)
            current, shift = 0, 0
    if shift:
        raise InvalidToken("malformed token")
    return tuple(values)


def _mac(secret: bytes, purpose: Purpose, payload: bytes) -> bytes:
    return hmac.new(secret, purpose.value.encode() + b"\0" + payload, hashlib.sha256).digest()[
        :_MAC_BYTES
    ]


def make_token(secret: str, purpose: Purpose, *fields: int) -> str:
    """A lowercase base32 token (survives an MTA lowercasing a VERP address) for the fields."""
    payload = b"".join(_varint(f) for f in fields)
    raw = payload + _mac(secret.encode(), purpose, payload)
    return base64.b32encode(raw).decode("ascii").rstrip("=").lower()


def read_token(secret: str, purpose: Purpose, token: str) -> tuple[int, ...]:
    """The fields of a genuine token; InvalidToken for anything else (checked in constant time)."""
    text = token.strip().upper()
    if not text or len(text) > 120 or not text.isalnum():
        raise InvalidToken("malformed token")
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except ValueError:
        raise InvalidToken("malformed token") from None
    if len(raw) <= _MAC_BYTES or base64.b32encode(raw).decode().rstrip("=") != text:
        # Only the canonical spelling is accepted: no two strings name one token.
        raise InvalidToken("malformed token")
    payload, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    if not hmac.compare_digest(mac, _mac(secret.encode(), purpose, payload)):
        raise InvalidToken("token signature does not match")
    return _read_varints(payload)
