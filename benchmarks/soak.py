"""Soak benchmark: two `mailer worker` processes, a faulty SMTP server and two kill -9s; checks.

    python -m benchmarks.soak [--recipients 50000] [--seed 1]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--timeout 1800]

Everything talks to 127.0.0.1 only. N fictional journalists (jN@outletK.example.org on 200
reserved domains, reading English, French or Russian) and the roster are imported with the CLI
into a PostgreSQL database created for the run (dropped after it), and `mailer send
examples/immunization-release.md --queue-only` plans the campaign. Two `mailer worker` processes
(16 connections each, lease_seconds 5) then send it to benchmarks.soak_server, a scripted SMTP
server in a process of its own that answers, drawn from --seed per (recipient, attempt): 4xx to
10% of transactions (half at RCPT, half after DATA), a dropped connection mid-DATA to 2%, a DATA
reply stalled 5 s past the relay's 3-second command timeout (mailer.toml [[relays]] timeout) to
0.5%, all transient; and 550 5.1.1 at RCPT to 3% of recipients, on every attempt (permanent).

Worker A is killed with SIGKILL when 30% and again when 60% of the deliveries are final (sent or
failed), and started again each time. The retry backoff starts at a minute, so every 3 s the
parent makes the deferred deliveries due, as `mailer campaigns resume` does (queue.retry_now,
without resume's own foreground sender). When nothing is queued, sending or deferred, both
workers get SIGTERM and the server reports every message it accepted.

Printed: recipients, delivered, deferred-then-delivered, failed (and whether it is exactly the
5xx set), duplicates (a Message-ID accepted twice), lost (neither delivered nor failed), wall
time, and the CPU seconds and peak RSS of the worker processes (wait4, the killed ones
included). Exit status 1 when an invariant fails: lost > 0, duplicates over 2 kills x 16
connections, failed != the 5xx set, two Message-IDs for one recipient, the database and the
server disagreeing on what was sent, a worker that died unasked, or a campaign not finished.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

from benchmarks.send import PG_DEFAULT, pg_database
from benchmarks.soak_server import Faults
from mailer.contacts.records import CSV_COLUMNS
from mailer.models import DeliveryStatus
from mailer.send import queue

REPO = Path(__file__).resolve().parent.parent
RELEASE = REPO / "examples" / "immunization-release.md"
DOMAINS = 200
LANGUAGES = ["en", "fr", "ru"]
CONNECTIONS = 16  # per worker
TIMEOUT = 3.0  # the relay's command timeout
STALL = 5.0  # a stalled DATA reply waits this long: past the timeout
LEASE = 5.0
KILL_AT = (0.30, 0.60)
RETRY_EVERY = 3.0
POLL = 0.25
FINAL = (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.BOUNCED)


def address(i: int) -> str:
    """Journalist i's address (a reserved domain)."""
    return f"j{i}@outlet{i % DOMAINS}.example.org"


def _write_contacts(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(CSV_COLUMNS) + "\r\n")
        for i in range(n):
            lang = LANGUAGES[i % len(LANGUAGES)]
            fh.write(f"{address(i)},Journalist {i},Outlet {i % DOMAINS},,health,KG,{lang},,,\r\n")


def _env(url: str) -> dict[str, str]:
    # MAILER_* variables of the caller would beat mailer.toml and these (environment wins).
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("MAILER_")}
    env.update(
        MAILER_DATABASE_URL=url,
        MAILER_REGIONS_FILE=str(REPO / "contacts" / "regions.yaml"),
        MAILER_SECRET_KEY="soak-secret-0123456789-abcdefghij",
        MAILER_BOUNCE_DOMAIN="bounces.newsroom.test",
        MAILER_LEASE_SECONDS=str(LEASE),
    )
    return env


