"""What the preferences page offers a journalist: their regions, beats and languages, each kept
or muted, and the muted set a submitted form means."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from sqlmodel import Session, col, select

from mailer.contacts.preferences import Muted
from mailer.contacts.regions import Taxonomy
from mailer.models import Campaign, Contact, Delivery

__all__ = ["Choice", "Choices", "offer"]

# Regions of the newest campaigns a journalist received are offered; older ones rarely matter.
RECENT_CAMPAIGNS = 50


@dataclass(frozen=True)
class Choice:
    """One checkbox: the value submitted, its label, and whether it is ticked."""

    value: str
    label: str
    kept: bool


@dataclass(frozen=True)
class Choices:
    """The three groups of checkboxes."""

    regions: list[Choice]
    beats: list[Choice]
    languages: list[Choice]

    def muted_from(
        self, regions: Iterable[str], beats: Iterable[str], languages: Iterable[str]
    ) -> Muted:
        """What the journalist mutes when they keep these: every offered value not kept. A
        value that was not offered is ignored, so a crafted form stores nothing new."""
        return Muted.of(
            _unticked(self.regions, regions),
            _unticked(self.beats, beats),
            _unticked(self.languages, languages),
        )


def _unticked(offered: Sequence[Choice], kept: Iterable[str]) -> list[str]:
    keep = {k.lower() for k in kept}
    return [c.value for c in offered if c.value.lower() not in keep]


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.lower(), value)
    return list(seen.values())


def _campaign_regions(session: Session, contact: Contact, campaign: Campaign) -> list[str]:
    received = (
        select(Campaign.audience)
        .join(Delivery, col(Delivery.campaign_id) == col(Campaign.id))
        .where(col(Delivery.contact_id) == contact.id)
        .order_by(col(Campaign.id).desc())
        .limit(RECENT_CAMPAIGNS)
    )
    audiences = [campaign.audience, *session.exec(received)]
    return [slug for audience in audiences for slug in audience.get("regions", [])]


def _regions(
    session: Session, taxonomy: Taxonomy, contact: Contact, campaign: Campaign, muted: Muted
) -> list[Choice]:
    slugs = _unique(
        [
            *_campaign_regions(session, contact, campaign),
            *contact.regions,
            *sorted(muted.regions),
        ]
    )
    known = [s for s in slugs if s in taxonomy]
    mine = [
        s
        for s in known
        if s.lower() in muted.regions or taxonomy.contains(s, contact.country, contact.regions)
    ]
    return [Choice(s.lower(), taxonomy.get(s).name, s.lower() not in muted.regions) for s in mine]


def _language_name(tag: str, page: str) -> str:
    try:
        name = Locale.parse(tag.replace("-", "_")).get_display_name(Locale.parse(page))
    except (UnknownLocaleError, ValueError, TypeError):
        return tag
    return (name[:1].upper() + name[1:]) if name else tag


def _page_locale(language: str) -> str:
    try:
        Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return "en"
    return language.replace("-", "_")


def offer(
    session: Session,
    taxonomy: Taxonomy,
    contact: Contact,
    campaign: Campaign,
    muted: Muted,
    page_language: str,
) -> Choices:
    """The checkboxes for one journalist: regions of the campaigns they received (and their own
    region tags), their beats and their languages, plus anything they muted before."""
    beats = _unique([*contact.beats, *sorted(muted.beats)])
    languages = _unique([*contact.languages, *sorted(muted.languages)])
    page = _page_locale(page_language)
    return Choices(
        regions=_regions(session, taxonomy, contact, campaign, muted),
        beats=[Choice(b, b[:1].upper() + b[1:], b.lower() not in muted.beats) for b in beats],
        languages=[
            Choice(t, _language_name(t, page), t.lower() not in muted.languages) for t in languages
        ],
    )
