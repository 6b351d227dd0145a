"""Shell-completion helpers: region slugs, countries and statuses offered as you type."""

from __future__ import annotations

from pathlib import Path

from mailer.contacts.countries import ALL_COUNTRIES
from mailer.contacts.regions import Taxonomy
from mailer.errors import MailerError
from mailer.models import ContactStatus

__all__ = ["complete_country", "complete_region", "complete_status"]


def complete_region(incomplete: str) -> list[tuple[str, str]]:
    """Region slugs (built-in and ./contacts/regions.yaml) starting with the typed text."""
    try:
        taxonomy = Taxonomy.load(Path("contacts/regions.yaml"), required=False)
    except MailerError:
        taxonomy = Taxonomy.builtin()
    return [(r.slug, r.name) for r in taxonomy.all() if r.slug.startswith(incomplete.lower())]


def complete_country(incomplete: str) -> list[str]:
    """ISO country codes starting with the typed text."""
    return sorted(c for c in ALL_COUNTRIES if c.startswith(incomplete.upper()))


def complete_status(incomplete: str) -> list[str]:
    """Contact statuses starting with the typed text."""
    return [s.value for s in ContactStatus if s.value.startswith(incomplete.lower())]