def _mailer(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "mailer", *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"mailer {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done.stdout


def plan(env: dict[str, str], cwd: Path, port: int, n: int) -> int:
    """Write mailer.toml, import N journalists and the roster, plan the campaign; its id."""
    (cwd / "mailer.toml").write_text(
        f'[[relays]]\nhost = "127.0.0.1"\nport = {port}\ntls = "none"\n'
        f"max_connections = {CONNECTIONS}\ntimeout = {TIMEOUT}\n",
        encoding="utf-8",
    )
    csv = cwd / "journalists.csv"
    _write_contacts(csv, n)
    _mailer(env, cwd, "contacts", "import", str(csv))
    _mailer(env, cwd, "spokespeople", "import", str(REPO / "contacts" / "spokespeople.yaml"))
    send = ["send", str(RELEASE), "--region", "central-asia", "--queue-only", "--yes", "--json"]
    out = _mailer(env, cwd, *send)
    return int(json.loads(out)["campaign"])


@dataclass
class Worker:
    """One `mailer worker` slot: its processes one after another, their rusage from wait4."""

    name: str
    env: dict[str, str]
    cwd: Path
    proc: subprocess.Popen[bytes] | None = None
    cpu: float = 0.0
    rss_mb: float = 0.0
    runs: int = 0
    died: list[int] = field(default_factory=list)  # exit codes of runs that ended unasked

    def start(self) -> None:
        """Start a `mailer worker` (no --once: it runs until SIGTERM)."""
        self.runs += 1
        with (self.cwd / f"worker-{self.name}{self.runs}.log").open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "mailer", "worker"],
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def _reap(self, flags: int) -> int | None:
        assert self.proc is not None
        pid, status, usage = os.wait4(self.proc.pid, flags)
        if pid == 0:
            return None
        self.cpu += usage.ru_utime + usage.ru_stime
        self.rss_mb = max(self.rss_mb, usage.ru_maxrss / 1024)
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        return self.proc.returncode

    def check(self) -> None:
        """Note a worker that exited by itself (a crash) and start it again."""
        if self.proc is not None and self.proc.returncode is None:
            code = self._reap(os.WNOHANG)
            if code is not None:
                self.died.append(code)
                self.start()

    def kill(self) -> None:
        """SIGKILL, reaped."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self._reap(0)

    def stop(self, grace: float = 30.0) -> int | None:
        """SIGTERM (in-flight messages finish); SIGKILL after `grace` seconds. Its exit code."""
        assert self.proc is not None
        if self.proc.returncode is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        while (code := self._reap(os.WNOHANG)) is None:
            if time.monotonic() > deadline:
                self.kill()
                return self.proc.returncode
            time.sleep(0.05)
        return code


@dataclass
class Run:
    """What the parent saw while the workers ran."""

    began: float = 0.0  # time.time() when the workers started
    wall: float = 0.0
    kills: list[tuple[float, int, float]] = field(default_factory=list)  # (share, final, time)
    retried: int = 0
    passes: int = 0
    finished: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def _counts(engine: Engine, campaign: int) -> dict[str, int]:
    return {s.value: n for s, n in queue.counts(engine, campaign).items()}


def soak(engine: Engine, campaign: int, n: int, workers: list[Worker], timeout: float) -> Run:
    """Start the workers, kill the first at each KILL_AT share, retry deferred, until done."""
    run, kills = Run(began=time.time()), list(KILL_AT)
    started = time.monotonic()
    for w in workers:
        w.start()
    next_retry = started + RETRY_EVERY
    while time.monotonic() - started < timeout:
        counts = _counts(engine, campaign)
        final = sum(counts.get(s.value, 0) for s in FINAL)
        if final == n:
            run.finished = True
            break
        now = time.monotonic()
        if kills and final >= kills[0] * n:
            workers[0].kill()
            run.kills.append((kills.pop(0), final, now - started))
            workers[0].start()
        if now >= next_retry:
            run.retried += queue.retry_now(engine, campaign)
            run.passes += 1
            next_retry = now + RETRY_EVERY
        for w in workers:
            w.check()
        time.sleep(POLL)
    run.wall = time.monotonic() - started
    run.counts = _counts(engine, campaign)
    return run


@dataclass
class Server:
    """benchmarks.soak_server in its own process."""

    seed: int
    proc: subprocess.Popen[str] | None = None
    port: int = 0

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.soak_server",
                f"--seed={self.seed}",
                f"--stall={STALL}",
            ],
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        assert self.proc.stdout is not None
        self.port = int(json.loads(self.proc.stdout.readline())["port"])
        return self

    def report(self) -> dict[str, Any]:
        """Stop the server; everything it accepted and answered."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=120)
        return dict(json.loads(out.strip().splitlines()[-1]))

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _deliveries(engine: Engine, campaign: int) -> list[tuple[str, str, int, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT email, status, attempts, message_id FROM delivery WHERE campaign_id = :c"),
            {"c": campaign},
        ).all()
    return [(str(e).lower(), str(s), int(a), m) for e, s, a, m in rows]


def _campaign_status(engine: Engine, campaign: int) -> str:
    with engine.connect() as conn:
        status = conn.execute(text("SELECT status FROM campaign WHERE id = :c"), {"c": campaign})
        return str(status.scalar())


def _per_kill(accepted: list[list[Any]], twice: set[str], run: Run) -> list[int]:
    """Duplicates whose first copy was accepted from 2 s before a kill to 1 s after it."""
    first: dict[str, float] = {}
    for _rcpt, mid, _attempt, at in accepted:
        first.setdefault(mid, at)
    return [
        sum(1 for mid in twice if run.began + t - 2 <= first[mid] <= run.began + t + 1)
        for _share, _final, t in run.kills
    ]


def check(
    n: int, seed: int, rows: list[tuple[str, str, int, str | None]], report: dict[str, Any]
) -> dict[str, Any]:
    """Compare the database with what the server accepted; the figures and the invariants."""
    accepted: list[list[Any]] = report["accepted"]
    copies = Counter(str(m[1]) for m in accepted)
    ids: dict[str, set[str]] = {}
    for rcpt, mid, _attempt, _at in accepted:
        ids.setdefault(rcpt, set()).add(mid)
    delivered = set(ids)
    by_status: dict[str, set[str]] = {}
    for email, status, _attempts, _mid in rows:
        by_status.setdefault(status, set()).add(email)
    sent = by_status.get("sent", set())
    failed = by_status.get("failed", set()) | by_status.get("bounced", set())
    faults = Faults(seed)
    everyone = {address(i) for i in range(n)}
    rejected = {a for a in everyone if faults.rejected(a)}
    db_ids = {email: mid for email, status, _a, mid in rows if status == "sent"}
    return {
        "delivered": len(delivered),
        "retried_ok": len(delivered & set(report["faulted"])),
        "db_retried_ok": sum(1 for _e, s, a, _m in rows if s == "sent" and a > 1),
        "failed": len(failed),
        "failed_is_5xx": failed == rejected,
        "rejected": len(rejected),
        "duplicates": sum(c - 1 for c in copies.values()),
        "twice": {mid for mid, c in copies.items() if c > 1},
        "two_ids": sum(1 for s in ids.values() if len(s) > 1),
        "lost": len(everyone - delivered - failed),
        "db_not_server": len(sent - delivered),
        "server_not_db": len(delivered - sent),
        "id_mismatch": sum(1 for e in sent & delivered if ids[e] != {db_ids[e]}),
        "planned": len(rows),
        "stuck": {s: len(e) for s, e in by_status.items() if s not in {f.value for f in FINAL}},
    }


def _print(args: argparse.Namespace, run: Run, fig: dict[str, Any], report: dict[str, Any]) -> None:
    n, bound = args.recipients, len(KILL_AT) * CONNECTIONS
    faults = report["faults"]
    print(
        f"server: {report['transactions']:,} transactions on {report['connections']:,} "
        f"connections, CPU {report['cpu']:.1f} s, {report['bytes'] / 2**20:,.0f} MB accepted "
        f"({report['bytes'] / max(1, len(report['accepted'])) / 1024:.1f} KB a message); "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(faults.items()))
    )
    for share, final, t in run.kills:
        print(f"kill -9 of worker A at {share:.0%}: {final:,} final after {t:.1f} s; restarted")
    print(
        f"retry passes: {run.passes} (queue.retry_now every {RETRY_EVERY:.0f} s; {run.retried:,} "
        "deferred rows made due, a row not claimed yet counted again at the next pass)"
    )
    print()
    rows = [
        ("recipients", f"{n:,} (planned {fig['planned']:,})"),
        ("delivered", f"{fig['delivered']:,}"),
        (
            "deferred-then-delivered",
            f"{fig['retried_ok']:,} (database: sent after more than one attempt "
            f"{fig['db_retried_ok']:,}, kills included)",
        ),
        (
            "failed",
            f"{fig['failed']:,} (== the 5xx-rejected set of {fig['rejected']:,}: "
            f"{'yes' if fig['failed_is_5xx'] else 'NO'})",
        ),
        (
            "duplicates",
            f"{fig['duplicates']} (bound {bound}; first copy near kill 1, 2: {fig['per_kill']}, "
            f"elsewhere {fig['duplicates'] - sum(fig['per_kill'])}; recipients with two "
            f"Message-IDs: {fig['two_ids']})",
        ),
        ("lost", f"{fig['lost']}"),
        (
            "database vs server",
            f"sent but never accepted {fig['db_not_server']}, accepted but not sent "
            f"{fig['server_not_db']}, Message-ID differs {fig['id_mismatch']}; not final "
            f"{fig['stuck'] or 0}; campaign {fig['campaign']}",
        ),
        ("wall time", f"{run.wall:.1f} s ({(fig['delivered'] + fig['failed']) / run.wall:,.0f}/s)"),
        ("workers CPU", f"{fig['cpu']:.1f} s (user + sys of {fig['processes']} processes)"),
        ("workers peak RSS", f"{fig['rss']:.1f} MB"),
    ]
    for name, value in rows:
        print(f"{name:<26}{value}")


