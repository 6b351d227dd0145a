"""What a bounce does to a contact: hard and complaint at once, soft after repeats, block never."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from mailer.config import Settings
from mailer.models import (
    BounceEvent,
    BounceKind,
    Contact,
    ContactStatus,
    Delivery,
    DeliveryStatus,
    utcnow,
)

__all__ = ["DEFAULT_POLICY", "BouncePolicy", "apply_bounce"]


@dataclass(frozen=True)
class BouncePolicy:
    """The thresholds of the policy (settings `soft_bounce_limit`, `soft_bounce_days`)."""

    soft_limit: int = 3
    soft_days: int = 30

    @classmethod
    def of(cls, settings: Settings) -> BouncePolicy:
        """The policy the settings configure."""
        return cls(settings.soft_bounce_limit, settings.soft_bounce_days)


DEFAULT_POLICY = BouncePolicy()


def _soft_bounces_since_last_success(session: Session, contact_id: int, days: int) -> int:
    since = utcnow() - timedelta(days=days)
    d, b = Delivery.__table__.c, BounceEvent.__table__.c  # type: ignore[attr-defined]
    last_ok = session.execute(
        select(func.max(d.sent_at)).where(
            d.contact_id == contact_id, d.status == DeliveryStatus.SENT
        )
    ).scalar()
    start = max(since, last_ok) if last_ok else since
    soft = select(func.count()).where(
        b.contact_id == contact_id, b.kind == BounceKind.SOFT, b.created_at >= start
    )
    return int(session.execute(soft).scalar_one())


def apply_bounce(
    session: Session, contact_id: int, kind: BounceKind, policy: BouncePolicy = DEFAULT_POLICY
) -> ContactStatus | None:
    """Change the contact's status as the policy says; returns the new status, if any."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.status != ContactStatus.ACTIVE:
        return None
    new: ContactStatus | None = None
    if kind == BounceKind.HARD:
        new = ContactStatus.BOUNCED
    elif kind == BounceKind.COMPLAINT:
        new = ContactStatus.COMPLAINED
    elif kind == BounceKind.SOFT and (
        _soft_bounces_since_last_success(session, contact_id, policy.soft_days) >= policy.soft_limit
    ):
        new = ContactStatus.BOUNCED
    # A block is about our sending (policy, reputation): reported, the contact stays active.
    if new is not None:
        contact.status = new
        contact.updated_at = utcnow()
        session.add(contact)
    return new
