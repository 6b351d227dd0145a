"""A small fictional newsroom with one campaign, and signed links, for the unsubscribe tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from mailer.config import Settings
from mailer.contacts.regions import Taxonomy
from mailer.models import Campaign, Contact, Delivery, DeliveryStatus, PreferenceChange, utcnow
from mailer.tokens import Purpose, make_token
from tests.conftest import REPO

SECRET = "test-secret-0123456789-abcdefghij"
TAXONOMY = Taxonomy.load(REPO / "contacts" / "regions.yaml")
# email, country, languages, beats, the language the campaign reached them in (None: not sent)
JOURNALISTS = [
    ("aizada@news-kg.test", "KG", ["ru", "en"], ["health", "education"], "ru"),
    ("claire@journal.example.org", "KG", ["fr"], ["health"], "fr"),
    ("diego@diario.example.org", "KZ", ["es", "en"], ["health", "economy"], None),
    ("jonas@zeitung.example.org", "UZ", ["de"], ["health"], "en"),
    ("nurlan@radio.example.org", "KZ", ["kk", "ru"], ["children"], None),
]


def settings_for(db_url: str, **overrides: object) -> Settings:
    """Settings with a real secret and the sample regions."""
    values: dict[str, object] = {
        "database_url": db_url,
        "secret_key": SECRET,
        "regions_file": REPO / "contacts" / "regions.yaml",
        "organisation": "UNFFC Press Office",
        "public_url": "https://press.example.org",
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Newsroom:
    """Contact ids by address, the campaign and the engine."""

    engine: Engine
    contacts: dict[str, int]
    campaign: int

    def token(self, email: str) -> str:
        """The unsubscribe token in this journalist's copy of the campaign."""
        return make_token(SECRET, Purpose.UNSUBSCRIBE, self.contacts[email], self.campaign)


def seed(engine: Engine, *, age_days: float = 0) -> Newsroom:
    """The journalists, one campaign to central-asia (created `age_days` ago), its deliveries."""
    with Session(engine) as session:
        campaign = Campaign(
            key="immunization",
            title="Measles vaccination recovers",
            release_path="examples/immunization-release.md",
            release_hash="0" * 64,
            audience={"regions": ["central-asia"], "countries": [], "languages": [], "beats": []},
            created_at=utcnow() - timedelta(days=age_days),
        )
        session.add(campaign)
        ids = {}
        for email, country, languages, beats, _sent in JOURNALISTS:
            contact = Contact(
                email=email, email_key=email, name="", country=country,
                languages=languages, beats=beats, regions=[],
            )  # fmt: skip
            session.add(contact)
            session.flush()
            ids[email] = contact.id or 0
        for email, *_rest, sent in JOURNALISTS:
            if sent:
                session.add(
                    Delivery(
                        campaign_id=campaign.id or 0,
                        contact_id=ids[email],
                        email=email,
                        language=sent,
                        status=DeliveryStatus.SENT,
                    )
                )
        session.commit()
        return Newsroom(engine, ids, campaign.id or 0)


def changes(engine: Engine) -> list[PreferenceChange]:
    """Every recorded unsubscribe and change of preferences, oldest first."""
    with Session(engine) as session:
        return list(session.exec(select(PreferenceChange).order_by(PreferenceChange.id)))  # type: ignore[arg-type]
