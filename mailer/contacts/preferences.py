"""A journalist's own choices of what to stop receiving: muted regions, beats and languages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from mailer.models import ContactPreference, utcnow

__all__ = ["Muted", "load_muted", "muted_of", "save_muted"]


def _lowered(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values if v.strip())


@dataclass(frozen=True)
class Muted:
    """What one journalist unticked (lowercased); nothing muted means they receive everything."""

    regions: frozenset[str] = frozenset()
    beats: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, regions: Iterable[str] = (), beats: Iterable[str] = (), languages: Iterable[str] = ()
    ) -> Muted:
        """Muted values, normalised: trimmed, lowercased, blanks dropped."""
        return cls(_lowered(regions), _lowered(beats), _lowered(languages))

    @property
    def nothing(self) -> bool:
        """True when the journalist keeps everything."""
        return not (self.regions or self.beats or self.languages)

    def kept_regions(self, slugs: Sequence[str]) -> list[str]:
        """The region slugs not muted, in their order."""
        return [s for s in slugs if s.lower() not in self.regions]

    def kept_beats(self, beats: Sequence[str]) -> list[str]:
        """The beats not muted, in their order."""
        return [b for b in beats if b.lower() not in self.beats]

    def kept_languages(self, languages: Sequence[str]) -> list[str]:
        """The language tags not muted, in order of preference."""
        return [tag for tag in languages if tag.lower() not in self.languages]


def _from_row(row: ContactPreference) -> Muted:
    return Muted.of(row.muted_regions, row.muted_beats, row.muted_languages)


def load_muted(session: Session) -> dict[int, Muted]:
    """Every journalist's choices, by contact id, loaded once for a whole audience."""
    return {row.contact_id: _from_row(row) for row in session.exec(select(ContactPreference))}


def muted_of(session: Session, contact_id: int) -> Muted:
    """One journalist's choices."""
    row = session.get(ContactPreference, contact_id)
    return Muted() if row is None else _from_row(row)


def save_muted(session: Session, contact_id: int, muted: Muted) -> None:
    """Replace one journalist's choices (the caller records the change and commits)."""
    row = session.get(ContactPreference, contact_id)
    if row is None:
        row = ContactPreference(contact_id=contact_id)
    row.muted_regions = sorted(muted.regions)
    row.muted_beats = sorted(muted.beats)
    row.muted_languages = sorted(muted.languages)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
