"""Record a bounce event once (unique on source and identity); apply the policy to the contact."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlmodel import Session

from mailer.bounces.policy import DEFAULT_POLICY, BouncePolicy, apply_bounce
from mailer.contacts.fields import email_key
from mailer.models import (
    BounceEvent,
    BounceKind,
    BounceSource,
    Contact,
    ContactStatus,
    Delivery,
    DeliveryStatus,
    utcnow,
)

__all__ = ["EventInput", "Recorded", "contact_by_email", "record_event"]

log = logging.getLogger("mailer.bounces")
_B = BounceEvent.__table__  # type: ignore[attr-defined]
_D = Delivery.__table__  # type: ignore[attr-defined]
_C = Contact.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class EventInput:
    """One bounce, block or complaint as learned from any source."""

    source: BounceSource
    identity: str
    kind: BounceKind
    email: str
    delivery_id: int | None = None
    status: str | None = None
    smtp_code: int | None = None
    diagnostic: str = ""
    # The contact when no delivery is known (a provider webhook that names only the address).
    contact_id: int | None = None


@dataclass(frozen=True)
class Recorded:
    """What recording did: new or already known, and the contact's new status if it changed."""

    new: bool
    contact_id: int | None
    contact_status: ContactStatus | None


def record_event(
    session: Session, event: EventInput, policy: BouncePolicy = DEFAULT_POLICY
) -> Recorded:
    """Store the event unless its (source, identity) is known; mark the delivery bounced after a
    later DSN; apply the policy (hard: bounced now; soft: after repeats; complaint: complained;
    block: reported only)."""
    identity = _storable(event.identity, 250)
    exists = session.execute(
        select(_B.c.id).where(_B.c.source == event.source, _B.c.identity == identity)
    ).first()
    if exists is not None:
        return Recorded(False, None, None)
    contact_id = event.contact_id
    if event.delivery_id is not None:
        row = session.execute(
            select(_D.c.contact_id, _D.c.status).where(_D.c.id == event.delivery_id)
        ).first()
        if row is None:
            log.warning("bounce_unknown_delivery delivery=%s", event.delivery_id)
        else:
            contact_id = row.contact_id
            if row.status == DeliveryStatus.SENT and event.kind != BounceKind.COMPLAINT:
                # RFC 3464: the relay took it, the destination did not.
                session.execute(
                    update(_D)
                    .where(_D.c.id == event.delivery_id)
                    .values(status=DeliveryStatus.BOUNCED, updated_at=utcnow())
                )
    session.execute(
        insert(_B).values(
            source=event.source,
            identity=identity,
            kind=event.kind,
            delivery_id=event.delivery_id,
            contact_id=contact_id,
            email=_storable(event.email, 320),
            status=_storable(event.status, 16) if event.status is not None else None,
            smtp_code=event.smtp_code,
            diagnostic=_storable(event.diagnostic, 1000),
            created_at=utcnow(),
        )
    )
    changed = (
        apply_bounce(session, contact_id, event.kind, policy) if contact_id is not None else None
    )
    log.info(
        "bounce_recorded source=%s kind=%s delivery=%s contact_status=%s",
        event.source,
        event.kind,
        event.delivery_id,
        changed,
    )
    return Recorded(True, contact_id, changed)


def contact_by_email(session: Session, email: str) -> int | None:
    """The contact with this address (compared as `email_key` is: trimmed, lowercased)."""
    key = email_key(_storable(email, 320))
    row = session.execute(select(_C.c.id).where(_C.c.email_key == key)).first()
    return None if row is None else int(row.id)


def _storable(text: str, limit: int) -> str:
    """Text as every database stores it, cut to its column: PostgreSQL refuses NUL, and no
    driver takes a lone surrogate (a JSON "\\ud800" escape or an odd charset decodes to one)."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")[:limit]
