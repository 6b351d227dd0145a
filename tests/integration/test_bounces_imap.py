"""`mailer bounces fetch --imap` against a real IMAP server: a private Dovecot on loopback, over
imaps:// and STARTTLS, with DSNs to real VERP addresses, an auto-reply and an unreadable message;
every failure (password, certificate, folder, port) is one line naming the server."""

from __future__ import annotations

import imaplib
import itertools
import json
import ssl
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import Cli, CliResult, missing_server
from tests.dovecot import HOST, DovecotUnavailable, PrivateDovecot
from tests.integration import test_bounces
from tests.integration.test_bounces import _status, _verp, dsn
from tests.smtpd import RecordingHandler, free_port

sent = test_bounces.sent  # the same fixture: four journalists who received the release over SMTP
PASSWORD = "Imap-Test-Password-7"  # a fictional password for fictional users
MALFORMED = b"this line is no header, and nothing follows\r\n"
_numbers = itertools.count(1)

Fetch = Callable[..., CliResult]


@pytest.fixture(scope="module")
def dovecot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateDovecot]:
    """One private Dovecot for the module (each test has its own user), stopped afterwards."""
    instance = PrivateDovecot(tmp_path_factory.mktemp("dovecot"))
    try:
        instance.start()
    except DovecotUnavailable as exc:
        missing_server(str(exc))
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture
def mailbox(dovecot: PrivateDovecot, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new IMAP user with an empty mailbox; the test CA trusted through SSL_CERT_FILE."""
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.ca_file))
    return dovecot.add_user(f"bounces{next(_numbers)}@bounces.newsroom.test", PASSWORD)


@pytest.fixture
def fetch(monkeypatch: pytest.MonkeyPatch) -> Fetch:
    """`mailer bounces fetch --imap URL --json`, the password given as a user would give it."""

    def run(cli: Cli, url: str, password: str = PASSWORD) -> CliResult:
        monkeypatch.setenv("MAILER_IMAP_PASSWORD", password)
        return cli("bounces", "fetch", "--imap", url, "--json")

    return run


def _summary(result: CliResult) -> dict[str, int]:
    assert result.code == 0, result
    return dict(json.loads(result.out))


def _imap(dovecot: PrivateDovecot, user: str) -> imaplib.IMAP4_SSL:
    """A client of our own, to see the mailbox as any other mail program would."""
    context = ssl.create_default_context(cafile=str(dovecot.ca_file))
    client = imaplib.IMAP4_SSL(HOST, dovecot.imaps_port, ssl_context=context, timeout=10)
    client.login(user, PASSWORD)
    return client


def _flags_and_bodies(client: imaplib.IMAP4_SSL, folder: str) -> list[tuple[bytes, bytes]]:
    """(FLAGS item, message bytes) of every message in a folder, read without changing flags."""
    assert client.select(f'"{folder}"', readonly=True)[0] == "OK"
    _typ, data = client.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
    return [(part[0], part[1]) for part in data if isinstance(part, tuple)]


def _one_line_error(result: CliResult) -> str:
    assert result.code == 1, result
    assert result.out == ""
    assert "Traceback" not in result.err
    assert PASSWORD not in result.err
    (line,) = result.err.splitlines()
    assert line.startswith(f"error: IMAP {HOST}:"), line
    return line


def test_fetch_over_imaps_records_the_bounce_once_and_flags_everything_seen(
    sent: tuple[Cli, RecordingHandler], mailbox: str, dovecot: PrivateDovecot, fetch: Fetch
) -> None:
    """A DSN to one delivery's VERP address, an auto-reply to another and an unreadable message
    sit in the Dovecot inbox: one fetch bounces that journalist only, flags all three \\Seen on
    the server and copies the unreadable one to Mailer-Dead-Letter; a second fetch finds nothing."""
    cli, handler = sent
    target, away = "j1@outlet1.example.org", "j2@outlet2.example.org"
    auto = (
        f"From: {away}\r\nTo: {_verp(handler, away)}\r\nSubject: Out of office\r\n"
        "Message-ID: <away-1@outlet2.example.org>\r\nAuto-Submitted: auto-replied\r\n\r\n"
        "I am away until Monday.\r\n"
    ).encode()
    for message in (dsn(_verp(handler, target), target), auto, MALFORMED):
        dovecot.deliver(message, mailbox)
    assert [m.flags for m in dovecot.messages(mailbox)] == [frozenset({"\\Recent"})] * 3

    first = _summary(fetch(cli, dovecot.url(mailbox)))
    assert first == {
        "messages": 3,
        "bounces": 1,
        "recorded": 1,
        "duplicates": 0,
        "not_bounces": 1,
        "dead_letter": 1,
        "unmatched": 0,
        "kinds": {"hard": 1},
    }
    assert _status(cli, target) == "bounced"
    assert _status(cli, away) == "active"
    (event,) = json.loads(cli("bounces", "list", "--json").out)
    assert (event["email"], event["kind"], event["status"]) == (target, "hard", "5.1.1")
    assert event["delivery"] is not None

    client = _imap(dovecot, mailbox)
    try:
        inbox = _flags_and_bodies(client, "INBOX")
        assert len(inbox) == 3
        assert all(b"\\Seen" in flags for flags, _body in inbox), inbox
        assert [body for _flags, body in _flags_and_bodies(client, "Mailer-Dead-Letter")] == [
            MALFORMED
        ]
    finally:
        client.logout()
    assert sorted(dovecot.folders(mailbox)) == ["INBOX", "Mailer-Dead-Letter"]

    again = _summary(fetch(cli, dovecot.url(mailbox)))
    assert (again["messages"], again["recorded"], again["dead_letter"]) == (0, 0, 0)
    assert len(dovecot.messages(mailbox, "Mailer-Dead-Letter")) == 1
    logins = dovecot.logins(mailbox)
    assert len(logins) == 3  # two fetches and our own client
    assert all(", TLS, " in line for line in logins), logins


def test_starttls_before_the_password_and_a_folder_name_beyond_ascii(
    sqlite_cli: Cli, mailbox: str, dovecot: PrivateDovecot, fetch: Fetch
) -> None:
    """imap:// upgrades with STARTTLS before logging in; a folder named with spaces and letters
    beyond ASCII (modified UTF-7 on the wire, RFC 3501 section 5.1.3) is found and read."""
    folder = "Rückläufer & Co"
    dovecot.create_folder(mailbox, folder)
    auto = (
        b"From: j0@outlet0.example.org\r\nSubject: Auto: away\r\n"
        b"Auto-Submitted: auto-replied\r\n\r\nAway.\r\n"
    )
    dovecot.deliver(auto, mailbox, folder)

    summary = _summary(fetch(sqlite_cli, dovecot.url(mailbox, scheme="imap", folder=folder)))
    assert (summary["messages"], summary["not_bounces"]) == (1, 1)
    assert [m.flags >= {"\\Seen"} for m in dovecot.messages(mailbox, folder)] == [True]
    (login,) = dovecot.logins(mailbox)
    assert ", TLS, " in login, login


def test_a_password_beyond_ascii_is_sent_as_utf8(
    sqlite_cli: Cli, dovecot: PrivateDovecot, monkeypatch: pytest.MonkeyPatch, fetch: Fetch
) -> None:
    """IMAP LOGIN is ASCII only: a password with other letters goes by SASL PLAIN in UTF-8."""
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.ca_file))
    password = "Пароль-тест-7"  # fictional
    user = dovecot.add_user(f"bounces{next(_numbers)}@bounces.newsroom.test", password)
    assert _summary(fetch(sqlite_cli, dovecot.url(user), password))["messages"] == 0


def test_a_wrong_password_is_one_line_naming_server_and_user(
    sqlite_cli: Cli, mailbox: str, dovecot: PrivateDovecot, fetch: Fetch
) -> None:
    """A refused login exits 1 with one line naming the server, the user and what to check,
    never the password and never a traceback."""
    result = fetch(sqlite_cli, dovecot.url(mailbox), "not-the-password")
    line = _one_line_error(result)
    assert f"login as {mailbox} refused" in line
    assert "AUTHENTICATIONFAILED" in line
    assert "MAILER_IMAP_PASSWORD" in line
    assert "not-the-password" not in line
    assert dovecot.logins(mailbox) == []


@pytest.mark.parametrize("scheme", ["imaps", "imap"])
def test_an_untrusted_certificate_stops_before_the_password(
    sqlite_cli: Cli,
    mailbox: str,
    dovecot: PrivateDovecot,
    fetch: Fetch,
    monkeypatch: pytest.MonkeyPatch,
    scheme: str,
) -> None:
    """Without the test CA (no SSL_CERT_FILE) the certificate is refused, over imaps:// and after
    STARTTLS alike: one line saying what to install; no login reached the server."""
    monkeypatch.delenv("SSL_CERT_FILE")
    line = _one_line_error(fetch(sqlite_cli, dovecot.url(mailbox, scheme=scheme)))
    assert "certificate is not trusted" in line
    assert "SSL_CERT_FILE" in line
    assert dovecot.logins(mailbox) == []


@pytest.mark.parametrize(
    ("problem", "expected"),
    [
        ("folder", "cannot open folder 'Nowhere'"),
        ("port", "connection failed (Connection refused); check the host and port"),
        ("scheme", "imaps:// wants a port that speaks TLS at once"),
    ],
)
def test_each_failure_is_one_line_naming_the_server(
    sqlite_cli: Cli,
    mailbox: str,
    dovecot: PrivateDovecot,
    fetch: Fetch,
    problem: str,
    expected: str,
) -> None:
    """A missing folder, a closed port, or imaps:// on the STARTTLS port: one line, exit 1."""
    url = {
        "folder": dovecot.url(mailbox, folder="Nowhere"),
        "port": dovecot.url(mailbox).replace(f":{dovecot.imaps_port}/", f":{free_port()}/"),
        "scheme": dovecot.url(mailbox).replace(f":{dovecot.imaps_port}/", f":{dovecot.imap_port}/"),
    }[problem]
    assert expected in _one_line_error(fetch(sqlite_cli, url))


def test_a_password_in_the_url_is_refused_unseen(sqlite_cli: Cli, fetch: Fetch) -> None:
    """A password written into --imap is refused (it would show in the process list) and is not
    repeated in the message."""
    result = fetch(sqlite_cli, f"imaps://bounces%40bounces.newsroom.test:{PASSWORD}@{HOST}/INBOX")
    assert result.code == 2, result
    assert "must not carry a password" in result.err
    assert PASSWORD not in result.err + result.out
