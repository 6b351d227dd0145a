"""Bounces end to end: a DSN to the VERP address of a real delivery, fetched from a Maildir and an
mbox, recorded once, applied to the contact; forged tokens never trusted."""

from __future__ import annotations

import json
import mailbox
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, Cli
from tests.smtpd import RecordingHandler, start_server

RELEASE = REPO / "examples" / "immunization-release.md"
HEADER = "email,name,outlet,role,beats,country,languages,regions,phone,notes\n"


def dsn(
    verp: str,
    recipient: str,
    status: str = "5.1.1",
    action: str = "failed",
    message_id: str = "<dsn-1@mx.accept.test>",
) -> bytes:
    """An RFC 3464 report as Postfix writes one, sent to the VERP return path."""
    return (
        f"From: MAILER-DAEMON@mx.accept.test (Mail Delivery System)\r\n"
        f"To: {verp}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {message_id}\r\nMIME-Version: 1.0\r\nAuto-Submitted: auto-replied\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThis is the mail system at host mx.accept.test.\r\n"
        f"<{recipient}>: host mx.accept.test said: 550 {status} unknown user\r\n\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.accept.test\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nOriginal-Recipient: rfc822;{recipient}\r\n"
        f"Action: {action}\r\nStatus: {status}\r\nDiagnostic-Code: X-Postfix; unknown user\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Return-Path: <{verp}>\r\nFrom: Press Office <press@newsroom.example.org>\r\n"
        f"To: {recipient}\r\nSubject: Measles\r\n\r\n--B--\r\n"
    ).encode()


