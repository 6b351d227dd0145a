"""The organisation-wide do-not-contact list: addresses, whole domains and forgotten hashes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlmodel import Session, col, select

from mailer.contacts.fields import FieldError, email_key, normalize_email
from mailer.errors import ConflictError, NotFoundError, UsageError
from mailer.models import (
    Contact,
    ContactStatus,
    ForgottenAddress,
    Suppression,
    SuppressionKind,
    SuppressionSource,
    utcnow,
)

__all__ = [
    "SuppressionSet",
    "add_suppression",
    "address_hash",
    "list_suppressions",
    "load_suppression_set",
    "parse_target",
    "remove_suppression",
]


def address_hash(key: str) -> str:
    """SHA-256 of a lowercased address: all that is kept of a forgotten person."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def parse_target(text: str) -> tuple[str, SuppressionKind]:
    """`someone@host` -> an address entry, `@host` -> a domain entry; lowercased."""
    value = text.strip()
    if value.startswith("@"):
        domain = value[1:].lower().rstrip(".")
        try:
            normalize_email(f"postmaster@{domain}")
        except FieldError:
            raise UsageError(f"not a valid domain: {value!r}") from None
        return f"@{domain}", SuppressionKind.DOMAIN
    try:
        return email_key(normalize_email(value)), SuppressionKind.ADDRESS
    except FieldError as exc:
        raise UsageError(f"not a valid address or @domain: {value!r} ({exc})") from None


@dataclass(frozen=True)
class SuppressionSet:
    """Everything that must never be mailed or re-imported, loaded once for a bulk operation."""

    addresses: frozenset[str]
    domains: frozenset[str]
    forgotten: frozenset[str]

    def reason(self, key: str) -> str | None:
        """Why this (lowercased) address is blocked, or None when it may be used."""
        if key in self.addresses:
            return "address is on the suppression list"
        domain = key.rpartition("@")[2]
        # A domain entry covers its subdomains too (@example.org blocks news.example.org).
        parts = domain.split(".")
        for i in range(len(parts) - 1):
            if ".".join(parts[i:]) in self.domains:
                return f"domain @{'.'.join(parts[i:])} is on the suppression list"
        if address_hash(key) in self.forgotten:
            return "address was forgotten at the person's request"
        return None


def load_suppression_set(session: Session) -> SuppressionSet:
    """The current suppression list, as sets."""
    rows = session.exec(select(Suppression.target, Suppression.kind)).all()
    forgotten = session.exec(select(ForgottenAddress.address_hash)).all()
    return SuppressionSet(
        addresses=frozenset(t for t, k in rows if k == SuppressionKind.ADDRESS),
        domains=frozenset(t[1:] for t, k in rows if k == SuppressionKind.DOMAIN),
        forgotten=frozenset(forgotten),
    )


def add_suppression(
    session: Session,
    target: str,
    reason: str,
    source: SuppressionSource = SuppressionSource.MANUAL,
) -> tuple[Suppression, int]:
    """Add an entry and mark matching active contacts suppressed; returns it and that count."""
    value, kind = parse_target(target)
    if session.exec(select(Suppression).where(Suppression.target == value)).first():
        raise ConflictError(f"{value} is already on the suppression list")
    entry = Suppression(target=value, kind=kind, reason=" ".join(reason.split()), source=source)
    session.add(entry)
    affected = 0
    for contact in _matching_contacts(session, value, kind):
        if contact.status == ContactStatus.ACTIVE:
            contact.status = ContactStatus.SUPPRESSED
            contact.updated_at = utcnow()
            affected += 1
    session.flush()
    return entry, affected


def _matching_contacts(session: Session, value: str, kind: SuppressionKind) -> list[Contact]:
    if kind == SuppressionKind.ADDRESS:
        return list(session.exec(select(Contact).where(Contact.email_key == value)))
    domain = value[1:]
    query = select(Contact).where(
        col(Contact.email_key).like(f"%@{domain}") | col(Contact.email_key).like(f"%.{domain}")
    )
    return list(session.exec(query))


def remove_suppression(session: Session, target: str) -> tuple[Suppression, int]:
    """Remove an entry; contacts it suppressed become active again. Returns it and that count."""
    value, kind = parse_target(target)
    entry = session.exec(select(Suppression).where(Suppression.target == value)).first()
    if entry is None:
        raise NotFoundError(f"{value} is not on the suppression list")
    session.delete(entry)
    session.flush()
    remaining = load_suppression_set(session)
    restored = 0
    for contact in _matching_contacts(session, value, kind):
        if contact.status == ContactStatus.SUPPRESSED and not remaining.reason(contact.email_key):
            contact.status = ContactStatus.ACTIVE
            contact.updated_at = utcnow()
            restored += 1
    return entry, restored


def list_suppressions(session: Session) -> list[Suppression]:
    """Every entry, domains first, then addresses, alphabetically."""
    rows = session.exec(select(Suppression)).all()
    return sorted(rows, key=lambda s: (s.kind != SuppressionKind.DOMAIN, s.target))
