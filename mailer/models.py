"""SQLModel tables of the newsroom and the enums of their states."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, DateTime, Dialect, Index, String, Text, TypeDecorator
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

__all__ = [
    "Contact",
    "ContactStatus",
    "ForgottenAddress",
    "Spokesperson",
    "Suppression",
    "SuppressionKind",
    "SuppressionSource",
    "UTCDateTime",
    "utcnow",
]


def utcnow() -> datetime:
    """The current time, timezone-aware (every timestamp in the database is UTC)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use mailer.models.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _ts(nullable: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable)


def _enum(enum: type[StrEnum], name: str) -> SAEnum:
    # Stored as the enum's value in a plain VARCHAR: portable, and a new state is a migration
    # of a CHECK-free column rather than an ALTER TYPE on PostgreSQL.
    return SAEnum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


class ContactStatus(StrEnum):
    """Whether a journalist may be mailed, and if not, why."""

    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    COMPLAINED = "complained"
    SUPPRESSED = "suppressed"


class SuppressionKind(StrEnum):
    """A suppression names one address or a whole domain."""

    ADDRESS = "address"
    DOMAIN = "domain"


class SuppressionSource(StrEnum):
    """Who or what put an entry on the do-not-contact list."""

    MANUAL = "manual"
    IMPORT = "import"
    BOUNCE = "bounce"
    COMPLAINT = "complaint"
    UNSUBSCRIBE = "unsubscribe"


class Contact(SQLModel, table=True):
    """A journalist on the press list."""

    __tablename__ = "contact"
    __table_args__ = (Index("ix_contact_country_status", "country", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    # `email` keeps the spelling given; `email_key` (lowercased) makes it unique regardless of case.
    email: str = Field(sa_column=Column(String(320), nullable=False))
    email_key: str = Field(sa_column=Column(String(320), nullable=False, unique=True))
    name: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    outlet: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    role: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    beats: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    country: str | None = Field(default=None, sa_column=Column(String(2), nullable=True))
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    regions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    phone: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: ContactStatus = Field(
        default=ContactStatus.ACTIVE,
        sa_column=Column(_enum(ContactStatus, "contact_status"), nullable=False),
    )
    # Consent record: where the address came from and when it was obtained.
    source: str = Field(default="", sa_column=Column(String(500), nullable=False, default=""))
    source_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Spokesperson(SQLModel, table=True):
    """Someone journalists may call about a release."""

    __tablename__ = "spokesperson"

    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    title: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    organisation: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    office: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    email: str = Field(sa_column=Column(String(320), nullable=False))
    phones: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Suppression(SQLModel, table=True):
    """An organisation-wide do-not-contact entry: one address, or `@domain` for a whole domain."""

    __tablename__ = "suppression"

    id: int | None = Field(default=None, primary_key=True)
    # Lowercased address, or "@domain" for a domain entry.
    target: str = Field(sa_column=Column(String(320), nullable=False, unique=True))
    kind: SuppressionKind = Field(
        sa_column=Column(_enum(SuppressionKind, "suppression_kind"), nullable=False)
    )
    reason: str = Field(default="", sa_column=Column(String(500), nullable=False, default=""))
    source: SuppressionSource = Field(
        default=SuppressionSource.MANUAL,
        sa_column=Column(_enum(SuppressionSource, "suppression_source"), nullable=False),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class ForgottenAddress(SQLModel, table=True):
    """What remains of an erased journalist: a hash, so the address is never re-imported."""

    __tablename__ = "forgotten_address"

    # SHA-256 of the lowercased address; nothing else about the person is kept.
    address_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    forgotten_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
