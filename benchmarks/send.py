"""Benchmark: send N personalised messages to Postfix's smtp-sink; prints messages/s, CPU and RSS.

    python -m benchmarks.send [--recipients 20000] [--big 100000] [--profile auto|yes|no]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--timeout 900]

Everything talks to 127.0.0.1 only: a private `smtp-sink` (Debian package postfix; a discard
SMTP server announcing PIPELINING and DSN, about 0.07 ms of CPU per message) on a free port, and
the PostgreSQL server given by --pg (each database is created for the run and dropped after it).
Each measurement runs in a child process of its own, so its CPU time and peak RSS are its own:

1. baseline: a bare aiosmtplib client sends one prebuilt message (the English variant of
   examples/immunization-release.md, personalised once by the real renderer) N times over 16
   kept-open connections; no database, no rendering.
2. `mailer send` on SQLite and on PostgreSQL: N fictional journalists (jN@outletK.example.org on
   200 reserved domains, country KG, all reading English first so that every delivery gets the
   baseline's variant) and the roster are imported and the campaign planned in earlier children;
   the timed child runs only `asyncio.run(Sender(...).run())` with its full bookkeeping (claim
   under a lease, personalise, send, commit every outcome before the connection's next message),
   then every delivery is checked to be `sent`. The default domain_concurrency (4) is kept: 16
   connections spread over 200 domains do not wait on it.
3. two Sender processes on one PostgreSQL campaign of N recipients, started together.
4. a --big campaign on SQLite: plan and send in one child; its peak RSS.

Issue targets: mailer/baseline >= 0.8 in one process, > 1.0 with two worker processes, peak RSS
of a 100,000-recipient campaign <= 150 MB. --profile (default auto: when the SQLite ratio is
below 0.8) sends N more on SQLite under cProfile, database calls in the worker threads included,
and prints the top functions by own time. cProfile's clock is wall time, so a call that waits
(for the network, or for the GIL in a thread) shows that wait as its own time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import pstats
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from mailer.contacts.records import CSV_COLUMNS

REPO = Path(__file__).resolve().parent.parent
RELEASE = REPO / "examples" / "immunization-release.md"
ROSTER = REPO / "contacts" / "spokespeople.yaml"
REGIONS = REPO / "contacts" / "regions.yaml"
DOMAINS = 200
CONNECTIONS = 16
DOMAIN_CONCURRENCY = 4  # the default: 16 connections over 200 domains never wait on it
SENDER = "bounces+bench@newsroom.example.org"
# English first for everyone: every delivery gets the en variant, the baseline's message (the
# ru variant is twice its size, which would make the comparison unfair).
LANGUAGES = ["en", "en;ru", "en;ky;ru"]
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


# -- children ---------------------------------------------------------------------------------


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _settings(url: str, port: int) -> Any:
    from mailer.config import Settings
    from mailer.send.relays import RelayConfig

    return Settings(
        secret_key="bench-" + "x" * 30,
        database_url=url,
        relays=[RelayConfig(host="127.0.0.1", port=port, tls="none", max_connections=CONNECTIONS)],
        domain_concurrency=DOMAIN_CONCURRENCY,
        regions_file=REGIONS,
    )


def _engine(url: str) -> Any:
    from mailer.db import ensure_current, make_engine

    engine = make_engine(url)
    ensure_current(engine)
    return engine


def _message(port: int) -> bytes:
    """The English variant rendered by the real renderer and personalised for one journalist."""
    from mailer.models import Spokesperson
    from mailer.release import load_release
    from mailer.render.variant import make_recipient, render_variant
    from mailer.spokespeople import read_spokespeople

    settings = _settings("sqlite://", port)
    roster = {p.handle: Spokesperson(**vars(p)) for p in read_spokespeople(ROSTER)}
    variant = load_release(RELEASE).main
    people = [roster[h] for h in variant.spokespeople if h in roster]
    prepared = render_variant(variant, people, settings).prepared
    recipient = make_recipient(
        settings,
        variant.language,
        email="j1@outlet1.example.org",
        name="Journalist 1",
        contact_id=1,
        campaign_id=1,
        delivery_id=1,
        regions=["Central Asia"],
    )
    return prepared.personalise(recipient)


def child_baseline(port: int, n: int) -> dict[str, Any]:
    """N copies of one prebuilt message over 16 kept-open aiosmtplib connections."""
    import aiosmtplib

    data = _message(port)
    numbers = iter(range(n))  # shared by the connections: each takes the next number

    async def blast() -> None:
        clients = [
            aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=30, start_tls=False)
            for _ in range(CONNECTIONS)
        ]
        await asyncio.gather(*(c.connect() for c in clients))

        async def one(client: aiosmtplib.SMTP) -> None:
            for i in numbers:
                await client.sendmail(SENDER, [f"j{i}@outlet{i % DOMAINS}.example.org"], data)

        await asyncio.gather(*(one(c) for c in clients))
        await asyncio.gather(*(c.quit() for c in clients))

    c0, t0 = time.process_time(), time.perf_counter()
    asyncio.run(blast())
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"sent": n, "wall": wall, "cpu": cpu, "rss": _rss_mb(), "bytes": len(data)}


def _write_contacts(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(CSV_COLUMNS) + "\r\n")
        for i in range(n):
            d = i % DOMAINS
            lang = LANGUAGES[i % len(LANGUAGES)]
            fh.write(
                f"j{i}@outlet{d}.example.org,Journalist {i},Outlet {d},Correspondent,"
                f"health;children,KG,{lang},,,\r\n"
            )


def child_setup(url: str, csv_path: Path, n: int) -> dict[str, Any]:
    """Generate N journalists, import them and the roster into a fresh database."""
    from mailer.contacts.importer import ImportOptions, import_contacts
    from mailer.contacts.regions import Taxonomy
    from mailer.db import session_scope
    from mailer.spokespeople import import_spokespeople

    t0 = time.perf_counter()
    _write_contacts(csv_path, n)
    t1 = time.perf_counter()
    engine = _engine(url)
    with session_scope(engine) as session:
        report = import_contacts(session, csv_path, Taxonomy.load(REGIONS), ImportOptions())
        import_spokespeople(session, ROSTER)
    t2 = time.perf_counter()
    csv_path.unlink()
    return {"created": report.created, "generate": t1 - t0, "import": t2 - t1, "rss": _rss_mb()}


def _plan(engine: Any, settings: Any) -> tuple[int, int]:
    from mailer.contacts.audience import AudienceFilter
    from mailer.contacts.regions import Taxonomy
    from mailer.db import session_scope
    from mailer.send.service import plan_send, prepare_send

    taxonomy = Taxonomy.load(REGIONS)
    flt = AudienceFilter(regions=["central-asia"])
    with session_scope(engine) as session:
        plan = prepare_send(session, taxonomy, settings, RELEASE, flt)
    with session_scope(engine) as session:
        planned = plan_send(session, taxonomy, settings, plan)
    return planned.campaign.id or 0, planned.added


def child_plan(url: str, port: int) -> dict[str, Any]:
    """prepare_send + plan_send, as `mailer send --queue-only` does."""
    t0 = time.perf_counter()
    campaign, added = _plan(_engine(url), _settings(url, port))
    return {"campaign": campaign, "added": added, "wall": time.perf_counter() - t0}


def _profiled_threads(found: list[cProfile.Profile]) -> Callable[[], None]:
    """Make asyncio.to_thread profile each call in its thread; returns the undo function."""
    original = asyncio.to_thread

    async def to_thread(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        def run() -> Any:
            profile = cProfile.Profile()
            try:
                return profile.runcall(func, *args, **kwargs)
            finally:
                found.append(profile)

        return await original(run)

    asyncio.to_thread = to_thread
    return lambda: setattr(asyncio, "to_thread", original)


def _send(engine: Any, settings: Any, campaign: int, profile: bool) -> tuple[Any, float, float]:
    from mailer.send.worker import Sender

    sender = Sender(engine, settings, campaign_id=campaign, foreground=True)
    if not profile:
        c0, t0 = time.process_time(), time.perf_counter()
        progress = asyncio.run(sender.run())
        return progress, time.perf_counter() - t0, time.process_time() - c0
    threads: list[cProfile.Profile] = []
    undo = _profiled_threads(threads)
    main = cProfile.Profile()
    c0, t0 = time.process_time(), time.perf_counter()
    try:
        progress = main.runcall(asyncio.run, sender.run())
    finally:
        undo()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    stats = pstats.Stats(main, stream=sys.stderr)
    for p in threads:
        stats.add(p)
    stats.sort_stats("tottime").print_stats(25)
    return progress, wall, cpu


def child_send(
    url: str, port: int, campaign: int, start_at: float, profile: bool
) -> dict[str, Any]:
    """Run one Sender for the campaign until nothing is due; only this is timed."""
    engine = _engine(url)
    settings = _settings(url, port)
    if start_at:
        time.sleep(max(0.0, start_at - time.time()))
    began = time.time()
    progress, wall, cpu = _send(engine, settings, campaign, profile)
    return {
        "campaign": campaign,
        "counts": {s.value: k for s, k in progress.counts.items()},
        "wall": wall,
        "cpu": cpu,
        "rss": _rss_mb(),
        "began": began,
        "ended": began + wall,
    }


def child_plansend(url: str, port: int) -> dict[str, Any]:
    """Plan and send a campaign in one process (the peak RSS of a big campaign)."""
    engine = _engine(url)
    settings = _settings(url, port)
    t0 = time.perf_counter()
    campaign, added = _plan(engine, settings)
    planned, rss_plan = time.perf_counter() - t0, _rss_mb()
    progress, wall, cpu = _send(engine, settings, campaign, False)
    return {
        "campaign": campaign,
        "added": added,
        "plan": planned,
        "rss_plan": rss_plan,
        "counts": {s.value: k for s, k in progress.counts.items()},
        "wall": wall,
        "cpu": cpu,
        "rss": _rss_mb(),
    }


def run_child(argv: list[str]) -> None:
    """Dispatch --child KIND ARGS...; the result is one JSON line on stdout."""
    kind, rest = argv[0], argv[1:]
    if kind == "baseline":
        result = child_baseline(int(rest[0]), int(rest[1]))
    elif kind == "setup":
        result = child_setup(rest[0], Path(rest[1]), int(rest[2]))
    elif kind == "plan":
        result = child_plan(rest[0], int(rest[1]))
    elif kind == "send":
        result = child_send(
            rest[0], int(rest[1]), int(rest[2]), float(rest[3]), rest[4:] == ["profile"]
        )
    elif kind == "plansend":
        result = child_plansend(rest[0], int(rest[1]))
    else:
        raise SystemExit(f"unknown child {kind!r}")
    print(json.dumps(result))


# -- the parent -------------------------------------------------------------------------------


class Bench:
    """Runs children of this module from the repository root, each with a time limit."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        # MAILER_* variables would beat the children's settings (environment wins): drop them.
        self.env = {k: v for k, v in os.environ.items() if not k.upper().startswith("MAILER_")}

    def command(self, *args: object) -> list[str]:
        return [sys.executable, "-m", "benchmarks.send", "--child", *map(str, args)]

    def run(self, *args: object) -> dict[str, Any]:
        return self.run_with_stderr(*args, stderr=None)[0]

    def run_with_stderr(self, *args: object, stderr: Any) -> tuple[dict[str, Any], str]:
        done = subprocess.run(
            self.command(*args),
            check=True,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            timeout=self.timeout,
            cwd=REPO,
            env=self.env,
        )
        return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr or ""

    def run_together(self, *commands: tuple[object, ...]) -> list[dict[str, Any]]:
        procs = [
            subprocess.Popen(
                self.command(*c), stdout=subprocess.PIPE, text=True, cwd=REPO, env=self.env
            )
            for c in commands
        ]
        try:
            outs = [p.communicate(timeout=self.timeout)[0] for p in procs]
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()
        for p in procs:
            if p.returncode:
                raise subprocess.CalledProcessError(p.returncode, p.args)
        return [json.loads(o.strip().splitlines()[-1]) for o in outs]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def smtp_sink(port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """smtp-sink on 127.0.0.1:port (PIPELINING announced by default; -c keeps counters)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["smtp-sink", "-u", "nobody", "-c", f"127.0.0.1:{port}", "1024"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"smtp-sink did not start: {log.read_text()}") from None
                time.sleep(0.05)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _sink_messages(log: Path) -> int:
    """The last message counter smtp-sink -c wrote (counters are separated by CR)."""
    last = log.read_bytes().replace(b"\n", b"\r").split(b"\r")
    for line in reversed(last):
        for part in line.split():
            if part.startswith(b"mesg="):
                return int(part[5:])
    return 0


@contextlib.contextmanager
def pg_database(admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database, dropped afterwards."""
    name = f"mailer_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _all_sent(url: str, result: dict[str, Any], n: int) -> str:
    """Every delivery of the campaign ended `sent`, and the sender counted n of them."""
    from mailer.db import make_engine
    from mailer.send import queue

    engine = make_engine(url)
    try:
        counts = {s.value: k for s, k in queue.counts(engine, result["campaign"]).items()}
    finally:
        engine.dispose()
    if counts != {"sent": n} or result.get("counts", {"sent": n}) != {"sent": n}:
        return f"NOT ALL SENT: database {counts}, sender {result.get('counts')}"
    return f"all {n} sent"


def _row(name: str, sent: int, wall: float, cpu: float, rss: float, note: str = "") -> None:
    rate = sent / wall if wall else 0.0
    per = 1000 * cpu / sent if sent else 0.0
    print(f"{name:<24}{sent:>8}{wall:>8.2f}{cpu:>8.2f}{per:>8.3f}{rate:>9,.0f}{rss:>8.1f}  {note}")


def _header() -> None:
    print(
        f"{'run':<24}{'msgs':>8}{'wall s':>8}{'CPU s':>8}{'CPU ms':>8}{'msgs/s':>9}"
        f"{'RSS MB':>8}  check"
    )


def _ratio(rate: float, base: float, target: str) -> str:
    return f"{rate / base:.2f} (target {target})"


def _single(bench: Bench, backend: str, url: str, port: int, tmp: Path, n: int) -> float:
    """Import and plan (not timed), then one timed Sender child; returns its messages/s."""
    setup = bench.run("setup", url, tmp / f"{backend}.csv", n)
    plan = bench.run("plan", url, port)
    r = bench.run("send", url, port, plan["campaign"], 0)
    sent = r["counts"].get("sent", 0)
    _row(f"mailer send, {backend}", sent, r["wall"], r["cpu"], r["rss"], _all_sent(url, r, n))
    print(
        f"  ({backend}: import {setup['created']} contacts {setup['import']:.1f} s, "
        f"plan {plan['added']} deliveries {plan['wall']:.1f} s; not timed)"
    )
    return float(sent / r["wall"])


def _two_workers(bench: Bench, url: str, port: int, tmp: Path, n: int) -> float:
    """Two Sender children on one PostgreSQL campaign, released at the same instant."""
    bench.run("setup", url, tmp / "workers.csv", n)
    plan = bench.run("plan", url, port)
    start_at = time.time() + 3  # both children have imported and opened the database by then
    rs = bench.run_together(*[("send", url, port, plan["campaign"], start_at) for _ in range(2)])
    check = _all_sent(url, {"campaign": plan["campaign"]}, n)
    sent = sum(r["counts"].get("sent", 0) for r in rs)
    wall = max(r["ended"] for r in rs) - min(r["began"] for r in rs)
    split = " + ".join(str(r["counts"].get("sent", 0)) for r in rs)
    cpu, rss = sum(r["cpu"] for r in rs), max(r["rss"] for r in rs)
    _row("2 workers, postgresql", sent, wall, cpu, rss, f"{check} ({split}); CPU summed")
    return float(sent / wall)


def _big(bench: Bench, tmp: Path, port: int, n: int) -> None:
    """Import n contacts (one child), then plan and send them (another child): its peak RSS."""
    url = f"sqlite:///{tmp}/big.db"
    setup = bench.run("setup", url, tmp / "big.csv", n)
    print(
        f"big campaign, sqlite: {setup['created']} contacts generated in "
        f"{setup['generate']:.1f} s and imported in {setup['import']:.1f} s "
        f"(their own child, peak RSS {setup['rss']:.0f} MB)"
    )
    r = bench.run("plansend", url, port)
    sent = r["counts"].get("sent", 0)
    print(
        f"  plan {r['added']} deliveries: {r['plan']:.1f} s, peak RSS after planning "
        f"{r['rss_plan']:.0f} MB"
    )
    print(
        f"  send {sent}: {r['wall']:.1f} s, {sent / r['wall']:,.0f} messages/s, "
        f"CPU {r['cpu']:.1f} s; {_all_sent(url, r, n)}"
    )
    verdict = "yes" if r["rss"] <= 150 else "NO"
    print(f"  peak RSS of plan + send: {r['rss']:.1f} MB (<= 150 MB: {verdict})")


def _profile(bench: Bench, tmp: Path, port: int, n: int) -> None:
    url = f"sqlite:///{tmp}/profile.db"
    bench.run("setup", url, tmp / "profile.csv", n)
    plan = bench.run("plan", url, port)
    r, err = bench.run_with_stderr(
        "send", url, port, plan["campaign"], 0, "profile", stderr=subprocess.PIPE
    )
    print(f"cProfile of a SQLite send of {n} (wall {r['wall']:.2f} s under the profiler):")
    print(err.rstrip())


def main() -> None:
    """Start smtp-sink, run every measurement in its own child, print a table of figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--big", type=int, default=100_000, help="0 skips the RSS run")
    parser.add_argument("--pg", default=PG_DEFAULT)
    parser.add_argument("--timeout", type=float, default=900, help="seconds per child")
    parser.add_argument(
        "--profile",
        choices=["auto", "yes", "no"],
        default="auto",
        help="cProfile a SQLite send (auto: when its ratio is below 0.8)",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child)
        return
    n, bench = args.recipients, Bench(args.timeout)
    port = _free_port()
    expected = 4 * n + args.big
    with tempfile.TemporaryDirectory(prefix="mailer-bench-") as tmp_name:
        tmp = Path(tmp_name)
        sink_log = tmp / "smtp-sink.log"
        with smtp_sink(port, sink_log):
            print(
                f"smtp-sink on 127.0.0.1:{port}; {n} recipients on {DOMAINS} domains, "
                f"{CONNECTIONS} connections, domain_concurrency {DOMAIN_CONCURRENCY} (the default)"
            )
            _header()
            b = bench.run("baseline", port, n)
            base = b["sent"] / b["wall"]
            _row("aiosmtplib baseline", b["sent"], b["wall"], b["cpu"], b["rss"])
            print(f"  (one prebuilt message of {b['bytes']:,} bytes from the real renderer)")
            rates = {"sqlite": _single(bench, "sqlite", f"sqlite:///{tmp}/one.db", port, tmp, n)}
            with pg_database(args.pg) as url:
                rates["postgresql"] = _single(bench, "postgresql", url, port, tmp, n)
            with pg_database(args.pg) as url:
                two = _two_workers(bench, url, port, tmp, n)
            print()
            for backend, rate in rates.items():
                print(f"ratio mailer/baseline, {backend:<14}{_ratio(rate, base, '>= 0.8')}")
            print(f"ratio 2 workers/baseline, postgresql: {_ratio(two, base, '> 1.0')}")
            if args.big:
                print()
                _big(bench, tmp, port, args.big)
            if args.profile == "yes" or (args.profile == "auto" and rates["sqlite"] < 0.8 * base):
                print()
                _profile(bench, tmp, port, n)
                expected += n
        print()
        total = _sink_messages(sink_log)
        print(f"smtp-sink counted {total} messages in all (expected {expected})")


if __name__ == "__main__":
    main()
