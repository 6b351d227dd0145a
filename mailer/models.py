"""SQLModel tables of the newsroom and the enums of their states."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

__all__ = [
    "BounceEvent",
    "BounceKind",
    "BounceSource",
    "Campaign",
    "CampaignStatus",
    "Contact",
    "ContactPreference",
    "ContactStatus",
    "Delivery",
    "DeliveryStatus",
    "ForgottenAddress",
    "PreferenceAction",
    "PreferenceChange",
    "PreferenceChannel",
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
    # Name, title, organisation and office as written in other languages: {"ru": {"title": ...}}.
    translations: dict[str, dict[str, str]] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())

    def localized(self, language: str) -> dict[str, str]:
        """Name, title, organisation and office in the language (exact tag, then primary)."""
        base = {
            "name": self.name,
            "title": self.title,
            "organisation": self.organisation,
            "office": self.office,
        }
        tags = {t.lower(): v for t, v in (self.translations or {}).items()}
        for tag in (language.lower(), language.split("-")[0].lower()):
            if tag in tags:
                return {**base, **{k: v for k, v in tags[tag].items() if k in base and v}}
        return base


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


class CampaignStatus(StrEnum):
    """Where a campaign stands; finished only when no delivery is queued, sending or deferred."""

    SCHEDULED = "scheduled"
    QUEUED = "queued"
    SENDING = "sending"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    """The state of one journalist's copy of one campaign."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DEFERRED = "deferred"
    FAILED = "failed"
    BOUNCED = "bounced"
    CANCELLED = "cancelled"


class BounceKind(StrEnum):
    """What a bounce says about the address (hard: gone; block: our problem, not theirs)."""

    HARD = "hard"
    SOFT = "soft"
    BLOCK = "block"
    COMPLAINT = "complaint"


class BounceSource(StrEnum):
    """Where a bounce event was learned."""

    SMTP = "smtp"
    DSN = "dsn"
    ARF = "arf"
    WEBHOOK = "webhook"


class Campaign(SQLModel, table=True):
    """One release sent to one audience: the release as sent and the selection that made it."""

    __tablename__ = "campaign"

    id: int | None = Field(default=None, primary_key=True)
    # Same release (content hash) + same audience = same campaign: re-running resumes it.
    key: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    title: str = Field(sa_column=Column(String(300), nullable=False))
    release_path: str = Field(sa_column=Column(String(1000), nullable=False))
    release_hash: str = Field(sa_column=Column(String(64), nullable=False))
    # Every variant's source text, by language: the release exactly as sent.
    release_sources: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    audience: dict[str, list[str]] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    status: CampaignStatus = Field(
        default=CampaignStatus.QUEUED,
        sa_column=Column(_enum(CampaignStatus, "campaign_status"), nullable=False),
    )
    test: bool = Field(default=False, nullable=False)
    recipients: int = Field(default=0, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    scheduled_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    started_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # Retries of deferred deliveries stop here; they become failed.
    deadline_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Delivery(SQLModel, table=True):
    """One journalist's copy of a campaign, with everything the relay said about it."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("campaign_id", "contact_id", name="uq_delivery_campaign_contact"),
        Index("ix_delivery_claim", "campaign_id", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(
        sa_column=Column(Integer, ForeignKey("campaign.id", ondelete="CASCADE"), nullable=False)
    )
    # SET NULL: removing or forgetting a contact keeps the delivery's statistics.
    contact_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("contact.id", ondelete="SET NULL"), nullable=True),
    )
    email: str = Field(sa_column=Column(String(320), nullable=False))
    name: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    language: str = Field(sa_column=Column(String(35), nullable=False))
    regions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: DeliveryStatus = Field(
        default=DeliveryStatus.QUEUED,
        sa_column=Column(_enum(DeliveryStatus, "delivery_status"), nullable=False),
    )
    attempts: int = Field(default=0, nullable=False)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    lease_owner: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    lease_expires_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    relay: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    smtp_code: int | None = Field(default=None, nullable=True)
    smtp_reply: str | None = Field(default=None, sa_column=Column(String(1000), nullable=True))
    queue_id: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    message_id: str | None = Field(default=None, sa_column=Column(String(250), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class BounceEvent(SQLModel, table=True):
    """One bounce, block or complaint, recorded once per source and identity."""

    __tablename__ = "bounce_event"
    __table_args__ = (UniqueConstraint("source", "identity", name="uq_bounce_source_identity"),)

    id: int | None = Field(default=None, primary_key=True)
    source: BounceSource = Field(
        sa_column=Column(_enum(BounceSource, "bounce_source"), nullable=False)
    )
    # What makes the event unique within its source (a delivery id and attempt, a Message-ID).
    identity: str = Field(sa_column=Column(String(250), nullable=False))
    kind: BounceKind = Field(sa_column=Column(_enum(BounceKind, "bounce_kind"), nullable=False))
    delivery_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("delivery.id", ondelete="SET NULL"), nullable=True),
    )
    contact_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("contact.id", ondelete="SET NULL"), nullable=True),
    )
    email: str = Field(sa_column=Column(String(320), nullable=False))
    status: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    smtp_code: int | None = Field(default=None, nullable=True)
    diagnostic: str = Field(default="", sa_column=Column(String(1000), nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class PreferenceAction(StrEnum):
    """What a journalist did about their subscription."""

    UNSUBSCRIBE = "unsubscribe"
    NARROW = "narrow"  # kept only some regions, beats and languages


class PreferenceChannel(StrEnum):
    """How the journalist's choice reached us."""

    ONE_CLICK = "one_click"  # a mail client's RFC 8058 POST to the List-Unsubscribe URL
    WEB = "web"  # the preferences page
    MAILTO = "mailto"  # a message to the List-Unsubscribe mailto: address


class ContactPreference(SQLModel, table=True):
    """What a journalist chose to stop receiving; kept apart from the contact so that a staff
    edit or an import never undoes it."""

    __tablename__ = "contact_preference"

    contact_id: int = Field(
        sa_column=Column(Integer, ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True)
    )
    # Exact region slugs, beats and BCP 47 tags the journalist unticked.
    muted_regions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    muted_beats: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    muted_languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class PreferenceChange(SQLModel, table=True):
    """One unsubscribe or change of preferences, when, from which campaign's link, and why."""

    __tablename__ = "preference_change"
    __table_args__ = (Index("ix_preference_change_contact", "contact_id"),)

    id: int | None = Field(default=None, primary_key=True)
    # CASCADE: forgetting a person erases their reasons too; the suppression hash remains.
    contact_id: int = Field(
        sa_column=Column(Integer, ForeignKey("contact.id", ondelete="CASCADE"), nullable=False)
    )
    campaign_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("campaign.id", ondelete="SET NULL"), nullable=True),
    )
    action: PreferenceAction = Field(
        sa_column=Column(_enum(PreferenceAction, "preference_action"), nullable=False)
    )
    channel: PreferenceChannel = Field(
        sa_column=Column(_enum(PreferenceChannel, "preference_channel"), nullable=False)
    )
    muted_regions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    muted_beats: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    muted_languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The journalist's own words, one line, at most 500 characters (see mailer.unsubscribe).
    reason: str = Field(default="", sa_column=Column(String(500), nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
