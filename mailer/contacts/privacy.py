"""Data-protection requests about one person: everything held (access) and its erasure (forget).

GDPR articles 15 and 17. Access gathers every row that names the person, by contact id or by
address; erasure deletes the contact (its preferences and their history go with it, ON DELETE
CASCADE), blanks the address and name kept on deliveries and bounce events, removes the address
wherever a relay or a bounce quoted it, and keeps only a hash so the address is never imported
again.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import Table, func, or_, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, delete, select

from mailer.contacts.store import address_key
from mailer.errors import NotFoundError
from mailer.models import (
    BounceEvent,
    Campaign,
    Contact,
    ContactPreference,
    Delivery,
    ForgottenAddress,
    PreferenceChange,
    Suppression,
)
from mailer.suppressions import address_hash

__all__ = ["ERASED", "forget_contact", "subject_access"]

ERASED = "[erased]"
_D: Table = Delivery.__table__  # type: ignore[attr-defined]
_B: Table = BounceEvent.__table__  # type: ignore[attr-defined]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _row(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: _plain(v) for k, v in obj.model_dump().items() if k not in skip}


def _mapping(row: Any) -> dict[str, Any]:
    return {k: _plain(v) for k, v in row._mapping.items()}


def _names(table: Table, contact_id: int | None, key: str) -> Any:
    # Equality on the lowercased address, never LIKE: "_" and "%" are legal in a local part and
    # would match other people's addresses as wildcards.
    by_address = func.lower(table.c.email) == key
    return or_(table.c.contact_id == contact_id, by_address) if contact_id else by_address


def subject_access(session: Session, email: str) -> dict[str, Any]:
    """Everything held about the person with this address, as plain JSON-ready data."""
    key = address_key(email)
    contact = session.exec(select(Contact).where(col(Contact.email_key) == key)).first()
    cid = contact.id if contact is not None else None
    digest = address_hash(key)
    forgotten = session.get(ForgottenAddress, digest)
    report: dict[str, Any] = {
        "address": key,
        "contact": _row(contact, ("email_key",)) if contact is not None else None,
        "preferences": None,
        "preference_changes": [],
        "suppressions": [
            _row(s) for s in session.exec(select(Suppression).where(col(Suppression.target) == key))
        ],
        "erased_at": forgotten.forgotten_at.isoformat() if forgotten is not None else None,
    }
    if cid is not None:
        pref = session.get(ContactPreference, cid)
        report["preferences"] = _row(pref) if pref is not None else None
        changes = select(PreferenceChange).where(col(PreferenceChange.contact_id) == cid)
        report["preference_changes"] = [_row(c) for c in session.exec(changes)]
    titles: dict[int, str] = {c.id or 0: c.title for c in session.exec(select(Campaign))}
    deliveries = session.execute(core_select(_D).where(_names(_D, cid, key)).order_by(_D.c.id))
    report["deliveries"] = [
        {**_mapping(r), "campaign_title": titles.get(r.campaign_id)} for r in deliveries
    ]
    bounces = session.execute(core_select(_B).where(_names(_B, cid, key)).order_by(_B.c.id))
    report["bounce_events"] = [_mapping(r) for r in bounces]
    held = ("contact", "deliveries", "bounce_events", "suppressions", "erased_at")
    if not any(report[k] for k in held):
        raise NotFoundError(f"nothing is held about {email.strip()}")
    return report


def _scrub(session: Session, table: Table, columns: tuple[str, ...], where: Any, key: str) -> int:
    """Blank the address and name columns of matching rows and cut the address out of their free
    text (a relay's reply, a bounce diagnostic, an event identity); the rest of the text stays
    for the statistics. Returns the rows changed."""
    pattern = re.compile(re.escape(key), re.IGNORECASE)
    rows = session.execute(
        core_select(table.c.id, *(table.c[c] for c in columns)).where(where)
    ).all()
    for row in rows:
        values: dict[str, Any] = {"email": ""}
        if "name" in table.c:
            values["name"] = ""
        for column, text in zip(columns, row[1:], strict=True):
            if isinstance(text, str) and pattern.search(text):
                values[column] = pattern.sub(ERASED, text)
        session.execute(update(table).where(table.c.id == row.id).values(values))
    return len(rows)


def forget_contact(session: Session, email: str) -> str:
    """Erase everything held about a person; keep only a hash so they are not re-imported."""
    key = address_key(email)
    contact = session.exec(select(Contact).where(col(Contact.email_key) == key)).first()
    suppressed = session.exec(select(Suppression).where(col(Suppression.target) == key)).first()
    cid = contact.id if contact is not None else None
    touched = _scrub(session, _D, ("smtp_reply",), _names(_D, cid, key), key)
    touched += _scrub(session, _B, ("diagnostic", "identity"), _names(_B, cid, key), key)
    if contact is None and suppressed is None and not touched:
        raise NotFoundError(f"no contact or suppression with address {email.strip()}")
    if contact is not None:
        # Preferences and their history (with the person's own words) go by ON DELETE CASCADE;
        # deliveries and bounce events keep their counts with contact_id set to NULL.
        session.delete(contact)
    # The suppression entry holds the address in clear; the hash below blocks it just as well.
    session.execute(delete(Suppression).where(col(Suppression.target) == key))
    digest = address_hash(key)
    if session.get(ForgottenAddress, digest) is None:
        session.add(ForgottenAddress(address_hash=digest))
    session.flush()
    return digest
