"""The /u/{token} pages through Starlette's TestClient, on SQLite and PostgreSQL: RFC 8058
one-click, the localized preferences page, preferences narrowing a later send, bad tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, select
from starlette.testclient import TestClient

from mailer.contacts.audience import AudienceFilter, resolve_audience
from mailer.models import (
    Campaign,
    Contact,
    ContactStatus,
    Delivery,
    DeliveryStatus,
    PreferenceAction,
    PreferenceChannel,
    Suppression,
    SuppressionSource,
    utcnow,
)
from mailer.tokens import Purpose, make_token
from mailer.web import create_app
from tests.integration.newsroom_links import SECRET, TAXONOMY, Newsroom, changes, seed, settings_for

AIZADA = "aizada@news-kg.test"
CLAIRE = "claire@journal.example.org"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def newsroom(engine: Engine) -> Newsroom:
    """Five journalists and one campaign sent to four of them."""
    return seed(engine)


@pytest.fixture
def client(engine: Engine, db_url: str, newsroom: Newsroom) -> Iterator[TestClient]:
    """The app, as `mailer serve` would build it."""
    with TestClient(create_app(settings_for(db_url), engine)) as test_client:
        yield test_client


def _status(engine: Engine, email: str) -> ContactStatus:
    with Session(engine) as session:
        contact = session.exec(select(Contact).where(Contact.email_key == email)).one()
        return contact.status


def _audience(engine: Engine, flt: AudienceFilter) -> set[str]:
    with Session(engine) as session:
        return {c.email for c in resolve_audience(session, TAXONOMY, flt).contacts}


def test_one_click_post_unsubscribes_at_once(client: TestClient, newsroom: Newsroom) -> None:
    """A mail client's RFC 8058 POST unsubscribes with 200: no redirect, no cookie, one record,
    an address suppression, and the journalist's pending deliveries cancelled."""
    with Session(newsroom.engine) as session:
        pending = Delivery(
            campaign_id=newsroom.campaign,
            contact_id=newsroom.contacts["diego@diario.example.org"],
            email="diego@diario.example.org",
            language="es",
        )
        session.add(pending)
        session.flush()
        pending_id = pending.id
        session.commit()
    token = newsroom.token("diego@diario.example.org")
    response = client.post(f"/u/{token}", data=ONE_CLICK, follow_redirects=False)
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert _status(newsroom.engine, "diego@diario.example.org") == ContactStatus.UNSUBSCRIBED
    [change] = changes(newsroom.engine)
    assert change.action == PreferenceAction.UNSUBSCRIBE
    assert change.channel == PreferenceChannel.ONE_CLICK
    assert change.campaign_id == newsroom.campaign
    with Session(newsroom.engine) as session:
        entry = session.exec(select(Suppression)).one()
        assert (entry.target, entry.source) == (
            "diego@diario.example.org",
            SuppressionSource.UNSUBSCRIBE,
        )
        assert session.get(Delivery, pending_id).status == DeliveryStatus.CANCELLED  # type: ignore[union-attr]
    assert "diego@diario.example.org" not in _audience(
        newsroom.engine, AudienceFilter(["central-asia"])
    )


def test_one_click_as_multipart_form_data(client: TestClient, newsroom: Newsroom) -> None:
    """RFC 8058 says mail clients should send multipart/form-data: that unsubscribes too."""
    response = client.post(
        f"/u/{newsroom.token(CLAIRE)}", files={"List-Unsubscribe": (None, "One-Click")}
    )
    assert response.status_code == 200
    assert _status(newsroom.engine, CLAIRE) == ContactStatus.UNSUBSCRIBED


