"""Our own webhook format, for relays and tools without a provider module of their own.

POST /webhooks/generic with a JSON body

    {"events": [{"id": "...", "type": "bounce" | "complaint", "kind": "hard" | "soft" | "block",
                 "recipient": "...", "status": "5.1.1", "diagnostic": "...",
                 "message_id": "<...>", "delivery": "bounces+...@..."}]}

(`kind`, `status`, `diagnostic`, `message_id` and `delivery` optional; without `kind` a bounce is
classified from its status and diagnostic; `delivery` is the VERP return path the message was
sent with, `message_id` its Message-ID: either names the delivery). Headers:

    X-Mailer-Timestamp: <Unix seconds>
    X-Mailer-Signature: sha256=<hex of HMAC-SHA256(generic_webhook_secret, "<timestamp>." + body)>

The timestamp is signed with the body, so a captured request cannot be replayed with a new one;
it must be within `webhook_max_age_seconds` of the server's clock. `id` is unique per event: a
redelivered event is recorded once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from mailer.models import BounceKind
from mailer.webhooks.errors import BadPayload, Unauthenticated
from mailer.webhooks.events import Batch, Notice, Provider, complaint, failure
from mailer.webhooks.payload import load_json

__all__ = ["SIGNATURE_HEADER", "TIMESTAMP_HEADER", "GenericEvent", "GenericReceiver", "sign"]

SIGNATURE_HEADER = "X-Mailer-Signature"
TIMESTAMP_HEADER = "X-Mailer-Timestamp"
_GEN = Provider.GENERIC
_UNIX_TIME = re.compile(r"[0-9]{1,12}")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Mailer-Signature value for a body sent at a timestamp."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


class GenericEvent(BaseModel):
    """One event of the generic format."""

    id: str = Field(min_length=1, max_length=200)
    type: Literal["bounce", "complaint"]
    kind: Literal["hard", "soft", "block"] | None = None
    recipient: str = Field(min_length=3, max_length=320)
    status: str | None = Field(default=None, max_length=32)
    diagnostic: str = Field(default="", max_length=2000)
    message_id: str | None = Field(default=None, max_length=998)
    delivery: str | None = Field(default=None, max_length=998)


class _Body(BaseModel):
    events: list[GenericEvent] = Field(max_length=1000)


def _reason(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
    return f"{where or 'body'}: {err['msg']}"


def _notice(event: GenericEvent) -> Notice:
    links = (event.delivery or "", event.message_id or "")
    if event.type == "complaint":
        return complaint(_GEN, event.id, event.recipient, links, event.diagnostic)
    return failure(
        _GEN,
        event.id,
        event.recipient,
        permanent=None,
        kind=BounceKind(event.kind) if event.kind else None,
        status=event.status,
        diagnostic=event.diagnostic,
        links=links,
    )


class GenericReceiver:
    """POST /webhooks/generic: events in our format, HMAC-signed with a shared secret."""

    provider = _GEN

    def __init__(self, secret: str, max_age: int) -> None:
        self._secret, self._max_age = secret, max_age

    def receive(self, headers: Mapping[str, str], body: bytes) -> Batch:
        """Check the signature and the timestamp's age, then read the events."""
        self._verify(headers.get(SIGNATURE_HEADER, ""), headers.get(TIMESTAMP_HEADER, ""), body)
        try:
            parsed = _Body.model_validate(load_json(body))
        except ValidationError as exc:
            raise BadPayload(_reason(exc)) from None
        return Batch([_notice(event) for event in parsed.events])

    def _verify(self, given: str, timestamp: str, body: bytes) -> None:
        if not given or not timestamp:
            raise Unauthenticated("generic: signature headers missing")
        expected = sign(self._secret, timestamp, body)
        if not hmac.compare_digest(expected.encode(), given.strip().encode()):
            raise Unauthenticated("generic: signature does not match")
        # ASCII digits only ("²".isdigit() is true) and short enough to be a time at all.
        if not _UNIX_TIME.fullmatch(timestamp) or abs(time.time() - int(timestamp)) > self._max_age:
            raise Unauthenticated("generic: stale timestamp")
