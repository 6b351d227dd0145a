"""The private Postfix harness itself: Maildir delivery, both failure modes, DSNs, bare LF, and
proof that nothing relays off the machine."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from pathlib import Path

import pytest

from tests.conftest import missing_server
from tests.postfix import PostfixUnavailable, PrivatePostfix

ACCEPT, REJECT, BOUNCE = "accept.test", "reject.test", "bounces.newsroom.test"
USERS = {ACCEPT: ["alice"], REJECT: ["bob", "carol"]}


@pytest.fixture(scope="module")
def postfix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePostfix]:
    """One private Postfix instance for this module, stopped and removed afterwards."""
    instance = PrivatePostfix(tmp_path_factory.mktemp("postfix"), users=USERS)
    try:
        instance.start()
    except PostfixUnavailable as exc:
        missing_server(str(exc))
    try:
        yield instance
    finally:
        instance.stop()


def _smtp(postfix: PrivatePostfix) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", postfix.port, timeout=10)
    client.ehlo("client.newsroom.test")
    return client


def _message(subject: str, to: str, sender: str = "press@newsroom.test") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Message-ID"] = f"<{subject.replace(' ', '-')}@newsroom.test>"
    msg.set_content(f"{subject}\n")
    return msg.as_bytes(policy=policy.SMTP)


def _parse(data: bytes) -> EmailMessage:
    parsed = message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _delivery_status(dsn: EmailMessage) -> tuple[Message, Message]:
    """The per-message and the (single) per-recipient field groups of a DSN."""
    parts = [p for p in dsn.walk() if p.get_content_type() == "message/delivery-status"]
    assert len(parts) == 1, dsn
    groups = parts[0].get_payload()
    assert isinstance(groups, list)
    assert len(groups) == 2, groups
    per_message, per_recipient = groups
    assert isinstance(per_message, Message)
    assert isinstance(per_recipient, Message)
    return per_message, per_recipient


def test_message_to_an_existing_user_lands_in_its_maildir(postfix: PrivatePostfix) -> None:
    """A message to an existing accept.test user is delivered into that user's Maildir/new."""
    with _smtp(postfix) as client:
        refused = client.sendmail(
            "bounces+deliver1@bounces.newsroom.test",
            ["alice@accept.test"],
            _message("harness delivery", "alice@accept.test"),
        )
    assert refused == {}
    data = postfix.wait_for_message("alice@accept.test", b"harness delivery", timeout=15)
    msg = _parse(data)
    assert msg["Subject"] == "harness delivery"
    assert msg["Return-Path"] == "<bounces+deliver1@bounces.newsroom.test>"
    assert msg["Delivered-To"] == "alice@accept.test"
    assert postfix.maildir("alice@accept.test") == postfix.maildir_base / ACCEPT / "alice"


def test_unknown_user_at_reject_domain_gets_550_at_rcpt(postfix: PrivatePostfix) -> None:
    """RCPT to an unknown reject.test user is answered 550 5.1.1, a known one is accepted."""
    with _smtp(postfix) as client:
        client.mail("bounces+rcpt1@bounces.newsroom.test")
        code, reply = client.rcpt("nobody@reject.test")
        assert (code, reply.split()[0]) == (550, b"5.1.1"), reply
        code, reply = client.rcpt("bob@reject.test")
        assert code == 250, reply
        client.rset()
    assert "550 5.1.1 <nobody@reject.test>" in postfix.log()


def test_unknown_user_at_accept_domain_gets_a_dsn_at_the_verp_address(
    postfix: PrivatePostfix,
) -> None:
    """An unknown accept.test user is accepted, then an RFC 3464 DSN reaches bounces+TOKEN@."""
    verp = "bounces+abc123@bounces.newsroom.test"
    with _smtp(postfix) as client:
        client.mail(verp, ["ENVID=env-abc123", "RET=HDRS"])
        code, reply = client.rcpt("ghost@accept.test", ["NOTIFY=FAILURE"])
        assert code == 250, reply
        code, reply = client.data(_message("harness dsn", "ghost@accept.test"))
        assert code == 250, reply
    dsn = _parse(postfix.wait_for_message("bounces@bounces.newsroom.test", b"env-abc123"))

    assert dsn.get_content_type() == "multipart/report"
    assert dsn.get_param("report-type") == "delivery-status"
    assert dsn["X-Original-To"] == verp
    assert dsn["Delivered-To"] == verp
    assert dsn["Return-Path"] == "<>"
    per_message, per_recipient = _delivery_status(dsn)
    assert per_message["Original-Envelope-Id"] == "env-abc123"
    assert per_recipient["Final-Recipient"] == "rfc822; ghost@accept.test"
    assert per_recipient["Action"] == "failed"
    assert per_recipient["Status"] == "5.1.1"
    assert per_recipient["Diagnostic-Code"].startswith("X-Postfix; unknown user")
    # RET=HDRS: the original comes back as headers only, with its Message-ID for matching
    headers = [p for p in dsn.walk() if p.get_content_type() == "text/rfc822-headers"]
    assert len(headers) == 1
    assert b"<harness-dsn@newsroom.test>" in headers[0].get_payload(decode=True)


