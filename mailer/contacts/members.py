"""Audience candidates as light rows streamed from the database, not ORM objects."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import String, cast, select
from sqlmodel import Session

from mailer.contacts.store import ContactFilter, language_match, sql_filters
from mailer.models import Contact, ContactStatus

__all__ = ["Member", "stream_members"]

_T = Contact.__table__  # type: ignore[attr-defined]
_CHUNK = 2000


@dataclass(frozen=True, slots=True)
class Member:
    """What a send needs of one journalist. A 100,000-journalist audience stays a few tens of
    megabytes: no ORM state, and equal region, language and beat lists are one shared tuple."""

    id: int | None  # None for the pseudo-contacts of a test send
    email: str
    email_key: str
    name: str
    country: str | None
    regions: tuple[str, ...]
    languages: tuple[str, ...]
    beats: tuple[str, ...]
    status: ContactStatus


def _interned(cache: dict[str, tuple[str, ...]], raw: str | None) -> tuple[str, ...]:
    # JSON lists arrive as text (see the query) so that equal ones are decoded once.
    key = raw or "[]"
    found = cache.get(key)
    if found is None:
        found = cache[key] = tuple(json.loads(key))
    return found


def stream_members(session: Session, flt: ContactFilter) -> Iterator[Member]:
    """Contacts matching the filter, ordered by country then name, as list_contacts orders them
    (regions are not filtered here: the audience does that with the taxonomy)."""
    json_text = [cast(_T.c[name], String) for name in ("regions", "languages", "beats")]
    query = (
        select(_T.c.id, _T.c.email, _T.c.email_key, _T.c.name, _T.c.country, *json_text)
        .add_columns(_T.c.status)
        .where(*sql_filters(flt))
        .order_by(_T.c.country, _T.c.name, _T.c.email_key)
    )
    wanted = {b.lower() for b in flt.beats}
    cache: dict[str, tuple[str, ...]] = {}
    result = session.connection().execution_options(yield_per=_CHUNK).execute(query)
    for row in result:
        email = row[1]
        member = Member(
            row[0],
            email,
            email if row[2] == email else row[2],  # the same string when equal (the usual case)
            row[3],
            None if row[4] is None else sys.intern(row[4]),
            _interned(cache, row[5]),
            _interned(cache, row[6]),
            _interned(cache, row[7]),
            ContactStatus(row[8]),
        )
        if flt.languages and not language_match(member.languages, flt.languages):
            continue
        if wanted and not wanted.intersection(member.beats):
            continue
        yield member
