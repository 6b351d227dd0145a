"""Who receives a release: regions (with sub-regions) and filters, minus everyone who must not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlmodel import Session

from mailer.contacts.members import Member, stream_members
from mailer.contacts.preferences import Muted, load_muted
from mailer.contacts.regions import Taxonomy
from mailer.contacts.store import ContactFilter, language_match
from mailer.models import ContactStatus
from mailer.release import Release
from mailer.suppressions import load_suppression_set

__all__ = ["Audience", "AudienceFilter", "resolve_audience"]


@dataclass(frozen=True)
class AudienceFilter:
    """The selection of a send: any of the regions, then every other filter given.

    `release`, when given, lets journalists' own choices apply to what the release is: its
    topics (against muted beats) and the variant each would get (against muted languages).
    """

    regions: Sequence[str] = ()
    countries: Sequence[str] = ()
    languages: Sequence[str] = ()
    beats: Sequence[str] = ()
    release: Release | None = None


@dataclass(frozen=True)
class Audience:
    """The recipients, and for each the regions of the selection they belong to.

    A journalist who muted some languages is given as a copy (not the stored row) whose
    `languages` are the ones they keep, so that their variant is chosen among those.
    `narrowed` counts those left out by their own preferences.
    """

    contacts: list[Member]
    regions_of: dict[int, list[str]]
    excluded: int
    narrowed: int = 0


def _muted_topics(release: Release | None, muted: Muted) -> bool:
    # A release reaches a journalist unless every one of its topics is a beat they muted.
    topics = [t.lower() for t in release.main.topics] if release else []
    return bool(topics) and all(t in muted.beats for t in topics)


def _muted_variant(release: Release | None, languages: list[str], muted: Muted) -> bool:
    if release is None:
        return False
    tag = release.variant_for(languages).language.lower()
    return tag in muted.languages or tag.split("-")[0] in muted.languages


def _left_out(contact: Member, muted: Muted, flt: AudienceFilter, inside: list[str]) -> bool:
    """Whether a journalist's own choices leave this send out (regions match by exact slug)."""
    languages = muted.kept_languages(contact.languages)
    beats = {b.lower() for b in muted.kept_beats(contact.beats)}
    return bool(
        (inside and not muted.kept_regions(inside))
        or (flt.beats and not beats.intersection(b.lower() for b in flt.beats))
        or (flt.languages and not language_match(languages, flt.languages))
        or _muted_topics(flt.release, muted)
        or _muted_variant(flt.release, languages, muted)
    )


def _with_languages(contact: Member, muted: Muted) -> Member:
    languages = tuple(muted.kept_languages(contact.languages))
    return contact if languages == contact.languages else replace(contact, languages=languages)


def resolve_audience(session: Session, taxonomy: Taxonomy, flt: AudienceFilter) -> Audience:
    """Active contacts in any of the regions (or everyone when none is given), filtered,
    without suppressed addresses or domains nor those whose own choices leave the send out;
    each contact once."""
    slugs = [taxonomy.validate_slug(r) for r in flt.regions]
    # Streamed as light rows: a whole newsroom of ORM objects took hundreds of megabytes.
    candidates = stream_members(
        session,
        ContactFilter(
            countries=flt.countries,
            languages=flt.languages,
            beats=flt.beats,
        ),
    )
    blocked = load_suppression_set(session)
    muted_by_contact = load_muted(session)
    chosen: list[Member] = []
    regions_of: dict[int, list[str]] = {}
    shared: dict[tuple[str, ...], list[str]] = {}  # one list per distinct set of regions
    excluded = narrowed = 0
    for contact in candidates:
        inside = [s for s in slugs if taxonomy.contains(s, contact.country, contact.regions)]
        if slugs and not inside:
            continue
        if contact.status != ContactStatus.ACTIVE or blocked.reason(contact.email_key):
            excluded += 1
            continue
        muted = muted_by_contact.get(contact.id or 0)
        if muted is not None:
            if _left_out(contact, muted, flt, inside):
                narrowed += 1
                continue
            inside, contact = muted.kept_regions(inside), _with_languages(contact, muted)
        chosen.append(contact)
        regions_of[contact.id or 0] = shared.setdefault(tuple(inside), inside)
    return Audience(chosen, regions_of, excluded, narrowed)
