"""`mailer serve` as a real process: health and metrics, the inbound SMTP receiver (returned mail,
mailto: unsubscribes, relaying refused), the scheduler starting a campaign on time, and SIGTERM
in the middle of a send losing nothing."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.conftest import REPO, Cli
from tests.integration.bulk_newsroom import (
    RELEASE,
    address,
    delivery_statuses,
    write_contacts,
)
from tests.integration.test_bounces import dsn
from tests.smtpd import RecordingHandler, free_port, start_fast_server

SECRET = "serve-test-secret-0123456789-abcdefghij"
BOUNCE_DOMAIN = "bounces.newsroom.test"


class SlowHandler(RecordingHandler):
    """Takes a moment per message, so a send lasts long enough to be interrupted."""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await asyncio.sleep(0.03)
        return await super().handle_DATA(server, session, envelope)


def _env(db_url: str, smtp_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILER_")}
    env.update(
        MAILER_DATABASE_URL=db_url,
        MAILER_REGIONS_FILE=str(REPO / "contacts" / "regions.yaml"),
        MAILER_SECRET_KEY=SECRET,
        MAILER_BOUNCE_DOMAIN=BOUNCE_DOMAIN,
        MAILER_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        MAILER_LEASE_SECONDS="3",
    )
    return env


class Service:
    """A running `mailer serve --worker` and where it listens."""

    def __init__(self, proc: subprocess.Popen[bytes], http: int, smtp: int, log: Path) -> None:
        self.proc, self.http, self.smtp, self.log = proc, http, smtp, log

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http}{path}", timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def stop(self) -> int:
        """SIGTERM, then the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)


def _start(cwd: Path, env: dict[str, str], log: Path) -> Service:
    http, smtp = free_port(), free_port()
    cmd = [sys.executable, "-m", "mailer", "serve", "--port", str(http)]
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [*cmd, "--smtp-port", str(smtp), "--worker"],
            cwd=cwd,
            env=env,
            stdout=err,
            stderr=subprocess.STDOUT,
        )
    service = Service(proc, http, smtp, log)
    deadline = time.monotonic() + 20
    while True:
        if proc.poll() is not None:
            pytest.fail(f"mailer serve exited {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            if service.get("/healthz")[0] == 200:
                return service
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"mailer serve did not answer: {log.read_text()[-2000:]}")
        time.sleep(0.1)


