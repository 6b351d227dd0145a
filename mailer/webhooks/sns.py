"""Amazon SNS message authenticity: the string to sign, certificate URLs, RSA signatures.

Per the SNS developer guide ("Verifying the signatures of Amazon SNS messages"): the signed string
is name/value lines of a fixed set of fields in byte order; SignatureVersion 1 is SHA1withRSA, 2 is
SHA256withRSA; the certificate is fetched over https from an SNS host. Trust rests on that TLS
connection (the default fetch verifies the server's certificate chain), as in AWS's own SDKs.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import ssl
import threading
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from mailer.webhooks.errors import Unauthenticated, Unavailable

__all__ = [
    "Certificates",
    "Fetch",
    "MessageType",
    "check_url",
    "default_fetch",
    "message_type",
    "string_to_sign",
    "verify",
]

log = logging.getLogger("mailer.webhooks")
Fetch = Callable[[str], bytes]


class MessageType(StrEnum):
    """The three kinds of message SNS posts to an HTTPS subscriber."""

    NOTIFICATION = "Notification"
    SUBSCRIPTION = "SubscriptionConfirmation"
    UNSUBSCRIBE = "UnsubscribeConfirmation"


# The fields signed, in byte order; Subject only when the message has one.
_NOTIFICATION_KEYS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_CONFIRMATION_KEYS = (
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
)
_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}
_MAX_FETCH = 64 * 1024
_MIN_RSA_BITS = 2048


def message_type(message: dict[str, Any]) -> MessageType:
    """The message's Type; anything else is not an SNS message."""
    try:
        return MessageType(str(message.get("Type")))
    except ValueError:
        raise Unauthenticated("sns: unknown message type") from None


def string_to_sign(message: dict[str, Any]) -> bytes:
    """The canonical string SNS signed: "name\\nvalue\\n" for each signed field."""
    kind = message_type(message)
    keys = _NOTIFICATION_KEYS if kind == MessageType.NOTIFICATION else _CONFIRMATION_KEYS
    lines = []
    for key in keys:
        value = message.get(key)
        if value is None and key == "Subject":
            continue
        if not isinstance(value, str):
            raise Unauthenticated(f"sns: signed field {key} missing")
        lines.append(f"{key}\n{value}\n")
    return "".join(lines).encode("utf-8")


def check_url(url: str, host: re.Pattern[str]) -> str:
    """The URL if it is https on the default port of a host the pattern matches in full."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Unauthenticated("sns: malformed URL") from None
    if parts.scheme != "https" or parts.username is not None or port not in (None, 443):
        raise Unauthenticated(f"sns: URL not plain https: {url[:200]}")
    if not host.fullmatch(parts.hostname or ""):
        raise Unauthenticated(f"sns: URL host not allowed: {(parts.hostname or '')[:100]}")
    return url


def _public_key(pem: bytes, now: datetime) -> tuple[rsa.RSAPublicKey, datetime]:
    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError:
        raise Unauthenticated("sns: signing certificate unreadable") from None
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise Unauthenticated("sns: signing certificate outside its validity period")
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < _MIN_RSA_BITS:
        raise Unauthenticated("sns: signing certificate key is not RSA of 2048 bits or more")
    return key, cert.not_valid_after_utc


class Certificates:
    """SNS signing certificates by URL: fetched from an SNS host over https, checked, kept."""

    def __init__(self, fetch: Fetch, host: re.Pattern[str], size: int = 16) -> None:
        self._fetch, self._host, self._size = fetch, host, size
        self._keys: dict[str, tuple[rsa.RSAPublicKey, datetime]] = {}
        self._lock = threading.Lock()

    def public_key(self, url: str) -> rsa.RSAPublicKey:
        """The certificate's public key; fetched once, again after the certificate expires."""
        check_url(url, self._host)
        if not urlsplit(url).path.endswith(".pem"):
            raise Unauthenticated("sns: signing certificate URL is not a .pem file")
        now = datetime.now(UTC)
        with self._lock:
            cached = self._keys.get(url)
        if cached is not None and now <= cached[1]:
            return cached[0]
        key, expires = _public_key(self._get(url), now)
        with self._lock:
            if len(self._keys) >= self._size:
                self._keys.pop(next(iter(self._keys)))
            self._keys[url] = (key, expires)
        return key

    def _get(self, url: str) -> bytes:
        try:
            return self._fetch(url)
        except (OSError, ValueError) as exc:
            log.warning("sns_certificate_unavailable url=%s error=%s", url, type(exc).__name__)
            raise Unavailable("sns: signing certificate unavailable") from None


def verify(message: dict[str, Any], certs: Certificates) -> MessageType:
    """Check the message's signature with its signing certificate; returns its type."""
    kind = message_type(message)
    algorithm = _HASHES.get(str(message.get("SignatureVersion")))
    if algorithm is None:
        raise Unauthenticated("sns: unknown signature version")
    encoded = message.get("Signature")
    try:
        signature = base64.b64decode(encoded, validate=True) if isinstance(encoded, str) else b""
    except (binascii.Error, ValueError):
        signature = b""
    if not signature:
        raise Unauthenticated("sns: signature missing or not base64")
    key = certs.public_key(str(message.get("SigningCertURL", "")))
    try:
        key.verify(signature, string_to_sign(message), padding.PKCS1v15(), algorithm())
    except InvalidSignature:
        raise Unauthenticated("sns: signature does not match") from None
    return kind


def default_fetch(url: str) -> bytes:
    """GET an https URL with certificate and host name checks, 10 s timeout, 64 KiB at most."""
    context = ssl.create_default_context()
    # The URL was checked to be https on an SNS host before it gets here.
    with urllib.request.urlopen(url, timeout=10, context=context) as response:  # noqa: S310
        data: bytes = response.read(_MAX_FETCH + 1)
    if len(data) > _MAX_FETCH:
        raise ValueError("response too large")
    return data
