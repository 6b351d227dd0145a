"""The bounce pipeline: parse a returned message, find its delivery, record each failure once."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Engine

from mailer.bounces.parse import ParsedBounce, parse_bounce
from mailer.bounces.policy import BouncePolicy
from mailer.bounces.record import EventInput, record_event
from mailer.bounces.sources import Disposition, Fetched, identity_of
from mailer.bounces.verp import find_delivery, message_id_delivery
from mailer.config import Settings
from mailer.db import session_scope
from mailer.models import BounceKind, BounceSource

__all__ = ["FetchSummary", "Source", "fetch", "inspect", "process"]

log = logging.getLogger("mailer.bounces")


class Source(Protocol):
    """Anything that yields returned messages and can mark them done."""

    def messages(self) -> Any: ...
    def done(self, item: Fetched, disposition: Disposition) -> None: ...


@dataclass
class FetchSummary:
    """What one `mailer bounces fetch` did."""

    messages: int = 0
    bounces: int = 0
    recorded: int = 0
    duplicates: int = 0
    not_bounces: int = 0
    dead: int = 0
    unmatched: int = 0
    kinds: Counter[str] = field(default_factory=Counter)


def inspect(data: bytes, settings: Settings) -> tuple[ParsedBounce, int | None]:
    """Parse a returned message and find the delivery it answers (a signed VERP token in its
    addresses, else our signed Message-ID in the returned headers)."""
    parsed = parse_bounce(data)
    secret = settings.secret_key.get_secret_value()
    delivery = find_delivery(parsed.addresses, secret, settings.bounce_domain)
    if delivery is None:
        delivery = message_id_delivery(parsed.original_message_id, secret)
    return parsed, delivery


def process(
    engine: Engine, settings: Settings, item: Fetched, summary: FetchSummary
) -> Disposition:
    """Record what one returned message says, in one transaction of its own."""
    summary.messages += 1
    parsed, delivery = inspect(item.data, settings)
    if parsed.format == "malformed":
        summary.dead += 1
        return Disposition.DEAD
    if not parsed.bounce or parsed.kind is None:
        summary.not_bounces += 1
        return Disposition.PROCESSED
    summary.bounces += 1
    if delivery is None:
        summary.unmatched += 1
    identity = identity_of(item.data)
    source = BounceSource.ARF if parsed.kind == BounceKind.COMPLAINT else BounceSource.DSN
    with session_scope(engine) as session:
        for email in parsed.recipients or ("",):
            recorded = record_event(
                session,
                EventInput(
                    source=source,
                    identity=f"{identity}:{email}"[:250],
                    kind=parsed.kind,
                    email=email,
                    delivery_id=delivery,
                    status=parsed.status,
                    diagnostic=parsed.diagnostic,
                ),
                BouncePolicy.of(settings),
            )
            if recorded.new:
                summary.recorded += 1
                summary.kinds[parsed.kind.value] += 1
            else:
                summary.duplicates += 1
    return Disposition.PROCESSED


def fetch(engine: Engine, settings: Settings, source: Source) -> FetchSummary:
    """Process every new message of the source; each is marked done after its commit."""
    summary = FetchSummary()
    for item in source.messages():
        disposition = process(engine, settings, item, summary)
        source.done(item, disposition)
    return summary
