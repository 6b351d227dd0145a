"""Mailgun webhooks: HMAC-SHA256 of a fresh timestamp and an unused token; failures, complaints.

Per Mailgun's "Securing Webhooks": the body's `signature` object carries `timestamp`, a random
`token` and `signature`, the hex HMAC-SHA256 of timestamp + token under the webhook signing key;
a receiver should refuse stale timestamps and tokens it has seen. `event-data` has the shape of
an Events API record (`event` failed with `severity` permanent or temporary and `delivery-status`,
or complained).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from mailer.models import BounceKind
from mailer.webhooks.errors import BadPayload, Unauthenticated
from mailer.webhooks.events import DELIVERY_KEY, Batch, Notice, Provider, complaint, failure
from mailer.webhooks.payload import digest, load_json, text

__all__ = ["MailgunReceiver", "Tokens", "signature"]

_MG = Provider.MAILGUN
_UNIX_TIME = re.compile(r"[0-9]{1,12}")
_MAX_TOKENS = 100_000
# Failures Mailgun did not attempt because the address is on one of its suppression lists.
_SUPPRESSED: dict[str, BounceKind | None] = {
    "suppress-bounce": BounceKind.HARD,
    "suppress-complaint": BounceKind.COMPLAINT,
    "suppress-unsubscribe": None,
}


def signature(key: str, timestamp: str, token: str) -> str:
    """The hex HMAC-SHA256 Mailgun sends for a timestamp and token."""
    return hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()


class Tokens:
    """Tokens seen while their timestamps are fresh: a second request with one is a replay."""

    def __init__(self, keep_seconds: float) -> None:
        self._keep = keep_seconds
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_use(self, token: str, now: float) -> bool:
        """Remember the token; False if it was already used."""
        with self._lock:
            while self._seen and (
                len(self._seen) >= _MAX_TOKENS or next(iter(self._seen.values())) < now - self._keep
            ):
                self._seen.popitem(last=False)
            if token in self._seen:
                return False
            self._seen[token] = now
            return True


class MailgunReceiver:
    """POST /webhooks/mailgun: one signed event."""

    provider = _MG

    def __init__(self, key: str, max_age: int) -> None:
        self._key, self._max_age = key, max_age
        self._tokens = Tokens(2 * max_age)

    def receive(self, headers: Mapping[str, str], body: bytes) -> Batch:
        """Check the signature, its age and its token, then read the event."""
        event = self._authenticated(body).get("event-data")
        if not isinstance(event, dict):
            raise BadPayload("Mailgun body has no event-data object")
        notice = _notice(event)
        return Batch([notice]) if notice is not None else Batch(ignored=1)

    def _authenticated(self, body: bytes) -> dict[str, Any]:
        try:
            data = load_json(body)
        except BadPayload:
            raise Unauthenticated("mailgun: body is not JSON") from None
        timestamp, token = text(data, "signature", "timestamp"), text(data, "signature", "token")
        given = text(data, "signature", "signature")
        if not (timestamp and token and given):
            raise Unauthenticated("mailgun: signature missing")
        expected = signature(self._key, timestamp, token)
        if not hmac.compare_digest(expected.encode(), given.encode()):
            raise Unauthenticated("mailgun: signature does not match")
        self._check_fresh(timestamp, token)
        return dict(data)

    def _check_fresh(self, timestamp: str, token: str) -> None:
        now = time.time()
        # ASCII digits only ("²".isdigit() is true) and short enough to be a time at all.
        if not _UNIX_TIME.fullmatch(timestamp) or abs(now - int(timestamp)) > self._max_age:
            raise Unauthenticated("mailgun: stale timestamp")
        if not self._tokens.first_use(token, now):
            raise Unauthenticated("mailgun: token replayed")


def _event_id(event: dict[str, Any]) -> str:
    # event-data.id is repeated when Mailgun retries; records without one get a digest.
    return text(event, "id") or digest(event)


def _smtp_code(value: Any) -> int | None:
    # delivery-status.code is the SMTP reply, or a Mailgun code (605: not attempted) that is not.
    return value if isinstance(value, int) and 200 <= value <= 599 else None


def _suppressed(reason: str, event_id: str, email: str, links: tuple[str, ...]) -> Notice | None:
    kind, diagnostic = _SUPPRESSED[reason], f"mailgun: {reason}"
    if kind == BounceKind.COMPLAINT:
        return complaint(_MG, event_id, email, links, diagnostic)
    if kind is None:
        return None
    return failure(
        _MG, event_id, email, permanent=True, kind=kind, diagnostic=diagnostic, links=links
    )


def _failed(
    event: dict[str, Any], event_id: str, email: str, links: tuple[str, ...]
) -> Notice | None:
    severity, reason = text(event, "severity"), text(event, "reason")
    if reason in _SUPPRESSED:
        return _suppressed(reason, event_id, email, links)
    # Mailgun retries a temporary failure; only its last word (reason "old": it gave up) counts.
    if severity != "permanent" and reason != "old":
        return None
    status = event.get("delivery-status")
    message = " ".join(t for t in (text(status, "message"), text(status, "description")) if t)
    return failure(
        _MG,
        event_id,
        email,
        permanent=severity == "permanent",
        status=text(status, "enhanced-code"),
        diagnostic=message,
        smtp_code=_smtp_code(status.get("code") if isinstance(status, dict) else None),
        links=links,
    )


def _notice(event: dict[str, Any]) -> Notice | None:
    name, email = text(event, "event"), text(event, "recipient")
    if not email:
        return None
    event_id = _event_id(event)
    links = (
        text(event, "message", "headers", "message-id"),
        text(event, "envelope", "sender"),
        text(event, "user-variables", DELIVERY_KEY),
    )
    if name == "complained":
        return complaint(_MG, event_id, email, links)
    if name == "failed":
        return _failed(event, event_id, email, links)
    return None
