"""kill -9 in the middle of a send, three times, on both backends: nobody is missed, duplicates
stay bounded by the connection count, and every duplicate repeats its first copy's Message-ID."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import REPO, Cli
from tests.integration.bulk_newsroom import (
    RELEASE,
    address,
    delivery_statuses,
    write_contacts,
)
from tests.smtpd import RecordingHandler, start_fast_server

RECIPIENTS = 5_000
KILL_AT = (600, 1_800, 3_200)  # messages received (all runs together) when each sender dies
CONNECTIONS = 16  # max_connections of the relay, set explicitly in mailer.toml
LEASE_SECONDS = 2
SEND = [sys.executable, "-m", "mailer", "send", str(RELEASE), "--region", "central-asia", "--yes"]


def _wait_for(
    handler: RecordingHandler, count: int, proc: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + 30
    while len(handler.received) < count:
        if proc.poll() is not None:
            pytest.fail(
                f"the sender exited ({proc.returncode}) before {count} messages arrived: "
                + log.read_text(errors="replace")[-2000:]
            )
        if time.monotonic() > deadline:
            pytest.fail(
                f"the sender stalled: {len(handler.received)} of {count} messages after 30 s "
                f"(it is alive and keeps its leases); its stderr: "
                + log.read_text(errors="replace")[-2000:]
            )
        time.sleep(0.005)


def _prepare(cli: Cli, tmp_path: Path, recipients: int) -> None:
    csv = tmp_path / "journalists.csv"
    write_contacts(csv, recipients)
    imported = cli("contacts", "import", str(csv))
    assert imported.code == 0, imported
    roster = cli("spokespeople", "import", str(REPO / "contacts" / "spokespeople.yaml"))
    assert roster.code == 0, roster


def _run_dir(tmp_path: Path, port: int) -> Path:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "mailer.toml").write_text(
        f'[[relays]]\nhost = "127.0.0.1"\nport = {port}\ntls = "none"\n'
        f"max_connections = {CONNECTIONS}\ntimeout = 10.0\n",
        encoding="utf-8",
    )
    return run_dir


def _env(db_url: str, lease: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILER_")}
    env.update(
        MAILER_DATABASE_URL=db_url,
        MAILER_REGIONS_FILE=str(REPO / "contacts" / "regions.yaml"),
        MAILER_SECRET_KEY="crash-test-secret-0123456789-abcdefghij",
        MAILER_BOUNCE_DOMAIN="bounces.newsroom.test",
        MAILER_LEASE_SECONDS=str(lease),
    )
    return env


@pytest.mark.slow
def test_kill_9_three_times_then_the_same_send_finishes_the_campaign(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    """Three SIGKILLs mid-send, then the same command: all 5,000 delivered, duplicates bounded."""
    _prepare(cli, tmp_path, RECIPIENTS)
    handler = RecordingHandler()
    controller = start_fast_server(handler)
    run_dir = _run_dir(tmp_path, controller.port)
    env = _env(db_url, LEASE_SECONDS)

    def start(name: str) -> subprocess.Popen[bytes]:
        with (tmp_path / f"{name}.err").open("wb") as err:
            return subprocess.Popen(
                SEND, cwd=run_dir, env=env, stdout=subprocess.DEVNULL, stderr=err
            )

    try:
        marks = [0]  # len(received) after each kill
        for n, threshold in enumerate(KILL_AT, 1):
            proc = start(f"killed{n}")
            try:
                _wait_for(handler, threshold, proc, tmp_path / f"killed{n}.err")
            finally:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            assert proc.returncode == -signal.SIGKILL
            time.sleep(0.1)  # let the server finish a DATA that was fully written before the kill
            marks.append(len(handler.received))
        last_kill = time.monotonic()
        try:
            final = subprocess.run(
                SEND, cwd=run_dir, env=env, capture_output=True, text=True, timeout=60
            )
        except subprocess.TimeoutExpired as exc:
            raw = exc.stderr or b""
            err = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
            pytest.fail(f"the final run did not finish within 60 s; its stderr: {err[-2000:]}")
        took = time.monotonic() - last_kill
    finally:
        controller.stop()

    assert final.returncode == 0, (final.stdout[-3000:], final.stderr[-3000:])
    assert "Traceback" not in final.stderr
    assert "resuming" in final.stdout
    # It took the killed sender's leased deliveries over once the lease ran out, not much later.
    assert took < 60, f"the final run took {took:.1f} s"

    received = list(handler.received)
    copies = Counter(m.rcpt.lower() for m in received)
    duplicates = sum(n - 1 for n in copies.values())
    first_seen: dict[str, int] = {}
    for index, m in enumerate(received):
        first_seen.setdefault(m.rcpt.lower(), index)
    # Duplicates per kill: extra copies of messages first delivered by the sender killed then.
    per_kill = [
        sum(n - 1 for rcpt, n in copies.items() if n > 1 and start_at <= first_seen[rcpt] < end_at)
        for start_at, end_at in itertools.pairwise(marks)
    ]
    print(
        f"\n[{db_url.split(':')[0]}] received {len(received)} messages for {len(copies)} "
        f"recipients; duplicates {duplicates} (per kill {per_kill}; bound "
        f"{len(KILL_AT) * CONNECTIONS}); final run {took:.1f} s"
    )
    missing = {address(i) for i in range(RECIPIENTS)} - set(copies)
    assert not missing, f"{len(missing)} recipients never received the release"
    assert len(copies) == RECIPIENTS
    assert duplicates <= len(KILL_AT) * CONNECTIONS

    by_rcpt: dict[str, list[str]] = {}
    for m in received:
        if copies[m.rcpt.lower()] > 1:
            by_rcpt.setdefault(m.rcpt.lower(), []).append(m.message_id)
    for rcpt, ids in by_rcpt.items():
        assert ids == [ids[0]] * len(ids), f"{rcpt} got different Message-IDs: {ids}"
    assert delivery_statuses(db_url) == {"sent": RECIPIENTS}


def test_a_rerun_right_after_a_kill_takes_over_the_dead_senders_leases(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    """Re-running at once after a kill waits out the dead sender's leases and sends the rest."""
    recipients, lease = 300, 5
    _prepare(cli, tmp_path, recipients)
    handler = RecordingHandler()
    controller = start_fast_server(handler)
    run_dir = _run_dir(tmp_path, controller.port)
    env = _env(db_url, lease)
    try:
        with (tmp_path / "killed.err").open("wb") as err:
            proc = subprocess.Popen(
                SEND, cwd=run_dir, env=env, stdout=subprocess.DEVNULL, stderr=err
            )
        try:
            # The rest is claimed and leased by the sender by now.
            _wait_for(handler, recipients - 20, proc, tmp_path / "killed.err")
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        left = delivery_statuses(db_url).get("sending", 0)
        rerun = subprocess.run(
            SEND, cwd=run_dir, env=env, capture_output=True, text=True, timeout=60
        )
    finally:
        controller.stop()
    assert left > 0, "the killed sender held no leased deliveries; nothing to take over"
    assert rerun.returncode == 0, (rerun.stdout[-3000:], rerun.stderr[-3000:])
    assert delivery_statuses(db_url) == {"sent": recipients}, rerun.stdout[-600:]
    assert {m.rcpt.lower() for m in handler.received} == {address(i) for i in range(recipients)}
