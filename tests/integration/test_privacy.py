"""Data protection: `contacts export --subject` shows everything held about one person, and
`contacts forget` leaves none of it anywhere: every column of every table is inspected."""

from __future__ import annotations

import json
import mailbox
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailer.config import Settings
from mailer.contacts.preferences import Muted
from mailer.db import make_engine, session_scope
from mailer.models import PreferenceChannel
from mailer.unsubscribe import open_link, save_preferences, unsubscribe
from tests.conftest import REPO, Cli
from tests.integration.database_scan import every_value
from tests.integration.test_bounces import dsn
from tests.smtpd import RecordingHandler, start_server

RELEASE = REPO / "examples" / "immunization-release.md"
HEADER = "email,name,outlet,role,beats,country,languages,regions,phone,notes\n"
SUBJECT = "Zara.Quill@gazette.example.org"
OTHER = "omar.vale@wire.example.org"
# Everything that identifies the subject, as it could appear in any column (case-insensitive).
TRACES = ["zara", "quill", "555 123 456", "5551234", "bishkek forum", "left for radio"]


@pytest.fixture
def sent(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Cli, RecordingHandler]]:
    """The subject and one colleague, each sent the release through a real SMTP server."""
    handler = RecordingHandler()
    controller = start_server(handler)
    rows = (
        f"{SUBJECT},Zara Quillfeather,Quill Gazette,Editor,health,KG,ru,,+996 555 123 456,"
        "met at the Bishkek forum\n"
        f"{OTHER},Omar Vale,Wire,,health,KG,ru,,,\n"
    )
    (tmp_path / "j.csv").write_text(HEADER + rows, encoding="utf-8")
    assert cli("contacts", "import", str(tmp_path / "j.csv")).code == 0
    assert cli("spokespeople", "import", str(REPO / "contacts" / "spokespeople.yaml")).code == 0
    monkeypatch.setenv("MAILER_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    monkeypatch.setenv("MAILER_SECRET_KEY", "privacy-secret-0123456789-abcdefghij")
    monkeypatch.setenv("MAILER_BOUNCE_DOMAIN", "bounces.newsroom.test")
    # The relay quotes the address in its reply the first time, as many do.
    handler.script.data[SUBJECT.lower()] = f"451 4.2.1 <{SUBJECT}>: mailbox busy, try later"
    handler.script.fail_once = True
    assert cli("send", str(RELEASE), "--region", "central-asia", "--yes").code == 0
    yield cli, handler
    controller.stop()


def _leave_traces(cli: Cli, handler: RecordingHandler, tmp_path: Path) -> None:
    """A soft DSN quoting the address, a preference change and an unsubscribe with reasons."""
    verp = next(m.mail_from for m in handler.received if m.rcpt.lower() == SUBJECT.lower())
    box = mailbox.Maildir(str(tmp_path / "returned"), create=True)
    box.add(dsn(verp, SUBJECT.lower(), status="4.2.2", message_id="<full@mx.example.org>"))
    assert cli("bounces", "fetch", "--maildir", str(tmp_path / "returned")).code == 0
    message = next(m for m in handler.received if m.rcpt.lower() == SUBJECT.lower())
    token = message.data.split(b"/u/", 1)[1].split(b">", 1)[0].decode()
    settings = Settings()
    engine = make_engine(cli.db_url)
    with session_scope(engine) as session:
        link = open_link(session, settings, token)
        save_preferences(session, link, Muted(beats=frozenset({"health"})), reason="Zara here")
    with session_scope(engine) as session:
        unsubscribe(
            session, settings, token, via=PreferenceChannel.WEB, reason="Quill left for radio"
        )
    engine.dispose()


def test_export_subject_then_forget_leaves_nothing(
    sent: tuple[Cli, RecordingHandler], tmp_path: Path
) -> None:
    cli, handler = sent
    assert cli("campaigns", "resume", "1").code == 0  # the deferred copy is delivered
    _leave_traces(cli, handler, tmp_path)

    access = cli("contacts", "export", "--subject", SUBJECT)
    assert access.code == 0, access
    held = json.loads(access.out)
    assert held["contact"]["name"] == "Zara Quillfeather"
    assert held["contact"]["phone"]
    assert held["contact"]["status"] == "unsubscribed"
    assert [d["status"] for d in held["deliveries"]] == ["bounced"]  # the DSN came after
    assert held["deliveries"][0]["campaign_title"]
    assert [b["kind"] for b in held["bounce_events"]] == ["soft"]
    assert [c["reason"] for c in held["preference_changes"]] == [
        "Zara here",
        "Quill left for radio",
    ]
    assert held["preferences"]["muted_beats"] == ["health"]
    assert [s["source"] for s in held["suppressions"]] == ["unsubscribe"]
    before = every_value(cli.db_url)
    assert any("quill" in v.lower() for _t, _c, v in before)

    forgotten = cli("contacts", "forget", SUBJECT, "--yes")
    assert forgotten.code == 0, forgotten
    after = every_value(cli.db_url)
    leaks = [(t, c, v) for t, c, v in after if any(x in v.lower() for x in TRACES)]
    assert leaks == []
    # The scan does see personal data: the colleague's is all still there.
    assert any(OTHER in v for _t, _c, v in after)
    # Statistics survive: both deliveries and the bounce event, without a name.
    assert sum(1 for t, c, _v in after if t == "delivery" and c == "id") == 2
    assert sum(1 for t, c, _v in after if t == "bounce_event" and c == "id") == 1

    again = json.loads(cli("contacts", "export", "--subject", SUBJECT).out)
    assert again["contact"] is None
    assert again["erased_at"]
    assert again["deliveries"] == again["bounce_events"] == again["suppressions"] == []
    # The address can never come back by import.
    (tmp_path / "again.csv").write_text(HEADER + f"{SUBJECT},Z,,,,KG,ru,,,\n", encoding="utf-8")
    reimport = cli("contacts", "import", str(tmp_path / "again.csv"))
    assert "Zara" not in json.dumps(every_value(cli.db_url))
    assert reimport.code == 0, reimport
    assert "0 new" in reimport.out
    assert "1 suppressed" in reimport.out
    assert "forgotten at the person's request" in reimport.err


def test_export_subject_of_an_unknown_address_is_a_clear_error(cli: Cli) -> None:
    result = cli("contacts", "export", "--subject", "nobody@example.org")
    assert result.code != 0
    assert "nothing is held about nobody@example.org" in result.err
    assert "Traceback" not in result.err


def test_forget_treats_underscore_and_percent_as_letters(cli: Cli, tmp_path: Path) -> None:
    """`_` is legal in an address and a LIKE wildcard: forgetting j_smith must leave jasmith's
    (and everybody else's) deliveries as they were."""
    rows = "".join(
        f"{email},Someone,Outlet,,health,KG,ru,,,\n"
        for email in (
            "j_smith@news.example.org",
            "jasmith@news.example.org",
            "ink@news.example.org",
        )
    )
    (tmp_path / "j.csv").write_text(HEADER + rows, encoding="utf-8")
    assert cli("contacts", "import", str(tmp_path / "j.csv")).code == 0
    assert cli("spokespeople", "import", str(REPO / "contacts" / "spokespeople.yaml")).code == 0
    queued = cli("send", str(RELEASE), "--region", "central-asia", "--queue-only", "--yes")
    assert queued.code == 0, queued
    assert cli("contacts", "forget", "j_smith@news.example.org", "--yes").code == 0
    deliveries = [v for t, c, v in every_value(cli.db_url) if t == "delivery" and c == "email"]
    assert sorted(deliveries) == ['"ink@news.example.org"', '"jasmith@news.example.org"']
