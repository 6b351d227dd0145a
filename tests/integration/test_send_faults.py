"""Relay faults end to end, on both backends: refused connections, STARTTLS, bad credentials and
retries that must end; nothing is lost and nothing is failed for a problem on our side."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import trustme
from sqlalchemy import create_engine, update
from sqlmodel import Session, select

from mailer.models import BounceEvent, Campaign, Contact, Delivery, utcnow
from tests.conftest import REPO, Cli
from tests.smtpd import Authenticator, RecordingHandler, start_refusing_server, start_server

RELEASE = REPO / "examples" / "immunization-release.md"
HEADER = "email,name,outlet,role,beats,country,languages,regions,phone,notes\n"
EVERYONE = {f"j{i}@outlet{i}.example.org" for i in range(6)}
SEND = ("send", str(RELEASE), "--region", "central-asia", "--yes")


@pytest.fixture
def newsroom(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Six journalists in Central Asia and the sample roster; each test chooses its relay."""
    rows = "".join(
        f"j{i}@outlet{i}.example.org,Journalist {i},Outlet,,health,KG,{'fr' if i < 2 else 'ru'},,,\n"
        for i in range(6)
    )
    (tmp_path / "j.csv").write_text(HEADER + rows, encoding="utf-8")
    assert cli("contacts", "import", str(tmp_path / "j.csv")).code == 0
    assert cli("spokespeople", "import", str(REPO / "contacts" / "spokespeople.yaml")).code == 0
    monkeypatch.setenv("MAILER_SECRET_KEY", "test-secret-0123456789-abcdefghij")
    monkeypatch.setenv("MAILER_BOUNCE_DOMAIN", "bounces.newsroom.test")
    return cli


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    """A throwaway certificate authority."""
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    """The CA certificate as a PEM file, for `ca_file` in mailer.toml."""
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def tls_smtp(ca: trustme.CA) -> Iterator[tuple[RecordingHandler, int]]:
    """A recording server that offers STARTTLS (certificate for 127.0.0.1) and requires it."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    handler = RecordingHandler()
    controller = start_server(handler, tls_context=context, require_starttls=True)
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def plain_smtp() -> Iterator[tuple[RecordingHandler, int]]:
    """A recording server without STARTTLS."""
    handler = RecordingHandler()
    controller = start_server(handler)
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def auth_smtp() -> Iterator[tuple[RecordingHandler, int]]:
    """A recording server that accepts the login user / right-password only."""
    handler = RecordingHandler()
    controller = start_server(handler, auth=Authenticator("user", "right-password"))
    yield handler, controller.port
    controller.stop()


def _relay(port: int, **extra: str) -> None:
    lines = ["[[relays]]", 'host = "127.0.0.1"', f"port = {port}", "timeout = 5.0"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in extra.items()]
    Path("mailer.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _deliveries(cli: Cli) -> dict[str, Delivery]:
    engine = create_engine(cli.db_url)
    with Session(engine) as session:
        rows = {d.email: d for d in session.exec(select(Delivery)).all()}
    engine.dispose()
    return rows


def _statuses(cli: Cli) -> dict[str, str]:
    return {email: d.status.value for email, d in _deliveries(cli).items()}


def _error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip()]


def test_relay_refusing_with_421_defers_everyone_for_later(
    newsroom: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """421 on connect: every delivery deferred to a future attempt, exit 0, retry announced."""
    port, thread, loop = start_refusing_server()
    monkeypatch.setenv("MAILER_SMTP_URL", f"smtp://127.0.0.1:{port}")
    try:
        result = newsroom(*SEND)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
    assert result.code == 0, result
    deliveries = _deliveries(newsroom)
    assert set(deliveries) == EVERYONE
    now = utcnow()
    for email, d in deliveries.items():
        assert d.status.value == "deferred", (email, d.status)
        assert d.next_attempt_at > now, (email, d.next_attempt_at)
        assert d.smtp_code == 421
    assert "6 deferred deliveries will be retried" in result.out


def test_starttls_with_the_ca_file_delivers(
    newsroom: Cli, tls_smtp: tuple[RecordingHandler, int], ca_file: Path
) -> None:
    """tls = "starttls" with the test CA as ca_file: the server that requires TLS gets all six."""
    handler, port = tls_smtp
    _relay(port, tls="starttls", ca_file=str(ca_file))
    result = newsroom(*SEND)
    assert result.code == 0, result
    assert {m.rcpt for m in handler.received} == EVERYONE
    assert len(handler.received) == 6
    assert set(_statuses(newsroom).values()) == {"sent"}


def test_plain_connection_to_a_server_requiring_starttls_is_deferred(
    newsroom: Cli, tls_smtp: tuple[RecordingHandler, int]
) -> None:
    """tls = "none" to a server that requires STARTTLS: 530 at MAIL is our problem, deferred."""
    handler, port = tls_smtp
    _relay(port, tls="none")
    result = newsroom(*SEND)
    assert result.code == 0, result
    assert handler.received == []
    deliveries = _deliveries(newsroom)
    assert {e: d.status.value for e, d in deliveries.items()} == dict.fromkeys(EVERYONE, "deferred")
    assert {d.smtp_code for d in deliveries.values()} == {530}
    assert "will be retried" in result.out


def test_starttls_required_but_not_offered_stops_with_one_error(
    newsroom: Cli, plain_smtp: tuple[RecordingHandler, int], ca_file: Path
) -> None:
    """tls = "starttls" to a server without STARTTLS: exit 2, one error line, all still queued."""
    handler, port = plain_smtp
    _relay(port, tls="starttls", ca_file=str(ca_file))
    result = newsroom(*SEND)
    assert result.code == 2, result
    assert "Traceback" not in result.err
    lines = _error_lines(result.err)
    assert len(lines) == 1, lines
    assert "STARTTLS" in lines[0] or "TLS" in lines[0], lines
    assert handler.received == []
    assert _statuses(newsroom) == dict.fromkeys(EVERYONE, "queued")


def test_starttls_with_an_untrusted_certificate_stops_with_one_error(
    newsroom: Cli, tls_smtp: tuple[RecordingHandler, int]
) -> None:
    """tls = "starttls" without the test CA: exit 2, one "not trusted" line, all still queued."""
    handler, port = tls_smtp
    _relay(port, tls="starttls")
    result = newsroom(*SEND)
    assert result.code == 2, result
    assert "Traceback" not in result.err
    lines = _error_lines(result.err)
    assert len(lines) == 1, lines
    assert "not trusted" in lines[0], lines
    assert handler.received == []
    assert _statuses(newsroom) == dict.fromkeys(EVERYONE, "queued")


def test_wrong_password_stops_then_the_right_one_delivers(
    newsroom: Cli, auth_smtp: tuple[RecordingHandler, int]
) -> None:
    """A refused login: exit 2, one line naming the login, nothing failed; fixed, all delivered."""
    handler, port = auth_smtp
    _relay(port, tls="none", username="user", password="wrong-password")
    refused = newsroom(*SEND)
    assert refused.code == 2, refused
    assert "Traceback" not in refused.err
    lines = _error_lines(refused.err)
    assert len(lines) == 1, lines
    assert "login" in lines[0], lines
    assert "'user'" in lines[0], lines
    assert "wrong-password" not in refused.err
    assert handler.received == []
    assert _statuses(newsroom) == dict.fromkeys(EVERYONE, "queued")
    assert {d.attempts for d in _deliveries(newsroom).values()} == {0}

    _relay(port, tls="none", username="user", password="right-password")
    fixed = newsroom(*SEND)
    assert fixed.code == 0, fixed
    assert "resuming" in fixed.out
    assert {m.rcpt for m in handler.received} == EVERYONE
    assert len(handler.received) == 6
    assert set(_statuses(newsroom).values()) == {"sent"}


def test_a_recipient_always_answering_451_fails_at_the_deadline(
    newsroom: Cli, plain_smtp: tuple[RecordingHandler, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """451 at RCPT on every try: deferred while the deadline is ahead, then failed, then left."""
    handler, port = plain_smtp
    target = "j3@outlet3.example.org"
    handler.script.rcpt[target] = "451 4.7.1 Greylisted, try again later"
    monkeypatch.setenv("MAILER_SMTP_URL", f"smtp://127.0.0.1:{port}")
    first = newsroom(*SEND)
    assert first.code == 0, first
    assert _statuses(newsroom)[target] == "deferred"
    campaign = json.loads(newsroom("campaigns", "list", "--json").out)[0]["id"]

    again = newsroom("campaigns", "resume", str(campaign))
    assert again.code == 0, again
    d = _deliveries(newsroom)[target]
    assert (d.status.value, d.attempts) == ("deferred", 2)
    assert "will be retried" in again.out

    engine = create_engine(newsroom.db_url)
    with Session(engine) as session, session.begin():
        session.execute(update(Campaign).values(deadline_at=utcnow() - timedelta(minutes=1)))
    engine.dispose()
    last = newsroom("campaigns", "resume", str(campaign))
    assert last.code == 0, last
    d = _deliveries(newsroom)[target]
    assert (d.status.value, d.attempts, d.smtp_code) == ("failed", 3, 451)
    assert "will be retried" not in last.out

    after = newsroom("campaigns", "resume", str(campaign))
    assert after.code == 0, after
    d = _deliveries(newsroom)[target]
    assert (d.status.value, d.attempts) == ("failed", 3)
    statuses = _statuses(newsroom)
    assert statuses.pop(target) == "failed"
    assert set(statuses.values()) == {"sent"}
    assert {m.rcpt for m in handler.received} == EVERYONE - {target}
    shown = json.loads(newsroom("campaigns", "show", str(campaign), "--json").out)
    assert shown["status"] == "finished"
    # A temporary failure that ran out of time is not the journalist's bounce.
    assert json.loads(newsroom("contacts", "show", target, "--json").out)["status"] == "active"
    engine = create_engine(newsroom.db_url)
    with Session(engine) as session:
        assert session.exec(select(BounceEvent)).all() == []
    engine.dispose()


def test_an_address_no_header_can_carry_fails_only_its_delivery(
    newsroom: Cli, plain_smtp: tuple[RecordingHandler, int]
) -> None:
    """A journalist stored before import refused non-ASCII local parts (they need SMTPUTF8,
    RFC 6531): their delivery fails with the reason, everyone else receives the release."""
    handler, port = plain_smtp
    _relay(port, tls="none")
    engine = create_engine(newsroom.db_url)
    with engine.begin() as conn:
        conn.execute(
            update(Contact)
            .where(Contact.email_key == "j2@outlet2.example.org")  # type: ignore[arg-type]
            .values(email="jürgen@outlet2.example.org", email_key="jürgen@outlet2.example.org")
        )
    engine.dispose()
    result = newsroom(*SEND)
    assert result.code == 0, result
    assert {m.rcpt for m in handler.received} == EVERYONE - {"j2@outlet2.example.org"}
    deliveries = _deliveries(newsroom)
    failed = deliveries["jürgen@outlet2.example.org"]
    assert failed.status.value == "failed"
    assert "non-ASCII local part" in (failed.smtp_reply or "")
    assert sorted(d.status.value for d in deliveries.values()).count("sent") == 5
