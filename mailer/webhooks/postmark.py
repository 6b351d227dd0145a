"""Postmark bounce and spam complaint webhooks, authenticated by HTTP basic auth.

Postmark signs nothing; its webhooks carry the user and password written into the webhook URL
(RFC 7617 basic authentication), compared here in constant time. Payloads per Postmark's
"Bounce webhook" and "Spam complaint webhook" pages: RecordType, Type and TypeCode (the bounce
types of the Bounce API), ID, Email, Details, Metadata.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from typing import Any

from mailer.models import BounceKind
from mailer.webhooks.errors import BadPayload, Unauthenticated
from mailer.webhooks.events import DELIVERY_KEY, Batch, Notice, Provider, complaint, failure
from mailer.webhooks.payload import load_json, text

__all__ = ["CHALLENGE", "PostmarkReceiver"]

CHALLENGE = 'Basic realm="mailer webhooks", charset="UTF-8"'
_PM = Provider.POSTMARK
# Postmark bounce Type -> kind; types not listed (Transient: a delay notice that Postmark follows
# with the outcome; AutoResponder, Subscribe, Unsubscribe, ManuallyDeactivated...) are ignored.
_TYPES: dict[str, BounceKind] = {
    "HardBounce": BounceKind.HARD,
    "BadEmailAddress": BounceKind.HARD,
    "SoftBounce": BounceKind.SOFT,
    "DnsError": BounceKind.SOFT,
    "Blocked": BounceKind.BLOCK,
    "DMARCPolicy": BounceKind.BLOCK,
    "SpamNotification": BounceKind.BLOCK,
    "VirusNotification": BounceKind.BLOCK,
    "SpamComplaint": BounceKind.COMPLAINT,
}


def _credentials(header: str) -> tuple[bytes, bytes] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    user, sep, password = decoded.partition(b":")
    return (user, password) if sep else None


class PostmarkReceiver:
    """POST /webhooks/postmark: one bounce or spam complaint record."""

    provider = _PM

    def __init__(self, user: str, password: str) -> None:
        self._user, self._password = user.encode(), password.encode()

    def receive(self, headers: Mapping[str, str], body: bytes) -> Batch:
        """Check the basic auth credentials, then read the record."""
        self._check(headers.get("Authorization", ""))
        record = load_json(body)
        if not isinstance(record, dict):
            raise BadPayload("Postmark body is not a JSON object")
        notice = _notice(record)
        return Batch([notice]) if notice is not None else Batch(ignored=1)

    def _check(self, header: str) -> None:
        given = _credentials(header)
        if given is None:
            raise Unauthenticated("postmark: no basic credentials", CHALLENGE)
        # Both compared, always: the time taken says nothing about which one differs.
        user_ok = hmac.compare_digest(given[0], self._user)
        password_ok = hmac.compare_digest(given[1], self._password)
        if not (user_ok & password_ok):
            raise Unauthenticated("postmark: wrong credentials", CHALLENGE)


def _notice(record: dict[str, Any]) -> Notice | None:
    if text(record, "RecordType") not in ("Bounce", "SpamComplaint"):
        return None
    kind, email = _TYPES.get(text(record, "Type")), text(record, "Email")
    event_id = text(record, "ID")
    if kind is None or not email or not event_id:
        return None
    links = (text(record, "Metadata", DELIVERY_KEY),)
    details = text(record, "Details")
    if kind == BounceKind.COMPLAINT:
        return complaint(_PM, event_id, email, links, details)
    if kind in (BounceKind.HARD, BounceKind.SOFT):
        # Postmark's word on permanence; classify() may still find a policy block in Details.
        permanent = kind == BounceKind.HARD
        return failure(_PM, event_id, email, permanent=permanent, diagnostic=details, links=links)
    return failure(_PM, event_id, email, permanent=None, kind=kind, diagnostic=details, links=links)
