"""Who receives a release: regions (with sub-regions) and filters, minus everyone who must not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from mailer.contacts.regions import Taxonomy
from mailer.contacts.store import ContactFilter, list_contacts
from mailer.models import Contact, ContactStatus
from mailer.suppressions import load_suppression_set

__all__ = ["Audience", "AudienceFilter", "resolve_audience"]


@dataclass(frozen=True)
class AudienceFilter:
    """The selection of a send: any of the regions, then every other filter given."""

    regions: Sequence[str] = ()
    countries: Sequence[str] = ()
    languages: Sequence[str] = ()
    beats: Sequence[str] = ()


@dataclass(frozen=True)
class Audience:
    """The recipients, and for each the regions of the selection they belong to."""

    contacts: list[Contact]
    regions_of: dict[int, list[str]]
    excluded: int


def resolve_audience(session: Session, taxonomy: Taxonomy, flt: AudienceFilter) -> Audience:
    """Active contacts in any of the regions (or everyone when none is given), filtered,
    without suppressed addresses or domains; each contact once."""
    slugs = [taxonomy.validate_slug(r) for r in flt.regions]
    candidates = list_contacts(
        session,
        taxonomy,
        ContactFilter(
            countries=flt.countries,
            languages=flt.languages,
            beats=flt.beats,
        ),
    )
    blocked = load_suppression_set(session)
    chosen: list[Contact] = []
    regions_of: dict[int, list[str]] = {}
    excluded = 0
    for contact in candidates:
        inside = [s for s in slugs if taxonomy.contains(s, contact.country, contact.regions)]
        if slugs and not inside:
            continue
        if contact.status != ContactStatus.ACTIVE or blocked.reason(contact.email_key):
            excluded += 1
            continue
        chosen.append(contact)
        regions_of[contact.id or 0] = inside
    return Audience(chosen, regions_of, excluded)
