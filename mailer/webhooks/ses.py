"""Amazon SES bounce and complaint notifications through SNS: verify, confirm subscriptions, read.

Notification contents per the SES developer guide ("Amazon SNS notification contents for Amazon
SES"): notificationType (eventType when published through a configuration set) Bounce or
Complaint, a bounce or complaint object and the mail object (envelope sender in `source`, original
headers). A subscription with raw message delivery posts the bare SES JSON without a signature:
it cannot be authenticated and is refused.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from mailer.models import BounceKind
from mailer.webhooks import sns
from mailer.webhooks.errors import BadPayload, Unauthenticated, Unavailable
from mailer.webhooks.events import DELIVERY_HEADER, Batch, Notice, Provider, complaint, failure
from mailer.webhooks.payload import dicts, load_json, text

__all__ = ["SesReceiver", "read_notification"]

log = logging.getLogger("mailer.webhooks")
_SES = Provider.SES
# bounceType: Permanent is hard; Transient and Undetermined are counted as soft.
_PERMANENT = {"Permanent": True, "Transient": False, "Undetermined": False}
# Transient bounces refused for what the message carried: the address is fine.
_BLOCK_SUBTYPES = frozenset({"ContentRejected", "AttachmentRejected"})
_LINK_HEADERS = frozenset({"return-path", "message-id", DELIVERY_HEADER.lower()})


class SesReceiver:
    """POST /webhooks/ses: SNS messages from the allowed topics, signature checked first."""

    provider = _SES

    def __init__(
        self,
        topics: frozenset[str] | None,
        certs: sns.Certificates,
        fetch: sns.Fetch,
        host: re.Pattern[str],
    ) -> None:
        self._topics, self._certs, self._fetch, self._host = topics, certs, fetch, host

    def receive(self, headers: Mapping[str, str], body: bytes) -> Batch:
        """Authenticate the SNS message, then confirm a subscription or read the notification."""
        message = _envelope(headers, body)
        self._check_topic(message)
        kind = sns.verify(message, self._certs)
        if kind == sns.MessageType.SUBSCRIPTION:
            self._confirm(message)
            return Batch()
        if kind == sns.MessageType.UNSUBSCRIBE:
            log.warning("sns_unsubscribed topic=%s", message.get("TopicArn"))
            return Batch()
        content = load_json(str(message["Message"]).encode("utf-8"))
        return read_notification(content, str(message["MessageId"]))

    def _check_topic(self, message: dict[str, Any]) -> None:
        topic = message.get("TopicArn")
        # Not yet authenticated: any JSON at all may stand here (a list is not even hashable).
        if self._topics is not None and (not isinstance(topic, str) or topic not in self._topics):
            raise Unauthenticated(f"sns: topic not allowed: {str(topic)[:200]}")

    def _confirm(self, message: dict[str, Any]) -> None:
        # Visiting SubscribeURL confirms (SNS developer guide, "Confirm the subscription").
        url = sns.check_url(str(message.get("SubscribeURL", "")), self._host)
        try:
            self._fetch(url)
        except (OSError, ValueError) as exc:
            log.warning("sns_confirm_failed topic=%s error=%s", message.get("TopicArn"), exc)
            raise Unavailable("sns: subscription confirmation failed") from None
        log.info("sns_subscription_confirmed topic=%s", message.get("TopicArn"))


def _envelope(headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    if headers.get("x-amz-sns-rawdelivery", "").lower() == "true":
        raise Unauthenticated("sns: raw message delivery carries no signature")
    try:
        message = load_json(body)
    except BadPayload:
        raise Unauthenticated("sns: body is not an SNS message") from None
    if not isinstance(message, dict):
        raise Unauthenticated("sns: body is not an SNS message")
    return message


def _links(content: dict[str, Any]) -> list[str]:
    found = [text(content, "mail", "source"), text(content, "mail", "commonHeaders", "messageId")]
    for header in dicts(content, "mail", "headers"):
        if text(header, "name").lower() in _LINK_HEADERS:
            found.append(text(header, "value"))
    return found


def _bounces(content: dict[str, Any], fallback_id: str) -> list[Notice]:
    bounce_type = text(content, "bounce", "bounceType")
    blocked = text(content, "bounce", "bounceSubType") in _BLOCK_SUBTYPES
    feedback = text(content, "bounce", "feedbackId") or fallback_id
    links = _links(content)
    notices = []
    for recipient in dicts(content, "bounce", "bouncedRecipients"):
        email = text(recipient, "emailAddress")
        if not email:
            continue
        notices.append(
            failure(
                _SES,
                f"{feedback}:{email.lower()}",
                email,
                permanent=_PERMANENT.get(bounce_type, False),
                kind=BounceKind.BLOCK if blocked else None,
                status=text(recipient, "status"),
                diagnostic=text(recipient, "diagnosticCode"),
                links=links,
            )
        )
    return notices


def _complaints(content: dict[str, Any], fallback_id: str) -> Batch:
    feedback_type = text(content, "complaint", "complaintFeedbackType")
    if feedback_type == "not-spam":  # RFC 6430: a report that it is not spam
        return Batch(ignored=1)
    feedback = text(content, "complaint", "feedbackId") or fallback_id
    links = _links(content)
    diagnostic = f"feedback-type: {feedback_type}" if feedback_type else ""
    notices = [
        complaint(_SES, f"{feedback}:{email.lower()}", email, links, diagnostic)
        for r in dicts(content, "complaint", "complainedRecipients")
        if (email := text(r, "emailAddress"))
    ]
    return Batch(notices)


def read_notification(content: Any, fallback_id: str) -> Batch:
    """The bounces and complaints of one SES notification; other types are ignored."""
    if not isinstance(content, dict):
        raise BadPayload("SES notification is not a JSON object")
    kind = text(content, "notificationType") or text(content, "eventType")
    if kind == "Bounce":
        return Batch(_bounces(content, fallback_id))
    if kind == "Complaint":
        return _complaints(content, fallback_id)
    return Batch(ignored=1)
