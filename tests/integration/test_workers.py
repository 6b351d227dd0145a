"""Four `mailer worker --once` processes share one PostgreSQL queue: each recipient exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from mailer.models import DeliveryStatus
from mailer.send import queue
from mailer.send.outcome import Outcome, Stage
from tests.conftest import REPO, Cli, _cli, _reset_pg
from tests.integration.bulk_newsroom import RELEASE, address, write_contacts
from tests.smtpd import RecordingHandler, start_fast_server

RECIPIENTS = 20_000
WORKERS = 4
CONNECTIONS = 16  # per worker (the relay default)


@pytest.fixture
def pg_cli(pg_server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The CLI on a clean PostgreSQL schema (this test has no SQLite variant)."""
    _reset_pg(pg_server_url)
    cli = _cli(pg_server_url, tmp_path, monkeypatch)
    monkeypatch.setenv("MAILER_SECRET_KEY", "workers-secret-0123456789-abcdefghij")
    monkeypatch.setenv("MAILER_BOUNCE_DOMAIN", "bounces.newsroom.test")
    return cli


@pytest.mark.postgres
@pytest.mark.slow
def test_four_workers_deliver_20000_exactly_once(
    pg_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20,000 planned deliveries, four workers started together: no duplicate, none missing."""
    csv = tmp_path / "journalists.csv"
    write_contacts(csv, RECIPIENTS)
    imported = pg_cli("contacts", "import", str(csv))
    assert imported.code == 0, imported
    roster = pg_cli("spokespeople", "import", str(REPO / "contacts" / "spokespeople.yaml"))
    assert roster.code == 0, roster

    handler = RecordingHandler()
    controller = start_fast_server(handler)
    try:
        (tmp_path / "work" / "mailer.toml").write_text(
            f'[[relays]]\nhost = "127.0.0.1"\nport = {controller.port}\ntls = "none"\n'
            f"max_connections = {CONNECTIONS}\n",
            encoding="utf-8",
        )
        planned = pg_cli("send", str(RELEASE), "--region", "central-asia", "--queue-only", "--yes")
        assert planned.code == 0, planned
        assert "queued for `mailer worker`" in planned.out
        assert handler.received == []

        env = dict(os.environ)
        started = time.monotonic()
        procs = []
        for n in range(WORKERS):
            with (tmp_path / f"worker{n}.log").open("wb") as log:
                procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "mailer", "worker", "--once"],
                        cwd=tmp_path / "work",
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        try:
            codes = [p.wait(timeout=max(1.0, 180 - (time.monotonic() - started))) for p in procs]
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait(timeout=10)
        took = time.monotonic() - started
    finally:
        controller.stop()

    logs = [(tmp_path / f"worker{n}.log").read_text(errors="replace") for n in range(WORKERS)]
    assert codes == [0] * WORKERS, [log[-2000:] for log in logs]
    copies = Counter(m.rcpt.lower() for m in handler.received)
    duplicates = {rcpt: n for rcpt, n in copies.items() if n > 1}
    missing = {address(i) for i in range(RECIPIENTS)} - set(copies)
    print(
        f"\n{len(handler.received)} messages from {WORKERS} workers in {took:.1f} s "
        f"({len(handler.received) / took:,.0f}/s); duplicates {len(duplicates)}, "
        f"missing {len(missing)}; per worker: "
        + "; ".join(log.strip().splitlines()[-1] for log in logs if log.strip())
    )
    assert not duplicates, f"{len(duplicates)} recipients got more than one copy"
    assert not missing, f"{len(missing)} recipients got nothing"
    assert len(handler.received) == RECIPIENTS

    engine = create_engine(pg_cli.db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT status, count(*) FROM delivery GROUP BY status")).all()
        campaign = conn.execute(text("SELECT status FROM campaign")).scalar_one()
    engine.dispose()
    assert {str(s): int(n) for s, n in rows} == {"sent": RECIPIENTS}
    assert campaign == "finished"


def _waiting_on_locks(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        )


@pytest.mark.postgres
def test_recording_outcomes_while_renewing_leases_does_not_deadlock(
    pg_cli: Cli, tmp_path: Path
) -> None:
    """A sender's lease renewal and its outcome recording, at the same moment, both succeed."""
    csv = tmp_path / "journalists.csv"
    write_contacts(csv, 3)
    assert pg_cli("contacts", "import", str(csv)).code == 0
    assert pg_cli("spokespeople", "import", str(REPO / "contacts" / "spokespeople.yaml")).code == 0
    planned = pg_cli("send", str(RELEASE), "--region", "central-asia", "--queue-only", "--yes")
    assert planned.code == 0, planned
    engine = create_engine(pg_cli.db_url)
    errors: list[Exception] = []

    def run(call: Callable[..., object], *args: object) -> threading.Thread:
        def target() -> None:
            try:
                call(*args)
            except Exception as exc:  # reported by the assertion below
                errors.append(exc)

        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        return thread

    try:
        held = queue.claim(engine, "w1", 10, lease=60)
        assert len(held) == 3
        first, middle, last = held
        sent = Outcome(DeliveryStatus.SENT, 250, "2.0.0 Ok: queued as Q1", Stage.DATA)
        # Outcomes arrive in completion order, not id order: the last delivery finished first.
        results = [queue.Result(d, sent, "127.0.0.1:25", f"<{d.id}@test>") for d in (last, first)]
        # A third transaction holds the middle row for a moment, as any short update would. The
        # renewal skips the locked row instead of waiting on it while holding the others (the
        # wait that used to deadlock with a recording in completion order), and the recording
        # takes its rows in id order.
        with engine.connect() as blocker:
            blocker.begin()
            blocker.execute(
                text("SELECT id FROM delivery WHERE id = :id FOR UPDATE"), {"id": middle.id}
            )
            renewing = run(queue.renew, engine, "w1", [d.id for d in held], 60)
            recording = run(queue.record, engine, results)
            renewing.join(15)
            recording.join(15)
            assert _waiting_on_locks(engine) == 0
            blocker.commit()
        assert not renewing.is_alive()
        assert not recording.is_alive()
        assert errors == [], f"{type(errors[0]).__name__}: {str(errors[0]).splitlines()[0]}"
        with engine.connect() as conn:
            rows: dict[int, str] = dict(conn.execute(text("SELECT id, status FROM delivery")).all())
        assert rows == {first.id: "sent", middle.id: "sending", last.id: "sent"}
    finally:
        engine.dispose()
