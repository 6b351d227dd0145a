"""What every provider's webhook is reduced to: one bounce, block or complaint of one address."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from mailer.bounces.classify import classify, find_smtp_code, find_status
from mailer.models import BounceKind

__all__ = [
    "DELIVERY_HEADER",
    "DELIVERY_KEY",
    "Batch",
    "Notice",
    "Provider",
    "complaint",
    "failure",
]

# The metadata key (SendGrid custom_args, Mailgun user-variables, Postmark Metadata) or header
# (SES echoes the original headers) a sending path may set to the VERP return path or Message-ID.
DELIVERY_KEY = "mailer_delivery"
DELIVERY_HEADER = "X-Mailer-Delivery"


class Provider(StrEnum):
    """Who sent a webhook; also the prefix of each event's identity."""

    SES = "ses"
    SENDGRID = "sendgrid"
    MAILGUN = "mailgun"
    POSTMARK = "postmark"
    GENERIC = "generic"


@dataclass(frozen=True)
class Notice:
    """One bounce, block or complaint as a provider reported it."""

    provider: Provider
    event_id: str
    kind: BounceKind
    email: str
    status: str | None = None
    smtp_code: int | None = None
    diagnostic: str = ""
    # Strings that may name our delivery: a VERP return path, our Message-ID.
    links: tuple[str, ...] = ()

    @property
    def identity(self) -> str:
        """Unique per event: the same event delivered twice is recorded once."""
        return f"{self.provider}:{self.event_id}"


@dataclass
class Batch:
    """What one request carried: the notices, and how many events were not bounces."""

    notices: list[Notice] = field(default_factory=list)
    ignored: int = 0


def _links(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(v for v in values if v)


def failure(
    provider: Provider,
    event_id: str,
    email: str,
    *,
    permanent: bool | None,
    kind: BounceKind | None = None,
    status: str | None = None,
    diagnostic: str = "",
    smtp_code: int | None = None,
    links: Iterable[str] = (),
) -> Notice:
    """A delivery failure. The provider's own kind wins when it names one; else the provider says
    whether the failure is permanent (hard) or not (soft) and classify() whether the text is a
    policy block, which is neither (the address is fine); without either, classify() decides."""
    code = smtp_code if smtp_code is not None else find_smtp_code(diagnostic)
    enhanced = find_status(status or "") or find_status(diagnostic)
    if kind is None:
        kind = classify(enhanced, diagnostic, code)
        if permanent is not None and kind != BounceKind.BLOCK:
            kind = BounceKind.HARD if permanent else BounceKind.SOFT
    return Notice(provider, event_id, kind, email, enhanced, code, diagnostic, _links(links))


def complaint(
    provider: Provider, event_id: str, email: str, links: Iterable[str] = (), diagnostic: str = ""
) -> Notice:
    """A recipient marked the message as spam (a feedback loop report, RFC 5965)."""
    return Notice(
        provider, event_id, BounceKind.COMPLAINT, email, diagnostic=diagnostic, links=_links(links)
    )