def test_replayed_one_click_is_idempotent(client: TestClient, newsroom: Newsroom) -> None:
    """The same one-click POST three times: 200 each time, one record, one suppression."""
    token = newsroom.token(AIZADA)
    codes = [client.post(f"/u/{token}", data=ONE_CLICK).status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    assert len(changes(newsroom.engine)) == 1
    with Session(newsroom.engine) as session:
        assert len(session.exec(select(Suppression)).all()) == 1


def test_get_changes_nothing(client: TestClient, newsroom: Newsroom) -> None:
    """Opening the link (as a mail scanner does) shows the page and changes nothing."""
    for _ in range(2):
        assert client.get(f"/u/{newsroom.token(AIZADA)}").status_code == 200
    assert _status(newsroom.engine, AIZADA) == ContactStatus.ACTIVE
    assert changes(newsroom.engine) == []


class _Page(HTMLParser):
    """What the accessibility checks need from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.h1 = 0
        self.inputs: list[str] = []
        self.labels: set[str] = set()
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        self.h1 += tag == "h1"
        self.scripts += tag == "script"
        if tag in ("input", "textarea") and a.get("type") != "hidden":
            self.inputs.append(a.get("id") or "")
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")


@pytest.mark.parametrize(
    ("email", "lang", "words"),
    [
        (AIZADA, "ru", "Ваша подписка на пресс-релизы"),  # the variant they were sent
        (CLAIRE, "fr", "Votre abonnement aux communiqués de presse"),
        ("diego@diario.example.org", "es", "Su suscripción"),  # not sent: first language
        ("jonas@zeitung.example.org", "en", "Your press release subscription"),  # sent in en
        ("nurlan@radio.example.org", "en", "Your press release subscription"),  # kk: no strings
    ],
)
def test_page_is_in_the_journalists_language_and_accessible(
    client: TestClient, newsroom: Newsroom, email: str, lang: str, words: str
) -> None:
    """The page speaks the campaign's language for them, else their first language, else
    English; lang= names the language of the text; one h1; every field has a label; no script."""
    response = client.get(f"/u/{newsroom.token(email)}")
    assert response.status_code == 200
    assert words in response.text
    page = _Page()
    page.feed(response.text)
    assert page.lang == lang
    assert page.h1 == 1
    assert page.inputs
    assert set(page.inputs) <= page.labels
    assert page.scripts == 0
    assert ":focus-visible" in response.text
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "set-cookie" not in response.headers


def test_preferences_narrow_a_later_audience(client: TestClient, newsroom: Newsroom) -> None:
    """Unticking Central Asia and the education beat saves, records the choice, and a later
    send to central-asia or on education leaves the journalist out; other sends still reach."""
    token = newsroom.token(AIZADA)
    page = client.get(f"/u/{token}").text
    assert 'value="central-asia"' in page
    assert 'value="education"' in page
    before = _audience(newsroom.engine, AudienceFilter(["central-asia"]))
    assert AIZADA in before
    response = client.post(
        f"/u/{token}",
        data={"action": "preferences", "beat": ["health"], "language": ["ru", "en"]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"{token}?saved=1")
    saved = client.get(f"/u/{token}?saved=1")
    assert "Ваш выбор сохранён." in saved.text
    assert re.search(r'value="central-asia"(?! checked)', saved.text)
    assert AIZADA not in _audience(newsroom.engine, AudienceFilter(["central-asia"]))
    assert AIZADA not in _audience(newsroom.engine, AudienceFilter(beats=["education"]))
    assert AIZADA in _audience(newsroom.engine, AudienceFilter(["seeca"]))
    assert AIZADA in _audience(newsroom.engine, AudienceFilter(beats=["health"]))
    [change] = changes(newsroom.engine)
    assert change.action == PreferenceAction.NARROW
    assert change.channel == PreferenceChannel.WEB
    assert (change.muted_regions, change.muted_beats) == (["central-asia"], ["education"])
    assert _status(newsroom.engine, AIZADA) == ContactStatus.ACTIVE


def test_unticking_every_language_is_refused(client: TestClient, newsroom: Newsroom) -> None:
    """Keeping no language is an error shown on the page (role=alert); nothing is saved."""
    response = client.post(
        f"/u/{newsroom.token(CLAIRE)}",
        data={"action": "preferences", "region": ["central-asia"], "beat": ["health"]},
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert "Gardez au moins une langue" in response.text
    assert changes(newsroom.engine) == []


def test_values_that_were_not_offered_are_ignored(client: TestClient, newsroom: Newsroom) -> None:
    """A crafted form cannot store values of its own: only offered boxes count."""
    client.post(
        f"/u/{newsroom.token(CLAIRE)}",
        data={"action": "preferences", "region": ["central-asia", "x" * 5000], "language": "fr"},
    )
    [change] = changes(newsroom.engine)
    assert change.muted_regions == []
    assert change.muted_beats == ["health"]


HOSTILE = (
    '<script>alert("x")</script>\r\nBcc: victim@example.org\r\n\r\n<img src=x onerror=alert(1)>'
)


def test_reason_is_stored_on_one_line_and_never_reflected(
    client: TestClient, newsroom: Newsroom
) -> None:
    """The reason is kept as one line of at most 500 characters (no CR or LF to reach a header
    or a log line), and no page or header ever shows it."""
    token = newsroom.token(AIZADA)
    response = client.post(
        f"/u/{token}",
        data={"action": "unsubscribe", "reason": HOSTILE + "\x00\x1b" + "é" * 1000},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert all("\n" not in v and "Bcc" not in v for v in response.headers.values())
    [change] = changes(newsroom.engine)
    assert change.channel == PreferenceChannel.WEB
    assert change.reason.startswith('<script>alert("x")</script> Bcc: victim@example.org <img')
    assert len(change.reason) == 500
    assert not re.search(r"[\x00-\x1f\x7f]", change.reason)
    page = client.get(f"/u/{token}")
    assert "You are" not in page.text
    assert "Подписка отменена" in page.text
    assert "<script" not in page.text
    assert "victim" not in page.text


def test_unsubscribe_from_the_page_then_the_page_says_so(
    client: TestClient, newsroom: Newsroom
) -> None:
    """The page's own unsubscribe button unsubscribes (post/redirect/get); the link then shows
    the unsubscribed page, and saving preferences afterwards changes nothing."""
    token = newsroom.token(CLAIRE)
    response = client.post(f"/u/{token}", data={"action": "unsubscribe", "reason": "trop"})
    assert response.status_code == 200
    assert "Votre désabonnement est confirmé" in response.text
    assert _status(newsroom.engine, CLAIRE) == ContactStatus.UNSUBSCRIBED
    client.post(f"/u/{token}", data={"action": "preferences", "language": "fr"})
    assert [c.action for c in changes(newsroom.engine)] == [PreferenceAction.UNSUBSCRIBE]


def _bad_tokens(newsroom: Newsroom) -> dict[str, str]:
    good = newsroom.token(AIZADA)
    flipped = good[:5] + ("a" if good[5] != "a" else "b") + good[6:]
    return {
        "truncated": good[:-4],
        "tampered": flipped,
        "verp purpose": make_token(SECRET, Purpose.VERP, newsroom.contacts[AIZADA], 1),
        "other secret": make_token("another-secret-0123456789", Purpose.UNSUBSCRIBE, 1, 1),
        "no such contact": make_token(SECRET, Purpose.UNSUBSCRIBE, 99_999, newsroom.campaign),
        "no such campaign": make_token(SECRET, Purpose.UNSUBSCRIBE, 1, 99_999),
        "three fields": make_token(SECRET, Purpose.UNSUBSCRIBE, 1, newsroom.campaign, 3),
        "garbage": "%3Cscript%3E",
        "too long": "a" * 500,
    }


@pytest.mark.parametrize(
    "kind",
    [
        "truncated",
        "tampered",
        "verp purpose",
        "other secret",
        "no such contact",
        "no such campaign",
        "three fields",
        "garbage",
        "too long",
    ],
)
def test_bad_tokens_get_a_friendly_400_that_leaks_nothing(
    client: TestClient, newsroom: Newsroom, kind: str
) -> None:
    """Every bad token, on GET and on a one-click POST: the same friendly 400 page, no
    address, no stack trace, nothing changed."""
    token = _bad_tokens(newsroom)[kind]
    for response in (client.get(f"/u/{token}"), client.post(f"/u/{token}", data=ONE_CLICK)):
        assert response.status_code == 400
        assert "This link cannot be used" in response.text
        assert not re.search(r"\w@\w", response.text)
        assert "Traceback" not in response.text
    assert changes(newsroom.engine) == []


def test_bad_token_page_follows_accept_language(client: TestClient, newsroom: Newsroom) -> None:
    """With no journalist to go by, the 400 page takes the browser's language."""
    response = client.get("/u/nonsense", headers={"Accept-Language": "de;q=0.9, ru, en;q=0.5"})
    assert response.status_code == 400
    assert "Эту ссылку нельзя использовать" in response.text
    assert '<html lang="ru"' in response.text


def test_expired_link(engine: Engine, db_url: str, newsroom: Newsroom) -> None:
    """A link whose campaign is older than unsubscribe_token_days gets the 400 page; a longer
    setting makes it work again."""
    with Session(engine) as session:
        session.execute(
            update(Campaign).values(created_at=utcnow().replace(year=utcnow().year - 1))
        )
        session.commit()
    token = newsroom.token(AIZADA)
    with TestClient(create_app(settings_for(db_url), engine)) as client:
        assert client.post(f"/u/{token}", data=ONE_CLICK).status_code == 400
        assert client.get(f"/u/{token}").status_code == 400
    assert _status(engine, AIZADA) == ContactStatus.ACTIVE
    longer = settings_for(db_url, unsubscribe_token_days=400)
    with TestClient(create_app(longer, engine)) as client:
        assert client.post(f"/u/{token}", data=ONE_CLICK).status_code == 200
    assert _status(engine, AIZADA) == ContactStatus.UNSUBSCRIBED


def test_oversized_bodies_get_413(client: TestClient, newsroom: Newsroom) -> None:
    """A body over 64 KB is refused with 413, declared or streamed, and nothing is recorded."""
    token = newsroom.token(AIZADA)
    big = "List-Unsubscribe=One-Click&reason=" + "x" * 70_000
    declared = client.post(
        f"/u/{token}",
        content=big,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert declared.status_code == 413

    def chunks() -> Iterator[bytes]:
        yield b"List-Unsubscribe=One-Click&reason="
        for _ in range(20):
            yield b"y" * 8192

    streamed = client.post(
        f"/u/{token}",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert streamed.status_code == 413
    assert changes(newsroom.engine) == []
    assert _status(newsroom.engine, AIZADA) == ContactStatus.ACTIVE


def test_an_unknown_form_is_refused(client: TestClient, newsroom: Newsroom) -> None:
    """A POST that is neither one-click nor the page's form changes nothing."""
    response = client.post(f"/u/{newsroom.token(AIZADA)}", data={"List-Unsubscribe": "yes"})
    assert response.status_code == 400
    assert changes(newsroom.engine) == []
