"""Bounces proven against a real MTA: `mailer send` through a private Postfix on loopback, one
domain refusing unknown users at RCPT time, one accepting them and returning a real RFC 3464 DSN
to the VERP address; `mailer bounces fetch` on the bounce Maildir, twice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, Cli, missing_server
from tests.postfix import PostfixUnavailable, PrivatePostfix

RELEASE = REPO / "examples" / "immunization-release.md"
HEADER = "email,name,outlet,role,beats,country,languages,regions,phone,notes\n"
ACCEPT, REJECT, BOUNCE = "accept.test", "reject.test", "bounces.newsroom.test"
# Two journalists exist at each domain, one address at each is gone.
DELIVERED = ["alice@accept.test", "dana@accept.test", "bob@reject.test", "carol@reject.test"]
GONE_AFTER = "ghost@accept.test"  # accepted at RCPT, then a DSN (Status 5.1.1)
GONE_AT_RCPT = "nobody@reject.test"  # 550 5.1.1 at RCPT time


@pytest.fixture
def postfix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePostfix]:
    """A private Postfix instance, relaying nowhere, stopped and removed afterwards."""
    users = {ACCEPT: ["alice", "dana"], REJECT: ["bob", "carol"]}
    instance = PrivatePostfix(tmp_path_factory.mktemp("postfix"), users=users)
    try:
        instance.start()
    except PostfixUnavailable as exc:
        missing_server(str(exc))
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture
def newsroom(
    cli: Cli, tmp_path: Path, postfix: PrivatePostfix, monkeypatch: pytest.MonkeyPatch
) -> Cli:
    """Six journalists in Kyrgyzstan, the roster, and Postfix as the relay."""
    rows = "".join(
        f"{email},Journalist {i},Outlet {i},,health,KG,ru,,,\n"
        for i, email in enumerate([*DELIVERED, GONE_AFTER, GONE_AT_RCPT])
    )
    (tmp_path / "journalists.csv").write_text(HEADER + rows, encoding="utf-8")
    assert cli("contacts", "import", str(tmp_path / "journalists.csv")).code == 0
    assert cli("spokespeople", "import", str(REPO / "contacts" / "spokespeople.yaml")).code == 0
    monkeypatch.setenv("MAILER_SMTP_URL", f"smtp://127.0.0.1:{postfix.port}")
    monkeypatch.setenv("MAILER_SECRET_KEY", "postfix-secret-0123456789-abcdefghij")
    monkeypatch.setenv("MAILER_BOUNCE_DOMAIN", BOUNCE)
    return cli


def _status(cli: Cli, email: str) -> str:
    return str(json.loads(cli("contacts", "show", email, "--json").out)["status"])


def _fetch(cli: Cli, maildir: Path) -> dict[str, int]:
    result = cli("bounces", "fetch", "--maildir", str(maildir), "--json")
    assert result.code == 0, result
    return dict(json.loads(result.out))


def _deliveries(cli: Cli) -> dict[str, int]:
    campaign = json.loads(cli("campaigns", "list", "--json").out)[0]
    return {k: v for k, v in campaign["deliveries"].items() if v}


def test_send_through_postfix_bounces_the_unknown_journalists_once(
    newsroom: Cli, postfix: PrivatePostfix
) -> None:
    """The RCPT-time refusal and the DSN each make their journalist bounced; the others receive
    the release; fetching the bounce mailbox again, or a copy of the same DSN, counts nothing."""
    cli = newsroom
    sent = cli("send", str(RELEASE), "--region", "central-asia", "--yes")
    assert sent.code == 0, sent
    for email in DELIVERED:
        (path,) = postfix.wait_for_mail(email, 1)
        assert b"Subject:" in path.read_bytes()
    # Postfix forbids bare LF here: the release arrived, so every line was CRLF.
    assert postfix.forbids_bare_newline
    assert _status(cli, GONE_AT_RCPT) == "bounced"
    assert _status(cli, GONE_AFTER) == "active"  # the relay took it; the DSN has not been read

    (dsn_path,) = postfix.wait_for_mail(f"bounces@{BOUNCE}", 1)
    dsn = dsn_path.read_bytes()
    assert b"report-type=delivery-status" in dsn
    assert GONE_AFTER.encode() in dsn
    box = postfix.maildir(f"bounces@{BOUNCE}")
    first = _fetch(cli, box)
    assert (first["messages"], first["bounces"], first["recorded"]) == (1, 1, 1)
    assert first["unmatched"] == 0
    assert _status(cli, GONE_AFTER) == "bounced"
    for email in DELIVERED:
        assert _status(cli, email) == "active"

    again = _fetch(cli, box)
    assert again["recorded"] == 0
    # The same DSN delivered a second time (an MTA retrying its own delivery) is known.
    (box / "new" / "1700000000.redelivered.mx").write_bytes(dsn)
    copy = _fetch(cli, box)
    assert (copy["messages"], copy["recorded"], copy["duplicates"]) == (1, 0, 1)

    events = json.loads(cli("bounces", "list", "--json").out)
    by_email = {e["email"]: e for e in events}
    assert len(events) == 2, events
    assert by_email[GONE_AT_RCPT]["source"] == "smtp"
    assert by_email[GONE_AFTER]["source"] == "dsn"
    assert {e["kind"] for e in events} == {"hard"}
    assert {e["status"] for e in events} == {"5.1.1"}
    assert all(e["delivery"] is not None for e in events)
    assert _deliveries(cli) == {"sent": 4, "failed": 1, "bounced": 1}
    # The next send leaves both out.
    plan = cli("send", str(RELEASE), "--region", "central-asia", "--dry-run", "--json")
    assert json.loads(plan.out)["recipients"] == 4