def _until(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def _contact_status(cli: Cli, email: str) -> str:
    return str(json.loads(cli("contacts", "show", email, "--json").out)["status"])


@pytest.fixture
def newsroom(cli: Cli, tmp_path: Path) -> Cli:
    """Twelve journalists and the roster."""
    write_contacts(tmp_path / "journalists.csv", 12)
    assert cli("contacts", "import", str(tmp_path / "journalists.csv")).code == 0
    assert cli("spokespeople", "import", str(REPO / "contacts" / "spokespeople.yaml")).code == 0
    return cli


@pytest.fixture
def relay() -> Iterator[RecordingHandler]:
    """A recording SMTP server on loopback standing in for the relay."""
    handler = RecordingHandler()
    controller = start_fast_server(handler)
    handler.port = controller.port  # type: ignore[attr-defined]
    yield handler
    controller.stop()


def test_serve_schedules_sends_receives_bounces_and_unsubscribes(
    newsroom: Cli,
    db_url: str,
    tmp_path: Path,
    relay: RecordingHandler,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One service process: a campaign scheduled two seconds ahead is sent by its worker; a DSN
    and a mailto: unsubscribe arriving over SMTP change their journalists; health and metrics
    say so; other recipients are refused; SIGTERM exits cleanly."""
    env = _env(db_url, relay.port)  # type: ignore[attr-defined]
    for name, value in env.items():
        if name.startswith("MAILER_"):
            monkeypatch.setenv(name, value)
    at = (datetime.now(UTC) + timedelta(seconds=2)).isoformat(timespec="seconds")
    planned = newsroom("send", str(RELEASE), "--region", "central-asia", "--at", at, "--yes")
    assert planned.code == 0, planned
    listed = json.loads(newsroom("campaigns", "list", "--json").out)
    assert listed[0]["status"] == "scheduled"
    service = _start(tmp_path, env, tmp_path / "serve.log")
    try:
        _until(lambda: len(relay.received) == 12, "the scheduled campaign to be sent")
        _until(lambda: delivery_statuses(db_url) == {"sent": 12}, "every outcome to be recorded")
        status, body = service.get("/healthz")
        assert status == 200
        assert json.loads(body) == {"status": "ok", "database": "ok", "worker": "running"}

        gone, leaving = address(3), address(4)
        to_gone = next(m for m in relay.received if m.rcpt == gone)
        to_leaving = next(m for m in relay.received if m.rcpt == leaving)
        header = message_from_bytes(to_leaving.data, policy=policy.default)["List-Unsubscribe"]
        mailto = next(p.strip("<> ") for p in str(header).split(",") if "mailto:" in p)
        with smtplib.SMTP("127.0.0.1", service.smtp, timeout=10) as client:
            client.sendmail("", [to_gone.mail_from], dsn(to_gone.mail_from, gone))
            client.sendmail(
                leaving, [mailto.removeprefix("mailto:")], b"Subject: unsubscribe\r\n\r\n"
            )
            with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
                client.sendmail("x@example.org", ["someone@elsewhere.test"], b"Subject: x\r\n\r\n")
            assert refused.value.recipients["someone@elsewhere.test"][0] == 550
        assert _contact_status(newsroom, gone) == "bounced"
        assert _contact_status(newsroom, leaving) == "unsubscribed"

        status, metrics = service.get("/metrics")
        assert status == 200
        text_ = metrics.decode()
        assert 'mailer_deliveries{status="sent"} 11.0' in text_  # one became bounced
        assert 'mailer_deliveries{status="bounced"} 1.0' in text_
        assert 'mailer_bounces_total{kind="hard"} 1.0' in text_
        assert 'mailer_inbound_messages_total{outcome="bounce"} 1.0' in text_
        assert 'mailer_inbound_messages_total{outcome="unsubscribe"} 1.0' in text_
        assert "mailer_retry_queue_depth 0.0" in text_
        assert service.stop() == 0
    finally:
        if service.proc.poll() is None:
            service.proc.kill()
    assert "Traceback" not in service.log.read_text()


def test_sigterm_in_the_middle_of_a_send_loses_nothing(
    cli: Cli, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM while the worker sends: in-flight messages finish and are recorded, the rest go
    back to the queue; every message the relay took is recorded as sent, none is left sending."""
    write_contacts(tmp_path / "journalists.csv", 1500)
    assert cli("contacts", "import", str(tmp_path / "journalists.csv")).code == 0
    assert cli("spokespeople", "import", str(REPO / "contacts" / "spokespeople.yaml")).code == 0
    handler = SlowHandler()
    controller = start_fast_server(handler)
    env = _env(db_url, controller.port)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        queued = cli("send", str(RELEASE), "--region", "central-asia", "--queue-only", "--yes")
        assert queued.code == 0, queued
        service = _start(tmp_path, env, tmp_path / "serve.log")
        _until(lambda: len(handler.received) >= 200, "the worker to be sending")
        assert service.stop() == 0
        received = len(handler.received)
    finally:
        controller.stop()
    statuses = delivery_statuses(db_url)
    assert statuses.get("sending", 0) == 0, statuses
    assert received < 1500, "the send finished before the signal; nothing was interrupted"
    assert statuses.get("sent", 0) == received, (statuses, received)
    assert statuses.get("sent", 0) + statuses.get("queued", 0) == 1500, statuses
    assert "Traceback" not in service.log.read_text()


def test_an_embargoed_release_waits_for_its_embargo_unless_forced(
    newsroom: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The media advisory (embargoed until 2026-12-18 09:00 +06:00) is refused now, accepted
    scheduled at its embargo, and sent now only with --force (into the outbox)."""
    monkeypatch.setenv("MAILER_SECRET_KEY", SECRET)
    advisory = REPO / "examples" / "media-advisory.md"
    args = ("send", str(advisory), "--region", "central-asia", "--yes")
    refused = newsroom(*args)
    assert refused.code == 2, refused
    assert "embargoed until 2026-12-18T09:00:00+06:00" in refused.err
    assert "--force" in refused.err
    assert newsroom("campaigns", "list", "--json").out.strip() in ("", "[]")
    early = newsroom(*args, "--at", "2026-12-18 08:59 Asia/Bishkek")
    assert early.code == 2, early
    scheduled = newsroom(*args, "--at", "2026-12-18 09:00 Asia/Bishkek")
    assert scheduled.code == 0, scheduled
    assert json.loads(newsroom("campaigns", "list", "--json").out)[0]["status"] == "scheduled"
    forced = newsroom(*args, "--language", "ru", "--force")
    assert forced.code == 0, forced


def test_a_port_in_use_is_one_clear_error_and_nothing_is_sent(
    newsroom: Cli, db_url: str, tmp_path: Path, relay: RecordingHandler
) -> None:
    """The HTTP port is taken: one `error:` line naming the port, a non-zero exit, no
    traceback, and the worker never started (the queued campaign is untouched)."""
    env = _env(db_url, relay.port)  # type: ignore[attr-defined]
    queued = newsroom("send", str(RELEASE), "--region", "central-asia", "--queue-only", "--yes")
    assert queued.code == 0, queued
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "mailer", "serve", "--port", str(port), "--worker"],
            cwd=tmp_path,
            env={**env, "MAILER_DATABASE_URL": db_url},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: cannot listen for HTTP on 127.0.0.1:{port}; choose another --port"]
    assert relay.received == []
    assert delivery_statuses(db_url) == {"queued": 12}