def test_bare_lf_in_data_is_rejected(postfix: PrivatePostfix) -> None:
    """A DATA line ending in a bare LF is rejected with 550 5.5.2; the CRLF version goes through."""
    if not postfix.forbids_bare_newline:
        pytest.skip("this Postfix has no smtpd_forbid_bare_newline")
    with _smtp(postfix) as client:
        client.mail("bounces+bare1@bounces.newsroom.test")
        assert client.rcpt("carol@reject.test")[0] == 250
        assert client.docmd("DATA")[0] == 354
        # smtplib.data() would turn the bare LF into CRLF, so write the raw bytes
        client.send(b"Subject: bare lf\r\nX-Bare: yes\n\r\nbody\r\n.\r\n")
        code, reply = client.getreply()
        assert (code, reply.split()[0]) == (550, b"5.5.2"), reply
        assert b"bare <LF>" in reply
        # the session survives; the same message with CRLF only is accepted and delivered
        client.mail("bounces+bare2@bounces.newsroom.test")
        assert client.rcpt("carol@reject.test")[0] == 250
        code, reply = client.data(b"Subject: crlf only\r\nX-Bare: no\r\n\r\nbody\r\n")
        assert code == 250, reply
    delivered = postfix.wait_for_mail("carol@reject.test", 1)
    assert len(delivered) == 1
    assert b"Subject: crlf only" in delivered[0].read_bytes()


def test_nothing_relays_off_the_machine(postfix: PrivatePostfix) -> None:
    """Relaying is refused at RCPT, no SMTP/LMTP client exists, and other mail goes to error."""
    # 1. the SMTP server refuses every off-machine recipient, loopback client or not
    with _smtp(postfix) as client:
        client.mail("bounces+relay1@bounces.newsroom.test")
        for rcpt in ("someone@example.com", "someone%example.com@accept.test", "x@localhost"):
            code, reply = client.rcpt(rcpt)
            assert (code, reply.split()[0]) == (554, b"5.7.1"), (rcpt, reply)
            assert b"Relay access denied" in reply
        client.rset()

    # 2. there is no client that could carry mail away, and every fallback is the error transport
    services = postfix.postconf("-M").splitlines()
    commands = {line.split()[-1] for line in services if line.strip()}
    assert not commands & {"smtp", "lmtp", "pipe", "local"}, services
    listeners = [line.split()[0] for line in services if line.split()[1] == "inet"]
    assert listeners == [f"127.0.0.1:{postfix.port}"]
    names = (
        "relayhost",
        "relay_domains",
        "default_transport",
        "relay_transport",
        "local_transport",
    )
    params = {
        name.strip(): value.strip()
        for name, _, value in (
            line.partition("=") for line in postfix.postconf(*names).splitlines()
        )
    }
    assert params["relayhost"] == params["relay_domains"] == ""
    assert params["relay_transport"] == "$default_transport"
    assert params["default_transport"].startswith("error:")
    assert params["local_transport"].startswith("error:")

    # 3. mail that gets in locally anyway (no SMTP restrictions) is bounced, never sent
    postfix.sendmail(
        _message("harness relay", "someone@example.com"),
        "bounces+relay2@bounces.newsroom.test",
        ["someone@example.com"],
    )
    dsn = _parse(postfix.wait_for_message("bounces@bounces.newsroom.test", b"bounces+relay2@"))
    _, per_recipient = _delivery_status(dsn)
    assert per_recipient["Final-Recipient"] == "rfc822; someone@example.com"
    assert per_recipient["Action"] == "failed"
    assert per_recipient["Status"] == "5.7.1"
    log = postfix.log().splitlines()
    lines = [line for line in log if "to=<someone@example.com>" in line and "status=" in line]
    assert lines
    assert all("/error[" in line and "relay=none" in line for line in lines), lines
    assert "/smtp[" not in postfix.log()


def test_instance_files_live_in_a_private_directory(tmp_path: Path) -> None:
    """The instance keeps config, queue, data and Maildirs in its own directory and removes it."""
    instance = PrivatePostfix(tmp_path, users={ACCEPT: ["dora"]})
    with pytest.raises(KeyError):
        instance.maildir("nobody@accept.test")
    try:
        instance.start()
    except PostfixUnavailable as exc:
        missing_server(str(exc))
    base = instance.base
    assert base is not None
    try:
        assert {p.name for p in base.iterdir()} >= {"config", "queue", "data", "maildirs"}
        assert instance.postconf("-h", "queue_directory").strip() == str(base / "queue")
        assert instance.maildir("dora+tag@accept.test") == base / "maildirs" / ACCEPT / "dora"
        assert "starting the Postfix mail system" in instance.log()
    finally:
        instance.stop()
    assert not base.exists()
