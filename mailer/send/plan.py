"""Plan a campaign: store it and one Delivery per recipient in one transaction (or resume it)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from mailer.contacts.audience import Audience, AudienceFilter
from mailer.contacts.regions import Taxonomy
from mailer.db import bulk_insert
from mailer.models import Campaign, CampaignStatus, Delivery, DeliveryStatus, utcnow
from mailer.release import Release

__all__ = ["Plan", "campaign_key", "plan_campaign"]


@dataclass(frozen=True)
class Plan:
    """The campaign, whether this run created it, and how many deliveries it added."""

    campaign: Campaign
    created: bool
    added: int


def campaign_key(release: Release, flt: AudienceFilter, test_to: str | None = None) -> str:
    """Same release text and same selection = same campaign (so a re-run resumes it)."""
    selection = {
        "release": release.source_hash,
        "regions": sorted(flt.regions),
        "countries": sorted(c.upper() for c in flt.countries),
        "languages": sorted(flt.languages),
        "beats": sorted(flt.beats),
        "test_to": test_to,
    }
    return hashlib.sha256(json.dumps(selection, sort_keys=True).encode()).hexdigest()


def _new_campaign(
    release: Release,
    flt: AudienceFilter,
    key: str,
    retry_hours: float,
    test: bool,
    scheduled_at: datetime | None,
) -> Campaign:
    now = utcnow()
    start = scheduled_at or now
    return Campaign(
        key=key,
        title=release.main.title,
        release_path=str(release.path),
        release_hash=release.source_hash,
        release_sources={
            lang: v.path.read_text(encoding="utf-8-sig") for lang, v in release.variants.items()
        },
        audience={
            "regions": list(flt.regions),
            "countries": list(flt.countries),
            "languages": list(flt.languages),
            "beats": list(flt.beats),
        },
        status=CampaignStatus.SCHEDULED if scheduled_at else CampaignStatus.QUEUED,
        test=test,
        created_at=now,
        scheduled_at=scheduled_at,
        deadline_at=start + timedelta(hours=retry_hours),
    )


def _rows(
    release: Release, audience: Audience, taxonomy: Taxonomy, have: set[int | None]
) -> Iterator[dict[str, object]]:
    """The new deliveries' values, made as bulk_insert takes them: a chunk at a time, never a
    list of the whole audience."""
    names: dict[tuple[str, ...], list[str]] = {}  # equal region lists share one list of names
    for contact in audience.contacts:
        if contact.id in have:
            continue
        slugs = tuple(audience.regions_of.get(contact.id or 0, []))
        if slugs not in names:
            names[slugs] = [taxonomy.get(s).name for s in slugs]
        yield {
            "contact_id": contact.id,
            "email": contact.email,
            "name": contact.name,
            "language": release.variant_for(contact.languages).language,
            "regions": names[slugs],
        }


def plan_campaign(
    session: Session,
    release: Release,
    flt: AudienceFilter,
    audience: Audience,
    taxonomy: Taxonomy,
    *,
    retry_hours: float,
    test_to: str | None = None,
    scheduled_at: datetime | None = None,
) -> Plan:
    """Create the campaign and its deliveries, or find it and add only missing recipients."""
    key = campaign_key(release, flt, test_to)
    campaign = session.exec(select(Campaign).where(Campaign.key == key)).first()
    created = campaign is None
    if campaign is None:
        campaign = _new_campaign(release, flt, key, retry_hours, test_to is not None, scheduled_at)
        session.add(campaign)
        session.flush()
    have = set(
        session.exec(select(Delivery.contact_id).where(Delivery.campaign_id == campaign.id)).all()
    )
    cancelled = campaign.status == CampaignStatus.CANCELLED
    rows: Iterable[dict[str, object]] = (
        () if cancelled else _rows(release, audience, taxonomy, have)
    )
    now = utcnow()
    constants = {
        "campaign_id": campaign.id,
        "status": DeliveryStatus.QUEUED,
        "attempts": 0,
        "next_attempt_at": campaign.scheduled_at or now,
        "created_at": now,
        "updated_at": now,
    }
    added = bulk_insert(session, Delivery.__table__, rows, constants)  # type: ignore[attr-defined]
    if added and not created and campaign.status == CampaignStatus.FINISHED:
        campaign.status = CampaignStatus.SENDING
        campaign.finished_at = None
    campaign.recipients = len(have) + added
    session.add(campaign)
    session.flush()
    return Plan(campaign, created, added)


def delivery_ids(session: Session, campaign_id: int) -> list[int]:
    """Every delivery of a campaign (for tests and reports)."""
    return [
        int(i)
        for i in session.exec(
            select(Delivery.id)
            .where(Delivery.campaign_id == campaign_id)
            .order_by(col(Delivery.id))
        ).all()
        if i is not None
    ]
