"""Provider reports that come by mail in formats of their own: SES notices, JMRP complaints."""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.message import Message
from email.utils import parseaddr

from mailer.models import BounceKind
from mailer.webhooks.payload import dicts, text

__all__ = ["MailedNotice", "jmrp_recipient", "ses_notices"]

MAX_JSON = 256 * 1024  # characters of a notification body read as JSON
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class MailedNotice:
    """What a mailed provider notification says, in the parser's terms."""

    kind: BounceKind
    recipients: tuple[str, ...]
    status: str | None
    diagnostic: str
    links: tuple[str, ...] = ()  # the original's Return-Path and sender: a VERP address
    message_id: str | None = None  # the original's Message-ID, ours if we sent it


def _json(body: str) -> object:
    # Sendmail breaks lines longer than its limit with "!" and a continuation line; an SNS body is
    # one long line, so undo that before reading it.
    body = body.strip().replace("!\n ", "")
    if not body.startswith("{") or len(body) > MAX_JSON:
        return None
    try:  # SNS's "email" protocol appends an unsubscribe footer after the JSON
        return _DECODER.raw_decode(body)[0]
    except (ValueError, RecursionError):  # the decoder recurses once per nesting level
        return None


def ses_notices(body: str) -> MailedNotice | None:
    """An Amazon SES bounce or complaint delivered by an SNS e-mail subscription: the
    notification's JSON as the body ("email"), or inside the SNS envelope ("email-json")."""
    content = _json(body)
    if isinstance(content, dict) and content.get("Type") == "Notification":
        content = _json(str(content.get("Message", "")))
    if not isinstance(content, dict):
        return None
    if "notificationType" not in content and "eventType" not in content:
        return None
    # Imported here: the webhook readers pull in cryptography, which most bounces never need.
    from mailer.webhooks.errors import WebhookError
    from mailer.webhooks.ses import read_notification

    try:
        notices = read_notification(content, "mail").notices
    except WebhookError:
        return None
    if not notices:
        return None
    first = notices[0]
    recipients = tuple(dict.fromkeys(n.email.lower() for n in notices))
    return MailedNotice(
        first.kind, recipients, first.status, first.diagnostic, first.links, _message_id(content)
    )


def _message_id(content: dict[str, object]) -> str | None:
    for header in dicts(content, "mail", "headers"):
        if text(header, "name").lower() == "message-id":
            return text(header, "value").strip() or None
    return None


# Outlook.com's Junk Mail Reporting Program sends the reported message, with the address of the
# recipient who marked it as junk in this header, and no RFC 5965 feedback-report part.
JMRP_HEADER = "x-hmxmroriginalrecipient"


def jmrp_recipient(reported: Message) -> str | None:
    """The complaining recipient of a JMRP report, from the reported message's own header."""
    value = reported.get(JMRP_HEADER)
    address = parseaddr(str(value))[1].strip().lower() if value else ""
    return address if "@" in address else None  # "<addr>" as often as a bare addr
