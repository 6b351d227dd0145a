"""The send service: validate a release for an audience, plan the campaign, run the sender."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from mailer.config import Settings
from mailer.contacts.audience import Audience, AudienceFilter, resolve_audience
from mailer.contacts.members import Member
from mailer.contacts.regions import Taxonomy
from mailer.errors import ConfigError, UsageError
from mailer.models import ContactStatus
from mailer.release import Release, ReleaseInvalid, load_release
from mailer.release_check import roster_for
from mailer.render.variant import make_recipient, render_variant
from mailer.send.plan import Plan, plan_campaign

__all__ = ["SendPlan", "parse_when", "plan_send", "prepare_send", "relay_description"]


@dataclass
class SendPlan:
    """What a send would do: the release, its audience, and the figures the summary shows."""

    release: Release
    flt: AudienceFilter
    audience: Audience
    by_region: Counter[str] = field(default_factory=Counter)
    by_language: Counter[str] = field(default_factory=Counter)
    spokespeople: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def parse_when(text: str) -> datetime:
    """'2026-12-18 09:00 Asia/Bishkek', '2026-12-18T09:00:00+06:00' -> an aware datetime."""
    value = text.strip()
    zone = None
    if (" " in value and "/" in value.rsplit(" ", 1)[1]) or value.endswith(" UTC"):
        value, zone_name = value.rsplit(" ", 1)
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(f"--at: unknown time zone {zone_name!r}") from None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--at: cannot read {text!r}; e.g. '2026-12-18 09:00 Asia/Bishkek'"
        ) from None
    if zone is not None:
        when = when.replace(tzinfo=zone)
    if when.tzinfo is None:
        raise UsageError("--at needs a time zone, e.g. '2026-12-18 09:00 Asia/Bishkek' or +06:00")
    return when


def relay_description(settings: Settings) -> str:
    """Where messages go, for the summary."""
    relays = settings.relay_list()
    if not relays:
        return f"local outbox {settings.outbox_dir}/ (Maildir; no relay configured)"
    return ", ".join(f"{r.name} ({r.tls.value}, {r.max_connections} connections)" for r in relays)


def prepare_send(
    session: Session,
    taxonomy: Taxonomy,
    settings: Settings,
    path: Path,
    flt: AudienceFilter,
    test_to: str | None = None,
) -> SendPlan:
    """Load and validate the release, render every variant once, resolve the audience."""
    release = load_release(path)
    if not flt.regions and release.main.regions and test_to is None:
        flt = replace(flt, regions=release.main.regions)
    # Journalists' own choices apply to what this release is: its topics, the variant each gets.
    flt = replace(flt, release=release)
    if not flt.regions and not flt.countries and test_to is None:
        raise UsageError(
            "no audience: give --region (or --country), or list regions: in the "
            "release's front matter"
        )
    errors = []
    people_names: list[str] = []
    sizes: dict[str, int] = {}
    for lang, variant in release.variants.items():
        people, missing = roster_for(session, variant)
        errors += missing
        if missing:
            continue
        rendered = render_variant(variant, people, settings, test=test_to is not None)
        sample = make_recipient(
            settings,
            lang,
            email="journalist@example.org",
            name="Sample",
            contact_id=1,
            campaign_id=1,
            delivery_id=1,
        )
        sizes[lang] = len(rendered.prepared.personalise(sample))
        if variant is release.main:
            people_names = [f"{p.name} ({p.office})" for p in people]
    if errors:
        raise ReleaseInvalid(errors)
    audience = (
        _test_audience(test_to, release) if test_to else resolve_audience(session, taxonomy, flt)
    )
    plan = SendPlan(release, flt, audience, spokespeople=people_names, sizes=sizes)
    for contact in audience.contacts:
        plan.by_language[release.variant_for(contact.languages).language] += 1
        for slug in audience.regions_of.get(contact.id or 0, []) or ["(filters)"]:
            plan.by_region[slug] += 1
    return plan


def _test_audience(address: str, release: Release) -> Audience:
    # One pseudo-contact per language variant, all to the test address.
    contacts = [
        Member(None, address, address.lower(), "", None, (), (lang,), (), ContactStatus.ACTIVE)
        for lang in release.variants
    ]
    return Audience(contacts, {}, 0)


def plan_send(
    session: Session,
    taxonomy: Taxonomy,
    settings: Settings,
    plan: SendPlan,
    *,
    test_to: str | None = None,
    scheduled_at: datetime | None = None,
) -> Plan:
    """Store the campaign and its deliveries (or find the same campaign again)."""
    if settings.uses_default_secret and settings.relay_list():
        raise ConfigError(
            "secret_key (or MAILER_SECRET_KEY) is the demo default: set a long "
            "random value before sending through a relay"
        )
    nonce = f"{test_to} {uuid.uuid4().hex}" if test_to else None
    return plan_campaign(
        session,
        plan.release,
        plan.flt,
        plan.audience,
        taxonomy,
        retry_hours=settings.retry_hours,
        test_to=nonce,
        scheduled_at=scheduled_at,
    )
