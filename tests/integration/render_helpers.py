"""Helpers for tests that render the sample releases for a sample journalist."""

from __future__ import annotations

from pathlib import Path

from mailer.config import Settings
from mailer.models import Spokesperson
from mailer.release import Release, load_release
from mailer.render.variant import RenderedVariant, make_recipient, render_variant
from mailer.spokespeople import read_spokespeople
from tests.conftest import REPO

EXAMPLES = REPO / "examples"
MAIN_RELEASES = sorted(
    p for p in EXAMPLES.glob("*.md") if p.name != "README.md" and len(p.suffixes) == 1
)


def settings() -> Settings:
    """Settings a real press office would use (the demo secret would do for rendering too)."""
    return Settings(  # type: ignore[call-arg]
        secret_key="test-secret-for-rendering-only-0123456789",
        organisation="UNFFC Press Office",
        organisation_names={
            "ru": "Пресс-служба ЮНФФК",
            "ky": "ЮНФФКнын басма сөз кызматы",
            "fr": "Service de presse de l’UNFFC",
        },
        postal_address="Palais des Nations Fictives, 1211 Geneva, Switzerland",
        postal_addresses={
            "ru": "Дворец Вымышленных Наций, 1211 Женева, Швейцария",
            "ky": "Ойдон чыгарылган Улуттар сарайы, 1211 Женева, Швейцария",
            "fr": "Palais des Nations fictives, 1211 Genève, Suisse",
        },
        public_url="https://press.unffc.example.org",
        bounce_domain="bounces.unffc.example.org",
        **{"from": "UNFFC Press Office <press@unffc.example.org>"},
    )


def roster() -> list[Spokesperson]:
    """The sample spokespeople as model objects (no database needed)."""
    data = read_spokespeople(REPO / "contacts" / "spokespeople.yaml")
    return [Spokesperson(**vars(d)) for d in data]


def rendered_variants(path: Path) -> tuple[Release, list[RenderedVariant]]:
    """Every variant of a sample release, rendered with the sample roster."""
    release = load_release(path)
    people = {p.handle: p for p in roster()}
    out = []
    for variant in release.variants.values():
        chosen = [people[h] for h in variant.spokespeople]
        out.append(render_variant(variant, chosen, settings()))
    return release, out


def message_bytes(rendered: RenderedVariant) -> bytes:
    """The exact message a sample journalist in Central Asia would receive."""
    recipient = make_recipient(
        settings(),
        rendered.variant.language,
        email="aizada.karimova@chui-observer.example.org",
        name="Aizada Karimova",
        contact_id=17,
        campaign_id=3,
        delivery_id=1234,
        regions=["Central Asia"],
    )
    return rendered.prepared.personalise(recipient)
