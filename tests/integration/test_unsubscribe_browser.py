"""End to end in headless Chromium: a real send through SMTP, then the List-Unsubscribe link of the
received message opened in the browser, preferences changed, then unsubscribed."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, select

from mailer.config import load_settings
from mailer.contacts.audience import AudienceFilter, resolve_audience
from mailer.db import make_engine
from mailer.models import Contact, ContactPreference, ContactStatus, PreferenceChange
from mailer.web import create_app
from tests.conftest import REPO, Cli, missing_server
from tests.integration.newsroom_links import TAXONOMY
from tests.integration.test_preview_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.smtpd import RecordingHandler, free_port, start_server
from tests.webserver import serving

RELEASE = REPO / "examples" / "immunization-release.md"
HEADER = "email,name,outlet,role,beats,country,languages,regions,phone,notes\n"
CLAIRE = "claire.dubois@journal.example.org"
ROWS = (
    f"{CLAIRE},Claire Dubois,Le Journal,,health;education,KG,fr;en,,,\n"
    "aizada@news-kg.test,Aizada Ormonova,KG News,,health,KG,ru,,,\n"
)


@pytest.fixture
def smtp() -> Iterator[RecordingHandler]:
    """A recording SMTP server on loopback."""
    handler = RecordingHandler()
    controller = start_server(handler)
    handler.port = controller.port  # type: ignore[attr-defined]
    yield handler
    controller.stop()


@pytest.fixture
def sent(
    sqlite_cli: Cli, tmp_path: Path, smtp: RecordingHandler, monkeypatch: pytest.MonkeyPatch
) -> tuple[Cli, str]:
    """The sample release sent for real to two journalists; the web port is fixed beforehand
    so that the links in the messages point at the server the test starts."""
    (tmp_path / "j.csv").write_text(HEADER + ROWS, encoding="utf-8")
    assert sqlite_cli("contacts", "import", str(tmp_path / "j.csv")).code == 0
    roster = str(REPO / "contacts" / "spokespeople.yaml")
    assert sqlite_cli("spokespeople", "import", roster).code == 0
    web = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("MAILER_SMTP_URL", f"smtp://127.0.0.1:{smtp.port}")  # type: ignore[attr-defined]
    monkeypatch.setenv("MAILER_SECRET_KEY", "test-secret-0123456789-abcdefghij")
    monkeypatch.setenv("MAILER_PUBLIC_URL", web)
    result = sqlite_cli("send", str(RELEASE), "--region", "central-asia", "--yes")
    assert result.code == 0, result
    assert len(smtp.received) == 2
    return sqlite_cli, web


def _unsubscribe_url(smtp: RecordingHandler, rcpt: str) -> str:
    message = next(m for m in smtp.received if m.rcpt == rcpt)
    parsed = message_from_bytes(message.data, policy=policy.default)
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    found = re.search(r"<(https?://[^>]+)>", str(parsed["List-Unsubscribe"]))
    assert found, parsed["List-Unsubscribe"]
    return found[1]


def _launch(playwright: Any) -> Any:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        missing_server(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"unsubscribe-{name}.png"), full_page=True)


def _contact(db_url: str, email: str) -> tuple[Contact, ContactPreference | None, list[Any]]:
    engine = create_engine(db_url)
    with Session(engine) as session:
        contact = session.exec(select(Contact).where(Contact.email_key == email)).one()
        preference = session.get(ContactPreference, contact.id)
        query = select(PreferenceChange).where(PreferenceChange.contact_id == contact.id)
        history = list(session.exec(query))
        in_audience = resolve_audience(session, TAXONOMY, AudienceFilter(["central-asia"]))
    engine.dispose()
    return contact, preference, [history, {c.email for c in in_audience.contacts}]


def test_links_in_a_sent_message_work_in_chromium(
    sent: tuple[Cli, str], smtp: RecordingHandler
) -> None:
    """Claire opens her link: a French page, keyboard focus visible; she unticks Central Asia
    and education, says why, saves (she leaves later sends to Central Asia); then unsubscribes.
    Aizada's mail client posts the RFC 8058 one-click to hers."""
    from playwright.sync_api import sync_playwright

    cli, web = sent
    url = _unsubscribe_url(smtp, CLAIRE)
    assert url.startswith(f"{web}/u/")
    settings = load_settings()[0]
    engine = make_engine(cli.db_url)
    with (
        serving(create_app(settings, engine), port=int(web.rsplit(":", 1)[1])),
        sync_playwright() as p,
    ):
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 800, "height": 900}, locale="fr-FR")
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.get_by_role("heading", level=1).inner_text() == (
            "Votre abonnement aux communiqués de presse"
        )
        page.keyboard.press("Tab")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("", "none")
        _shot(page, "fr-page")
        page.get_by_label("Central Asia").uncheck()
        page.get_by_label("education").uncheck()
        page.get_by_label(re.compile("pourquoi")).fill("Trop de messages <b>sur l’Asie</b>")
        page.get_by_role("button", name="Enregistrer mes choix").click()
        page.get_by_role("status").wait_for()
        assert page.get_by_role("status").inner_text() == "Vos choix sont enregistrés."
        assert not page.get_by_label("Central Asia").is_checked()
        _shot(page, "fr-saved")
        contact, preference, (history, audience) = _contact(cli.db_url, CLAIRE)
        assert preference is not None
        assert (preference.muted_regions, preference.muted_beats) == (
            ["central-asia"],
            ["education"],
        )
        assert [h.reason for h in history] == ["Trop de messages <b>sur l’Asie</b>"]
        assert CLAIRE not in audience
        assert contact.status == ContactStatus.ACTIVE

        page.get_by_role("button", name="Me désabonner de tout").click()
        page.get_by_role("heading", name="Votre désabonnement est confirmé").wait_for()
        _shot(page, "fr-unsubscribed")
        browser.close()

        aizada = _unsubscribe_url(smtp, "aizada@news-kg.test")
        one_click = httpx.post(aizada, data={"List-Unsubscribe": "One-Click"})
        assert one_click.status_code == 200
    engine.dispose()
    contact, _preference, (history, audience) = _contact(cli.db_url, CLAIRE)
    assert contact.status == ContactStatus.UNSUBSCRIBED
    assert [h.action.value for h in history] == ["narrow", "unsubscribe"]
    assert audience == set()
    assert _contact(cli.db_url, "aizada@news-kg.test")[0].status == ContactStatus.UNSUBSCRIBED
