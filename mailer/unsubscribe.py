"""Unsubscribe links: check a token, then unsubscribe or save preferences, recording each change.

A link is `{public_url}/u/{token}`, the token signing (contact id, campaign id). It works for
`unsubscribe_token_days` after its campaign was created; a forged, truncated or expired token,
or one whose contact or campaign is gone, is an InvalidLink. Every function takes the caller's
session and leaves the commit to it.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from mailer.config import Settings
from mailer.contacts.preferences import Muted, muted_of, save_muted
from mailer.errors import MailerError
from mailer.models import (
    Campaign,
    Contact,
    ContactStatus,
    Delivery,
    DeliveryStatus,
    PreferenceAction,
    PreferenceChange,
    PreferenceChannel,
    Suppression,
    SuppressionKind,
    SuppressionSource,
    utcnow,
)
from mailer.tokens import InvalidToken, Purpose, read_token

__all__ = [
    "REASON_MAX",
    "Change",
    "InvalidLink",
    "Link",
    "LinkProblem",
    "clean_reason",
    "open_link",
    "page_language",
    "save_preferences",
    "unsubscribe",
    "unsubscribe_link",
]

log = logging.getLogger("mailer.unsubscribe")
REASON_MAX = 500
_C = Contact.__table__  # type: ignore[attr-defined]
_D = Delivery.__table__  # type: ignore[attr-defined]
_P = PreferenceChange.__table__  # type: ignore[attr-defined]
_S = Suppression.__table__  # type: ignore[attr-defined]
# Built once: an unsubscribe is a handful of small statements, and building them per request
# costs more than running them.
_FLIP = (
    update(_C)
    .where(_C.c.id == bindparam("b_id"), _C.c.status != ContactStatus.UNSUBSCRIBED)
    .values(status=ContactStatus.UNSUBSCRIBED, updated_at=bindparam("b_now"))
)
_RECORD = insert(_P)
_SUPPRESSED = select(_S.c.id).where(_S.c.target == bindparam("b_target"))
_SUPPRESS = insert(_S).values(
    target=bindparam("b_target"),
    kind=SuppressionKind.ADDRESS,
    reason="unsubscribed",
    source=SuppressionSource.UNSUBSCRIBE,
    created_at=bindparam("b_now"),
)
# A campaign still queued or retrying for them must not reach them after they said stop.
_CANCEL = (
    update(_D)
    .where(
        _D.c.contact_id == bindparam("b_id"),
        _D.c.status.in_([DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED]),
    )
    .values(status=DeliveryStatus.CANCELLED, updated_at=bindparam("b_now"))
)
_SENT_IN = select(_D.c.language).where(
    _D.c.campaign_id == bindparam("b_campaign"), _D.c.contact_id == bindparam("b_contact")
)


class LinkProblem(StrEnum):
    """Why a link cannot be used (logged; the journalist sees one page for all of them)."""

    MALFORMED = "malformed"  # not a token we signed: tampered with, truncated, another purpose
    EXPIRED = "expired"
    GONE = "gone"  # genuine, but the contact or the campaign no longer exists


class InvalidLink(MailerError):
    """An unsubscribe link that cannot be used."""

    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(f"unsubscribe link {problem.value}")
        self.problem = problem


@dataclass(frozen=True)
class Link:
    """A genuine, current link: whose it is, from which campaign, and its token."""

    contact: Contact
    campaign: Campaign
    token: str


@dataclass(frozen=True)
class Change:
    """What a request did: `new` is False when it changed nothing (a replay)."""

    new: bool
    contact_id: int
    campaign_id: int


def _fields(settings: Settings, token: str) -> tuple[int, int]:
    try:
        fields = read_token(settings.secret_key.get_secret_value(), Purpose.UNSUBSCRIBE, token)
    except InvalidToken:
        raise InvalidLink(LinkProblem.MALFORMED) from None
    if len(fields) != 2:
        raise InvalidLink(LinkProblem.MALFORMED)
    return fields[0], fields[1]


def open_link(
    session: Session, settings: Settings, token: str, now: datetime | None = None
) -> Link:
    """The link's contact and campaign; InvalidLink when it is not genuine, expired or gone."""
    contact_id, campaign_id = _fields(settings, token)
    campaign = session.get(Campaign, campaign_id)
    contact = session.get(Contact, contact_id)
    if campaign is None or contact is None:
        raise InvalidLink(LinkProblem.GONE)
    if campaign.created_at + timedelta(days=settings.unsubscribe_token_days) < (now or utcnow()):
        raise InvalidLink(LinkProblem.EXPIRED)
    return Link(contact, campaign, token.strip().lower())


