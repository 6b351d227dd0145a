"""Queries and single-contact changes: find, filter, add, edit, remove, forget."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, or_, select

from mailer.contacts.fields import FieldError, email_key, normalize_email
from mailer.contacts.records import ContactData
from mailer.contacts.regions import Taxonomy
from mailer.errors import ConflictError, NotFoundError, UsageError
from mailer.models import (
    BounceEvent,
    Contact,
    ContactStatus,
    utcnow,
)
from mailer.suppressions import load_suppression_set

__all__ = [
    "ContactFilter",
    "add_contact",
    "address_key",
    "bounce_history",
    "edit_contact",
    "find_contact",
    "language_match",
    "list_contacts",
    "reactivate_contact",
    "remove_contact",
    "sql_filters",
]


@dataclass(frozen=True)
class ContactFilter:
    """The filters of `mailer contacts list`; all given filters must match."""

    regions: Sequence[str] = ()
    countries: Sequence[str] = ()
    languages: Sequence[str] = ()
    outlet: str | None = None
    beats: Sequence[str] = ()
    statuses: Sequence[ContactStatus] = ()
    text: str | None = None


def address_key(email: str) -> str:
    """The lookup key of an address as a person typed it; a one-line UsageError if invalid."""
    try:
        return email_key(normalize_email(email))
    except FieldError as exc:
        raise UsageError(f"not a valid address: {email!r} ({exc})") from None


def find_contact(session: Session, email: str) -> Contact:
    """The contact with this address (any case), or NotFoundError."""
    contact = session.exec(select(Contact).where(Contact.email_key == address_key(email))).first()
    if contact is None:
        raise NotFoundError(f"no contact with address {email.strip()}")
    return contact


def sql_filters(flt: ContactFilter) -> list[ColumnElement[bool]]:
    """The filters SQL can apply (country, status, outlet, text); the rest are applied in Python."""
    conds: list[ColumnElement[bool]] = []
    if flt.countries:
        conds.append(col(Contact.country).in_([c.upper() for c in flt.countries]))
    if flt.statuses:
        conds.append(col(Contact.status).in_(list(flt.statuses)))
    if flt.outlet:
        conds.append(col(Contact.outlet).ilike(f"%{flt.outlet}%"))
    if flt.text:
        pattern = f"%{flt.text}%"
        conds.append(
            or_(
                col(Contact.name).ilike(pattern),
                col(Contact.email_key).ilike(pattern),
                col(Contact.outlet).ilike(pattern),
                col(Contact.role).ilike(pattern),
                col(Contact.notes).ilike(pattern),
            )
        )
    return conds


def language_match(languages: Sequence[str], wanted: Sequence[str]) -> bool:
    """Whether any of the languages is one of the wanted ones or a more specific form of one."""
    # "sr" matches sr-Latn and sr-Cyrl; "sr-Latn" matches only itself (RFC 4647 basic filtering).
    return any(
        lang.lower() == want.lower() or lang.lower().startswith(want.lower() + "-")
        for lang in languages
        for want in wanted
    )


def list_contacts(session: Session, taxonomy: Taxonomy, flt: ContactFilter) -> list[Contact]:
    """Contacts matching the filter, ordered by country then name."""
    query = (
        select(Contact)
        .where(*sql_filters(flt))
        .order_by(col(Contact.country), col(Contact.name), col(Contact.email_key))
    )
    rows = list(session.exec(query))
    for slug in flt.regions:
        region = taxonomy.validate_slug(slug)
        rows = [c for c in rows if taxonomy.contains(region, c.country, c.regions)]
    if flt.languages:
        rows = [c for c in rows if language_match(c.languages, flt.languages)]
    if flt.beats:
        wanted = {b.lower() for b in flt.beats}
        rows = [c for c in rows if wanted.intersection(c.beats)]
    return rows


def add_contact(session: Session, data: ContactData, source: str) -> Contact:
    """Add one journalist; refuses duplicates and suppressed or forgotten addresses."""
    reason = load_suppression_set(session).reason(data.key)
    if reason:
        raise ConflictError(f"{data.email}: {reason}; not added")
    if session.exec(select(Contact.id).where(Contact.email_key == data.key)).first():
        raise ConflictError(f"{data.email} is already a contact; use `mailer contacts edit`")
    contact = Contact.model_validate({**data.as_row(), "source": source})
    session.add(contact)
    session.flush()
    return contact


def edit_contact(session: Session, email: str, changes: dict[str, object]) -> Contact:
    """Apply validated field changes to one contact."""
    contact = find_contact(session, email)
    if "email" in changes:
        new_key = email_key(str(changes["email"]))
        if new_key != contact.email_key:
            taken = session.exec(select(Contact.id).where(Contact.email_key == new_key)).first()
            if taken:
                raise ConflictError(f"{changes['email']} is already another contact")
            reason = load_suppression_set(session).reason(new_key)
            if reason:
                raise ConflictError(f"{changes['email']}: {reason}")
        changes["email_key"] = new_key
    for name, value in changes.items():
        setattr(contact, name, value)
    contact.updated_at = utcnow()
    session.add(contact)
    session.flush()
    return contact


def remove_contact(session: Session, email: str) -> Contact:
    """Delete one contact (the address may be imported again later)."""
    contact = find_contact(session, email)
    session.delete(contact)
    session.flush()
    return contact


def reactivate_contact(session: Session, email: str, reason: str) -> Contact:
    """Make a bounced or complained contact active again, noting why (the consent record)."""
    contact = find_contact(session, email)
    if contact.status == ContactStatus.ACTIVE:
        raise ConflictError(f"{contact.email} is already active")
    if contact.status == ContactStatus.UNSUBSCRIBED:
        raise ConflictError(f"{contact.email} unsubscribed; only they can subscribe again")
    if load_suppression_set(session).reason(contact.email_key):
        raise ConflictError(
            f"{contact.email} is on the suppression list; `mailer suppressions remove` it first"
        )
    now = utcnow()
    note = f"reactivated {now:%Y-%m-%d} (was {contact.status.value}): {' '.join(reason.split())}"
    contact.notes = f"{contact.notes}\n{note}".strip()
    contact.status = ContactStatus.ACTIVE
    contact.updated_at = now
    session.add(contact)
    session.flush()
    return contact


def bounce_history(session: Session, contact_id: int) -> list[BounceEvent]:
    """The contact's bounce events, newest first."""
    query = select(BounceEvent).where(col(BounceEvent.contact_id) == contact_id)
    return list(session.exec(query.order_by(col(BounceEvent.id).desc())))