@pytest.fixture
def sent(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Cli, RecordingHandler]]:
    """Four journalists who each received the release through a real SMTP server."""
    handler = RecordingHandler()
    controller = start_server(handler)
    rows = "".join(
        f"j{i}@outlet{i}.example.org,Journalist {i},Outlet,,,KG,ru,,,\n" for i in range(4)
    )
    (tmp_path / "j.csv").write_text(HEADER + rows, encoding="utf-8")
    assert cli("contacts", "import", str(tmp_path / "j.csv")).code == 0
    assert cli("spokespeople", "import", str(REPO / "contacts" / "spokespeople.yaml")).code == 0
    monkeypatch.setenv("MAILER_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    monkeypatch.setenv("MAILER_SECRET_KEY", "test-secret-0123456789-abcdefghij")
    monkeypatch.setenv("MAILER_BOUNCE_DOMAIN", "bounces.newsroom.test")
    assert cli("send", str(RELEASE), "--region", "central-asia", "--yes").code == 0
    yield cli, handler
    controller.stop()


def _verp(handler: RecordingHandler, rcpt: str) -> str:
    return next(m.mail_from for m in handler.received if m.rcpt == rcpt)


def _maildir(path: Path, messages: list[bytes]) -> Path:
    box = mailbox.Maildir(str(path), create=True)
    for data in messages:
        box.add(data)
    return path


def _status(cli: Cli, email: str) -> str:
    return str(json.loads(cli("contacts", "show", email, "--json").out)["status"])


def test_dsn_in_a_maildir_bounces_the_contact_once(
    sent: tuple[Cli, RecordingHandler], tmp_path: Path
) -> None:
    """A hard DSN to one delivery's VERP address makes that contact bounced; a second fetch finds
    the message flagged and counts nothing twice; an auto-reply is not a bounce."""
    cli, handler = sent
    target = "j1@outlet1.example.org"
    verp = _verp(handler, target).upper()  # an MTA changed the case: the token survives
    auto = (
        b"From: j2@outlet2.example.org\r\nTo: "
        + _verp(handler, "j2@outlet2.example.org").encode()
        + b"\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n\r\nI am away.\r\n"
    )
    box = _maildir(tmp_path / "bounces", [dsn(verp, target), auto])
    first = cli("bounces", "fetch", "--maildir", str(box), "--json")
    assert first.code == 0, first
    summary = json.loads(first.out)
    assert (summary["messages"], summary["recorded"], summary["not_bounces"]) == (2, 1, 1)
    assert _status(cli, target) == "bounced"
    assert _status(cli, "j2@outlet2.example.org") == "active"
    again = json.loads(cli("bounces", "fetch", "--maildir", str(box), "--json").out)
    assert again["messages"] == 0
    shown = json.loads(cli("contacts", "show", target, "--json").out)
    assert [b["kind"] for b in shown["bounces"]] == ["hard"]
    events = json.loads(cli("bounces", "list", "--json").out)
    assert len(events) == 1
    assert events[0]["delivery"] is not None
    campaign = json.loads(cli("campaigns", "list", "--json").out)[0]
    assert campaign["deliveries"]["bounced"] == 1
    # The next send leaves the bounced journalist out.
    plan = cli("send", str(RELEASE), "--region", "central-asia", "--dry-run", "--json")
    assert json.loads(plan.out)["recipients"] == 3


def test_mbox_is_idempotent_and_forged_tokens_are_ignored(
    sent: tuple[Cli, RecordingHandler], tmp_path: Path
) -> None:
    """Fetching the same mbox twice records each bounce once; a DSN whose token was altered
    is recorded without a delivery and changes no contact."""
    cli, handler = sent
    target = "j3@outlet3.example.org"
    verp = _verp(handler, target)
    forged = verp.replace("bounces+", "bounces+a")  # any change breaks the signature
    path = tmp_path / "bounces.mbox"
    box = mailbox.mbox(str(path))
    box.add(dsn(forged, "j0@outlet0.example.org", message_id="<dsn-forged@x.test>"))
    box.add(dsn(verp, target, status="5.2.2", message_id="<dsn-full@x.test>"))
    box.flush()
    first = json.loads(cli("bounces", "fetch", "--mbox", str(path), "--json").out)
    assert first["recorded"] == 2
    assert first["unmatched"] == 1
    assert _status(cli, "j0@outlet0.example.org") == "active"
    assert _status(cli, target) == "active"  # one soft bounce is not enough
    second = json.loads(cli("bounces", "fetch", "--mbox", str(path), "--json").out)
    assert (second["recorded"], second["duplicates"]) == (0, 2)


def test_inspect_prints_one_json_object_per_file(
    sent: tuple[Cli, RecordingHandler], tmp_path: Path
) -> None:
    """inspect --json keeps the documented keys exactly, and names our delivery."""
    cli, handler = sent
    target = "j1@outlet1.example.org"
    (tmp_path / "a.eml").write_bytes(dsn(_verp(handler, target), target))
    (tmp_path / "b.eml").write_bytes(b"\x00\x01garbage")
    result = cli("bounces", "inspect", str(tmp_path / "a.eml"), str(tmp_path / "b.eml"), "--json")
    assert result.code == 0, result
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert [sorted(x) for x in lines] == [
        sorted(
            ["file", "bounce", "kind", "recipients", "status", "diagnostic", "delivery", "format"]
        )
    ] * 2
    assert lines[0]["bounce"] is True
    assert lines[0]["kind"] == "hard"
    assert lines[0]["recipients"] == [target]
    assert lines[0]["status"] == "5.1.1"
    assert isinstance(lines[0]["delivery"], int)
    assert lines[1]["bounce"] is False


def test_reactivate(sent: tuple[Cli, RecordingHandler], tmp_path: Path) -> None:
    """A bounced journalist can be reactivated with a reason; an active one cannot."""
    cli, handler = sent
    target = "j1@outlet1.example.org"
    box = _maildir(tmp_path / "b", [dsn(_verp(handler, target), target)])
    assert cli("bounces", "fetch", "--maildir", str(box)).code == 0
    assert _status(cli, target) == "bounced"
    done = cli("contacts", "reactivate", target, "--reason", "new mailbox confirmed by phone")
    assert done.code == 0, done
    assert _status(cli, target) == "active"
    assert cli("contacts", "reactivate", target, "--reason", "x").code == 1


@pytest.mark.parametrize("limit", [2, 3])
def test_soft_bounces_follow_the_configured_limit(
    sent: tuple[Cli, RecordingHandler],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    limit: int,
) -> None:
    """Soft bounces make a journalist bounced only at MAILER_SOFT_BOUNCE_LIMIT (settings data)."""
    cli, handler = sent
    monkeypatch.setenv("MAILER_SOFT_BOUNCE_LIMIT", str(limit))
    target = "j2@outlet2.example.org"
    verp = _verp(handler, target)
    statuses = []
    for n in range(3):
        box = _maildir(
            tmp_path / f"soft{n}", [dsn(verp, target, status="4.2.2", message_id=f"<full-{n}@x>")]
        )
        assert (
            json.loads(cli("bounces", "fetch", "--maildir", str(box), "--json").out)["recorded"]
            == 1
        )
        statuses.append(_status(cli, target))
    expected = ["active"] * (limit - 1) + ["bounced"] * (3 - limit + 1)
    assert statuses == expected


def test_odd_bytes_in_returned_mail_are_recorded_not_fatal(cli: Cli, tmp_path: Path) -> None:
    """Found by tests/fuzz: NUL in a returned message's Message-ID or diagnostic stopped `fetch`
    on PostgreSQL (which refuses NUL in text) at that message, every time; a UTF-7 encoded word
    made `inspect --json` fail writing a lone surrogate (exit 70). Both are read as text now."""
    verp = "bounces+aaaaaaaaaaaaaaaa@bounces.newsroom.test"
    data = dsn(verp, "gone@accept.test", message_id="<dsn\x00nul@mx.accept.test>")
    data = data.replace(b"X-Postfix; unknown user", b"X-Postfix; unknown\x00 user")
    path = tmp_path / "bounces.mbox"
    box = mailbox.mbox(str(path))
    box.add(data)
    box.flush()
    fetched = cli("bounces", "fetch", "--mbox", str(path), "--json")
    assert fetched.code == 0, fetched
    assert json.loads(fetched.out)["recorded"] == 1
    (event,) = json.loads(cli("bounces", "list", "--json").out)
    assert "\x00" not in event["diagnostic"]
    odd = tmp_path / "odd.eml"
    odd.write_bytes(b"From: Jo <jo@example.org>\nSubject: =?utf-7?B?KzJEMC0=?= hello\n\nhi\n")
    shown = cli("bounces", "inspect", str(odd), "--json")
    assert shown.code == 0, shown
    assert json.loads(shown.out)["diagnostic"] == "+2D0- hello"