def page_language(session: Session, link: Link) -> str:
    """The language the journalist got this campaign in, else their first language, else en."""
    params = {"b_campaign": link.campaign.id, "b_contact": link.contact.id}
    sent_in = session.execute(_SENT_IN, params).scalar()
    return str(sent_in or next(iter(link.contact.languages), "en"))


def clean_reason(text: str) -> str:
    """The journalist's words on one line: line breaks and runs of white space become one space,
    control characters go, and at most REASON_MAX characters are kept."""
    flat = " ".join(text.split())
    kept = "".join(ch for ch in flat if unicodedata.category(ch) != "Cc")
    return kept[:REASON_MAX].strip()


def unsubscribe(
    session: Session,
    settings: Settings,
    token: str,
    *,
    via: PreferenceChannel,
    reason: str = "",
) -> Change:
    """Unsubscribe the link's journalist from everything (web, RFC 8058 one-click, mailto:);
    InvalidLink for a bad token. A replay changes and records nothing."""
    return unsubscribe_link(session, open_link(session, settings, token), via=via, reason=reason)


def unsubscribe_link(
    session: Session, link: Link, *, via: PreferenceChannel, reason: str = ""
) -> Change:
    """Unsubscribe an opened link's journalist; see unsubscribe()."""
    contact, campaign_id = link.contact, link.campaign.id or 0
    now = utcnow()
    # Only the request that flips the status records the change: a concurrent replay waits on
    # the row (PostgreSQL re-checks the WHERE after the first commits; SQLite has one writer).
    flipped = session.execute(_FLIP, {"b_id": contact.id, "b_now": now})
    if not flipped.rowcount:  # type: ignore[attr-defined]
        return Change(False, contact.id or 0, campaign_id)
    set_committed_value(contact, "status", ContactStatus.UNSUBSCRIBED)
    _record(session, link, PreferenceAction.UNSUBSCRIBE, via, Muted(), reason)
    _suppress(session, contact.email_key, now)
    cancelled = session.execute(_CANCEL, {"b_id": contact.id, "b_now": now}).rowcount  # type: ignore[attr-defined]
    log.info(
        "unsubscribed contact=%s campaign=%s via=%s cancelled=%d",
        contact.id,
        campaign_id,
        via.value,
        cancelled or 0,
    )
    return Change(True, contact.id or 0, campaign_id)


def save_preferences(
    session: Session,
    link: Link,
    muted: Muted,
    *,
    reason: str = "",
    via: PreferenceChannel = PreferenceChannel.WEB,
) -> Change:
    """Replace what the journalist stops receiving, and record the change; saving the same
    choices again without a reason records nothing. An unsubscribed journalist stays so."""
    contact_id, campaign_id = link.contact.id or 0, link.campaign.id or 0
    unchanged = muted_of(session, contact_id) == muted and not clean_reason(reason)
    if unchanged or link.contact.status == ContactStatus.UNSUBSCRIBED:
        return Change(False, contact_id, campaign_id)
    save_muted(session, contact_id, muted)
    _record(session, link, PreferenceAction.NARROW, via, muted, reason)
    log.info("preferences contact=%s campaign=%s via=%s", contact_id, campaign_id, via.value)
    return Change(True, contact_id, campaign_id)


def _record(
    session: Session,
    link: Link,
    action: PreferenceAction,
    via: PreferenceChannel,
    muted: Muted,
    reason: str,
) -> None:
    row = {
        "contact_id": link.contact.id,
        "campaign_id": link.campaign.id,
        "action": action,
        "channel": via,
        "muted_regions": sorted(muted.regions),
        "muted_beats": sorted(muted.beats),
        "muted_languages": sorted(muted.languages),
        "reason": clean_reason(reason),
        "created_at": utcnow(),
    }
    session.execute(_RECORD, row)


def _suppress(session: Session, key: str, now: datetime) -> None:
    # The suppression entry outlives the contact: if staff remove it and import the address
    # again, the import refuses it (mailer.suppressions).
    if session.execute(_SUPPRESSED, {"b_target": key}).first() is None:
        session.execute(_SUPPRESS, {"b_target": key, "b_now": now})
