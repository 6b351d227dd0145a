"""Link each notice to its delivery (VERP, Message-ID, metadata) or contact, and record it once."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session

from mailer.bounces.policy import BouncePolicy
from mailer.bounces.record import EventInput, contact_by_email, record_event
from mailer.bounces.verp import find_delivery, message_id_delivery
from mailer.config import Settings
from mailer.db import session_scope
from mailer.models import BounceSource
from mailer.webhooks.events import Notice

__all__ = ["Outcome", "delivery_for", "ingest"]

log = logging.getLogger("mailer.webhooks")


@dataclass
class Outcome:
    """What recording one request's notices did."""

    recorded: int = 0
    duplicates: int = 0


def delivery_for(links: Iterable[str], settings: Settings) -> int | None:
    """The delivery a signed VERP token names among the links, else the first of our signed
    Message-IDs; forged or foreign values name nothing."""
    links = tuple(links)
    secret = settings.secret_key.get_secret_value()
    found = find_delivery(links, secret, settings.bounce_domain)
    for link in links:
        if found is not None:
            break
        found = message_id_delivery(link, secret)
    return found


def _event(session: Session, notice: Notice, settings: Settings) -> EventInput:
    delivery = delivery_for(notice.links, settings)
    contact = None if delivery is not None else contact_by_email(session, notice.email)
    return EventInput(
        source=BounceSource.WEBHOOK,
        identity=notice.identity,
        kind=notice.kind,
        email=notice.email,
        delivery_id=delivery,
        status=notice.status,
        smtp_code=notice.smtp_code,
        diagnostic=notice.diagnostic,
        contact_id=contact,
    )


def ingest(engine: Engine, settings: Settings, notices: Iterable[Notice]) -> Outcome:
    """Record every notice in one transaction; an event already known is counted, not stored."""
    outcome, policy = Outcome(), BouncePolicy.of(settings)
    with session_scope(engine) as session:
        for notice in notices:
            recorded = record_event(session, _event(session, notice, settings), policy)
            if recorded.new:
                outcome.recorded += 1
            else:
                outcome.duplicates += 1
    log.info("webhook_ingested recorded=%d duplicates=%d", outcome.recorded, outcome.duplicates)
    return outcome
