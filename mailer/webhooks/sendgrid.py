"""SendGrid Event Webhook: ECDSA P-256 signature over timestamp and body; bounces, drops, reports.

Per Twilio SendGrid's "Getting Started with the Event Webhook Security Features" (the signature
header carries a base64 DER ECDSA signature with SHA-256 of the timestamp header followed by the
raw body; the verification key is a base64 DER SubjectPublicKeyInfo) and "Event Webhook
Reference" (a JSON array of events; `sg_event_id` is unique per event).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from mailer.models import BounceKind
from mailer.webhooks.errors import BadPayload, Unauthenticated
from mailer.webhooks.events import DELIVERY_KEY, Batch, Notice, Provider, complaint, failure
from mailer.webhooks.payload import dicts, digest, load_json, text

__all__ = ["SIGNATURE_HEADER", "TIMESTAMP_HEADER", "SendGridReceiver", "public_key"]

SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
_SG = Provider.SENDGRID
# Drop reasons from the Event Webhook Reference; an unknown reason is reported as a block (the
# contact stays active), the ones that say nothing about the address are ignored.
_DROPPED: dict[str, BounceKind | None] = {
    "bounced address": BounceKind.HARD,
    "invalid": BounceKind.HARD,
    "spam reporting address": BounceKind.COMPLAINT,
    "spam content": BounceKind.BLOCK,
    "unsubscribed address": None,
    "invalid smtpapi header": None,
    "recipient list over package quota": None,
}


def public_key(value: str) -> ec.EllipticCurvePublicKey:
    """The verification key as SendGrid shows it (base64 DER; PEM armour is tolerated)."""
    armoured = [line for line in value.strip().splitlines() if not line.startswith("-----")]
    try:
        der = base64.b64decode("".join(armoured).strip(), validate=True)
        key = serialization.load_der_public_key(der)
    except (binascii.Error, ValueError, UnsupportedAlgorithm):
        raise ValueError("not a base64 DER public key") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("not an ECDSA P-256 (prime256v1) public key")
    return key


class SendGridReceiver:
    """POST /webhooks/sendgrid: a signed batch of events."""

    provider = _SG

    def __init__(self, key: ec.EllipticCurvePublicKey) -> None:
        self._key = key

    def receive(self, headers: Mapping[str, str], body: bytes) -> Batch:
        """Check the signature over timestamp + raw body, then read the events."""
        self._verify(headers.get(SIGNATURE_HEADER, ""), headers.get(TIMESTAMP_HEADER, ""), body)
        events = load_json(body)
        if not isinstance(events, list):
            raise BadPayload("SendGrid body is not a JSON array of events")
        batch = Batch()
        for event in dicts(events):
            notice = _notice(event)
            if notice is None:
                batch.ignored += 1
            else:
                batch.notices.append(notice)
        return batch

    def _verify(self, signature: str, timestamp: str, body: bytes) -> None:
        if not signature or not timestamp:
            raise Unauthenticated("sendgrid: signature headers missing")
        try:
            der = base64.b64decode(signature, validate=True)
            self._key.verify(der, timestamp.encode("utf-8") + body, ec.ECDSA(hashes.SHA256()))
        except (binascii.Error, ValueError, InvalidSignature):
            raise Unauthenticated("sendgrid: signature does not match") from None


def _event_id(event: dict[str, Any]) -> str:
    # Events without sg_event_id (older accounts) get a digest of their content.
    return text(event, "sg_event_id") or digest(event)


def _notice(event: dict[str, Any]) -> Notice | None:
    name, email = text(event, "event"), text(event, "email")
    if not email:
        return None
    event_id = _event_id(event)
    links = (text(event, "smtp-id"), text(event, DELIVERY_KEY))
    if name == "spamreport":
        return complaint(_SG, event_id, email, links)
    if name == "bounce":
        # type "blocked": refused for now, for the sender's reputation or the content.
        blocked = text(event, "type") == "blocked"
        return failure(
            _SG,
            event_id,
            email,
            permanent=True,
            kind=BounceKind.BLOCK if blocked else None,
            status=text(event, "status"),
            diagnostic=text(event, "reason"),
            links=links,
        )
    if name == "dropped":
        return _dropped(event, event_id, email, links)
    return None


def _dropped(
    event: dict[str, Any], event_id: str, email: str, links: tuple[str, str]
) -> Notice | None:
    reason = text(event, "reason")
    kind = _DROPPED.get(reason.strip().lower(), BounceKind.BLOCK)
    if kind is None:
        return None
    if kind == BounceKind.COMPLAINT:
        return complaint(_SG, event_id, email, links, f"dropped: {reason}")
    return failure(
        _SG,
        event_id,
        email,
        permanent=True,
        kind=kind,
        diagnostic=f"dropped: {reason}",
        links=links,
    )
