"""mailer send end to end against a real SMTP server (aiosmtpd on loopback), on both backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import REPO, Cli
from tests.smtpd import RecordingHandler, start_server

RELEASE = REPO / "examples" / "immunization-release.md"
HEADER = "email,name,outlet,role,beats,country,languages,regions,phone,notes\n"


@pytest.fixture
def smtp() -> Iterator[tuple[RecordingHandler, int]]:
    """A recording SMTP server on loopback."""
    handler = RecordingHandler()
    controller = start_server(handler)
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def newsroom(
    cli: Cli, tmp_path: Path, smtp: tuple[RecordingHandler, int], monkeypatch: pytest.MonkeyPatch
) -> Cli:
    """Six journalists in Central Asia (two of them French readers) and the sample roster."""
    rows = "".join(
        f"j{i}@outlet{i}.example.org,Journalist {i},Outlet,,health,KG,{'fr' if i < 2 else 'ru'},,,\n"
        for i in range(6)
    )
    (tmp_path / "j.csv").write_text(HEADER + rows, encoding="utf-8")
    assert cli("contacts", "import", str(tmp_path / "j.csv")).code == 0
    assert cli("spokespeople", "import", str(REPO / "contacts" / "spokespeople.yaml")).code == 0
    monkeypatch.setenv("MAILER_SMTP_URL", f"smtp://127.0.0.1:{smtp[1]}")
    monkeypatch.setenv("MAILER_SECRET_KEY", "test-secret-0123456789-abcdefghij")
    monkeypatch.setenv("MAILER_BOUNCE_DOMAIN", "bounces.newsroom.test")
    return cli


def _statuses(cli: Cli) -> dict[str, str]:
    engine = create_engine(cli.db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT email, status FROM delivery")).all()
    engine.dispose()
    return {r[0]: r[1] for r in rows}


def _contact_status(cli: Cli, email: str) -> str:
    return str(json.loads(cli("contacts", "show", email, "--json").out)["status"])


def test_send_delivers_one_copy_each_and_a_rerun_sends_nothing(
    newsroom: Cli, smtp: tuple[RecordingHandler, int]
) -> None:
    """Every journalist gets one message in their language; running again resumes, sends none."""
    handler, _port = smtp
    result = newsroom("send", str(RELEASE), "--region", "central-asia", "--yes")
    assert result.code == 0, result
    assert len(handler.received) == 6
    assert sorted(m.rcpt for m in handler.received) == sorted(
        f"j{i}@outlet{i}.example.org" for i in range(6)
    )
    by_rcpt = {m.rcpt: m for m in handler.received}
    assert b"Content-Language: fr" in by_rcpt["j0@outlet0.example.org"].data
    assert b"Content-Language: ru" in by_rcpt["j5@outlet5.example.org"].data
    for m in handler.received:
        assert m.mail_from.startswith("bounces+")
        assert m.mail_from.endswith("@bounces.newsroom.test")
        assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in m.data
    assert set(_statuses(newsroom).values()) == {"sent"}
    again = newsroom("send", str(RELEASE), "--region", "central-asia", "--yes")
    assert again.code == 0, again
    assert "resuming" in again.out
    assert len(handler.received) == 6


def test_dry_run_and_missing_yes(newsroom: Cli, smtp: tuple[RecordingHandler, int]) -> None:
    """--dry-run sends nothing; without a terminal, --yes is required (exit 2)."""
    handler, _port = smtp
    dry = newsroom("send", str(RELEASE), "--region", "central-asia", "--dry-run")
    assert dry.code == 0, dry
    assert "nothing sent" in dry.out
    refused = newsroom("send", str(RELEASE), "--region", "central-asia")
    assert refused.code == 2
    assert "--yes" in refused.err
    assert handler.received == []
    assert _statuses(newsroom) == {}


def test_test_to_sends_one_marked_copy_per_language(
    newsroom: Cli, smtp: tuple[RecordingHandler, int]
) -> None:
    """--test-to sends each language variant once to that address, subject marked [TEST]."""
    handler, _port = smtp
    result = newsroom("send", str(RELEASE), "--test-to", "desk@newsroom.test", "--yes")
    assert result.code == 0, result
    assert {m.rcpt for m in handler.received} == {"desk@newsroom.test"}
    assert len(handler.received) == len(list(RELEASE.parent.glob("immunization-release*.md")))
    subjects = [
        message_from_bytes(m.data, policy=policy.default)["Subject"] for m in handler.received
    ]
    assert all(s.startswith("[TEST] ") for s in subjects), subjects


@pytest.mark.parametrize(
    ("where", "reply", "delivery", "contact"),
    [
        (
            "rcpt",
            "550 5.1.1 <j3@outlet3.example.org>: Recipient address rejected: User unknown",
            "failed",
            "bounced",
        ),
        ("data", "554 5.7.1 Message rejected as spam", "failed", "active"),
        ("rcpt", "451 4.7.1 Greylisted, try again later", "deferred", "active"),
        ("rcpt", "452 4.2.2 Mailbox full", "deferred", "active"),
        ("data", "552 5.2.2 Mailbox full", "deferred", "active"),
    ],
)
def test_replies_end_in_the_right_state(
    newsroom: Cli,
    smtp: tuple[RecordingHandler, int],
    where: str,
    reply: str,
    delivery: str,
    contact: str,
) -> None:
    """5xx at RCPT/DATA fails at once (hard bounces the contact, a block does not); 4xx and 552 defer."""
    handler, _port = smtp
    target = "j3@outlet3.example.org"
    getattr(handler.script, where)[target] = reply
    result = newsroom("send", str(RELEASE), "--region", "central-asia", "--yes")
    assert result.code == 0, result
    statuses = _statuses(newsroom)
    assert statuses[target] == delivery
    assert [s for e, s in statuses.items() if e != target] == ["sent"] * 5
    assert _contact_status(newsroom, target) == contact
    if delivery == "deferred":
        assert "will be retried" in result.out


def test_dropped_connection_and_stall_are_deferred_then_resumed(
    newsroom: Cli, smtp: tuple[RecordingHandler, int], tmp_path: Path
) -> None:
    """A connection dropped mid-DATA and a server stalling past the timeout both defer; a resume
    once the server behaves delivers them, and nothing is lost."""
    handler, port = smtp
    handler.script.drop_data.add("j1@outlet1.example.org")
    handler.script.stall_data["j2@outlet2.example.org"] = 3.0
    handler.script.fail_once = True
    Path("mailer.toml").write_text(
        f'[[relays]]\nhost = "127.0.0.1"\nport = {port}\ntls = "none"\ntimeout = 1.0\n'
        "max_connections = 2\n",
        encoding="utf-8",
    )
    result = newsroom("send", str(RELEASE), "--region", "central-asia", "--yes")
    assert result.code == 0, result
    statuses = _statuses(newsroom)
    assert statuses["j1@outlet1.example.org"] == "deferred"
    assert statuses["j2@outlet2.example.org"] == "deferred"
    campaign = json.loads(newsroom("campaigns", "list", "--json").out)[0]["id"]
    resumed = newsroom("campaigns", "resume", str(campaign))
    assert resumed.code == 0, resumed
    assert set(_statuses(newsroom).values()) == {"sent"}
    delivered = {m.rcpt for m in handler.received}
    assert delivered == {f"j{i}@outlet{i}.example.org" for i in range(6)}


def test_a_dead_relay_hands_its_messages_to_another(
    newsroom: Cli, smtp: tuple[RecordingHandler, int]
) -> None:
    """With one relay unreachable and one working, every message goes out through the working
    relay at once, nothing is deferred."""
    handler, port = smtp
    from tests.smtpd import free_port

    dead = free_port()  # nothing listens there: connection refused
    Path("mailer.toml").write_text(
        f'[[relays]]\nhost = "127.0.0.1"\nport = {dead}\ntls = "none"\nmax_connections = 2\n'
        f'[[relays]]\nhost = "127.0.0.1"\nport = {port}\ntls = "none"\nmax_connections = 2\n',
        encoding="utf-8",
    )
    result = newsroom("send", str(RELEASE), "--region", "central-asia", "--yes")
    assert result.code == 0, result
    assert set(_statuses(newsroom).values()) == {"sent"}
    assert len(handler.received) == 6


@pytest.mark.parametrize("algorithm", ["rsa-sha256", "ed25519-sha256"])
def test_sent_messages_carry_a_dkim_signature_that_verifies(
    newsroom: Cli,
    smtp: tuple[RecordingHandler, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    algorithm: str,
) -> None:
    """With a key from `mailer dkim keygen`, every message verifies with dkimpy's verifier."""
    import dkim

    handler, _port = smtp
    key = tmp_path / "dkim.pem"
    made = newsroom(
        "dkim",
        "keygen",
        str(key),
        "--selector",
        "press",
        "--domain",
        "newsroom.example.org",
        "--algorithm",
        algorithm,
    )
    assert made.code == 0, made
    record = "".join(made.out.split('"')[1::2]).encode()
    monkeypatch.setenv("MAILER_DKIM_DOMAIN", "newsroom.example.org")
    monkeypatch.setenv("MAILER_DKIM_SELECTOR", "press")
    monkeypatch.setenv("MAILER_DKIM_KEY_FILE", str(key))
    result = newsroom("send", str(RELEASE), "--region", "central-asia", "--yes")
    assert result.code == 0, result
    assert len(handler.received) == 6

    def dns(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"press._domainkey.newsroom.example.org."
        return record

    for message in handler.received:
        assert message.data.startswith(b"DKIM-Signature:")
        assert dkim.verify(message.data, dnsfunc=dns)


def test_report_campaigns_cancel_and_retry(
    newsroom: Cli, smtp: tuple[RecordingHandler, int], tmp_path: Path
) -> None:
    """report writes JSON, CSV and a self-contained HTML page; retry re-queues failed deliveries;
    cancel stops what is left."""
    handler, _port = smtp
    handler.script.rcpt["j4@outlet4.example.org"] = "550 5.1.1 User unknown"
    assert newsroom("send", str(RELEASE), "--region", "central-asia", "--yes").code == 0
    campaign = json.loads(newsroom("campaigns", "list", "--json").out)[0]
    assert campaign["deliveries"]["sent"] == 5
    assert campaign["deliveries"]["failed"] == 1
    html, csv_file = tmp_path / "r.html", tmp_path / "r.csv"
    report = newsroom(
        "report", str(campaign["id"]), "--json", "--html", str(html), "--csv", str(csv_file)
    )
    assert report.code == 0, report
    data = json.loads(report.out)
    assert data["totals"] == {"sent": 5, "failed": 1}
    assert data["bounces"] == {"hard": 1}
    assert data["by_language"]["fr"] == {"sent": 2}
    page = html.read_text(encoding="utf-8")
    assert "<svg" in page
    assert "<script" not in page
    assert "j4@outlet4.example.org" in page
    assert "j4@outlet4.example.org,Journalist 4,failed,550" in csv_file.read_text(
        encoding="utf-8-sig"
    )
    handler.script.rcpt.clear()
    retried = newsroom("campaigns", "retry", str(campaign["id"]))
    assert "1 deliveries queued again" in retried.out
    cancelled = newsroom("campaigns", "cancel", str(campaign["id"]))
    assert cancelled.code == 0
    assert "1 deliveries will not be sent" in cancelled.out
    shown = json.loads(newsroom("campaigns", "show", str(campaign["id"]), "--json").out)
    assert shown["status"] == "cancelled"
    assert shown["deliveries"]["cancelled"] == 1
    assert newsroom("campaigns", "resume", str(campaign["id"])).code == 2
    assert newsroom("campaigns", "show", "999").code == 1