def _verdict(fig: dict[str, Any], run: Run, workers: list[Worker]) -> list[str]:
    problems = []
    if fig["lost"]:
        problems.append(f"{fig['lost']} recipients lost")
    if fig["duplicates"] > len(KILL_AT) * CONNECTIONS:
        problems.append(f"{fig['duplicates']} duplicates, over the bound")
    if not fig["failed_is_5xx"]:
        problems.append("failed is not the 5xx-rejected set")
    if fig["two_ids"] or fig["db_not_server"] or fig["server_not_db"] or fig["id_mismatch"]:
        problems.append("the database and the server disagree")
    if not run.finished or fig["stuck"] or fig["campaign"] != "finished":
        problems.append(f"not finished: {run.counts}, campaign {fig['campaign']}")
    for w in workers:
        if w.died:
            problems.append(f"worker {w.name} exited unasked: {w.died}")
    return problems


def main() -> None:
    """Plan, soak, check; print the figures; exit 1 when an invariant fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg", default=PG_DEFAULT)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds for the workers")
    args = parser.parse_args()
    n = args.recipients
    with (
        tempfile.TemporaryDirectory(prefix="mailer-soak-") as tmp,
        pg_database(args.pg) as url,
        Server(args.seed) as server,
    ):
        cwd, env = Path(tmp), _env(url)
        print(
            f"soak: {n:,} recipients, 2 workers x {CONNECTIONS} connections, seed {args.seed}, "
            f"server on 127.0.0.1:{server.port}; relay timeout {TIMEOUT} s, stall {STALL} s, "
            f"lease {LEASE} s"
        )
        t0 = time.monotonic()
        campaign = plan(env, cwd, server.port, n)
        print(f"planned campaign {campaign} in {time.monotonic() - t0:.1f} s (not timed)")
        engine = create_engine(url)
        workers = [Worker(name, env, cwd) for name in "AB"]
        try:
            run = soak(engine, campaign, n, workers, args.timeout)
        finally:
            codes = [w.stop() for w in workers]
        report = server.report()
        fig = check(n, args.seed, _deliveries(engine, campaign), report)
        fig["campaign"] = _campaign_status(engine, campaign)
        engine.dispose()
        logs = "\n".join(
            (cwd / f"worker-{w.name}{w.runs}.log").read_text(errors="replace")[-1500:]
            for w in workers
        )
    fig["per_kill"] = _per_kill(report["accepted"], fig["twice"], run)
    fig["cpu"] = sum(w.cpu for w in workers)
    fig["rss"] = max(w.rss_mb for w in workers)
    fig["processes"] = sum(w.runs for w in workers)
    _print(args, run, fig, report)
    problems = _verdict(fig, run, workers)
    if any(codes):
        problems.append(f"workers exited {codes} on SIGTERM: {logs}")
    print()
    print("verdict: " + ("OK" if not problems else "FAILED: " + "; ".join(problems)))
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
