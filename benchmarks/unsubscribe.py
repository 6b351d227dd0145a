"""Benchmark: RFC 8058 one-click unsubscribes against `mailer serve`'s app; requests/s, p50/p99.

    python -m benchmarks.unsubscribe [--requests 2000] [--concurrency 50] [--replays 0.1]
        [--warmup 200] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Everything talks to 127.0.0.1 only. N fictional journalists (jN@outletK.example.org) and one
campaign go into a fresh database (an SQLite file in a temporary folder, or with --pg a
PostgreSQL database created for the run and dropped after it). The app (mailer.web.create_app)
runs under uvicorn in a child process of its own, one worker, as `mailer serve` would run it.
The parent posts `List-Unsubscribe=One-Click` to each journalist's link from C
httpx.AsyncClient clients at once, each with one kept-open connection; a fraction (--replays) of
the links is posted twice at the same moment by two clients, the replay racing the first post.
A first round on --warmup other journalists, not timed, lets the fresh server compile its
templates and statements and open its connections. Afterwards every journalist must be
`unsubscribed` with exactly one preference_change row: none lost, none doubled. Latency is per
request, as the client sees it. Client and server share the machine's cores, so the load average
(printed) from anything else running matters.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import multiprocessing
import os
import random
import resource
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlmodel import Session

from mailer.db import ensure_current, make_engine
from mailer.models import Campaign, Contact, ContactStatus, PreferenceChange
from mailer.tokens import Purpose, make_token

SECRET = "bench-secret-0123456789-abcdefghij"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@contextlib.contextmanager
def database(pg_admin: str | None) -> Iterator[str]:
    """An empty database URL: a temporary SQLite file, or a throwaway PostgreSQL database."""
    if pg_admin is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    name = f"mailer_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_admin.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed(url: str, n: int) -> list[str]:
    """N journalists and one campaign; returns each one's unsubscribe token."""
    engine = make_engine(url)
    ensure_current(engine)
    with Session(engine) as session:
        campaign = Campaign(key="bench", title="Bench", release_path="-", release_hash="0" * 64)
        contacts = [
            Contact(
                email=f"j{i}@outlet{i % 200}.example.org",
                email_key=f"j{i}@outlet{i % 200}.example.org",
                country="KG",
                languages=["en"],
            )
            for i in range(n)
        ]
        session.add(campaign)
        session.add_all(contacts)
        session.commit()
        tokens = [
            make_token(SECRET, Purpose.UNSUBSCRIBE, c.id or 0, campaign.id or 0) for c in contacts
        ]
    engine.dispose()
    return tokens


def serve(url: str, port: int) -> None:
    """The child process: the app under uvicorn on 127.0.0.1:port."""
    import uvicorn

    from mailer.config import Settings
    from mailer.web import create_app

    settings = Settings(database_url=url, secret_key=SECRET)
    app = create_app(settings, make_engine(url))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def wait_until_up(base: str, child: multiprocessing.process.BaseProcess) -> None:
    """Poll until the server answers (a bad link's 400 is an answer)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and child.is_alive():
        with contextlib.suppress(httpx.TransportError):
            httpx.get(f"{base}/u/x", timeout=1)
            return
        time.sleep(0.1)
    raise SystemExit("the server did not start")


async def fire(base: str, batch: list[str], concurrency: int) -> list[tuple[int, float]]:
    """POST one-click to every token of the batch from `concurrency` clients, each with one
    kept-open connection and one request at a time: (status, seconds) per request."""
    tokens = iter(batch)  # shared: each token is taken by exactly one client
    results: list[tuple[int, float]] = []

    async def client_loop() -> None:
        # One connection per client: httpcore's pool scans every connection for every queued
        # request, which at 50 connections costs the client more CPU than the server spends.
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
            for token in tokens:
                start = time.perf_counter()
                response = await client.post(f"/u/{token}", data=ONE_CLICK)
                results.append((response.status_code, time.perf_counter() - start))

    await asyncio.gather(*(client_loop() for _ in range(concurrency)))
    return results


def with_replays(tokens: list[str], fraction: float) -> tuple[list[str], int]:
    """The tokens shuffled, a fraction of them twice in a row: two clients take the pair at
    the same moment, so the replay races the first post."""
    rng = random.Random(8058)
    order = rng.sample(tokens, len(tokens))
    again = set(rng.sample(order, int(len(order) * fraction)))
    batch: list[str] = []
    for token in order:
        batch += [token, token] if token in again else [token]
    return batch, len(again)


def recorded(url: str) -> tuple[int, int, int]:
    """(unsubscribed contacts, preference_change rows, distinct contacts in them)."""
    engine = make_engine(url)
    with Session(engine) as session:
        gone = session.execute(
            select(func.count()).where(Contact.status == ContactStatus.UNSUBSCRIBED)  # type: ignore[arg-type]
        ).scalar_one()
        rows = session.execute(select(func.count(PreferenceChange.id))).scalar_one()  # type: ignore[arg-type]
        people = session.execute(
            select(func.count(func.distinct(PreferenceChange.contact_id)))
        ).scalar_one()
    engine.dispose()
    return gone, rows, people


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of the values."""
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    """Seed, serve in a child process, fire, verify, print."""
    if importlib.util.find_spec("sniffio") is None:
        # httpcore tries `import sniffio` for every request; without the package each failed
        # import searches sys.path again (a third of the client's CPU). None fails at once.
        sys.modules["sniffio"] = None  # type: ignore[assignment]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--replays", type=float, default=0.1, help="fraction posted twice")
    parser.add_argument(
        "--warmup", type=int, default=200, help="journalists unsubscribed first, not timed"
    )
    parser.add_argument("--pg", default=None, help="PostgreSQL admin URL; default SQLite")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with database(args.pg) as url:
        tokens = seed(url, args.requests + args.warmup)
        batch, replays = with_replays(tokens[: args.requests], args.replays)
        port = free_port()
        child = multiprocessing.get_context("spawn").Process(target=serve, args=(url, port))
        child.start()
        try:
            wait_until_up(f"http://127.0.0.1:{port}", child)
            # A fresh server first compiles templates and statements and opens its database
            # connections: the first requests wait seconds for that, which is not the steady state.
            asyncio.run(fire(f"http://127.0.0.1:{port}", tokens[args.requests :], args.concurrency))
            start, cpu = time.perf_counter(), time.process_time()
            results = asyncio.run(fire(f"http://127.0.0.1:{port}", batch, args.concurrency))
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        finally:
            child.terminate()
            child.join(10)
        server_cpu = _children_cpu()
        gone, rows, people = recorded(url)
    report(args, url, results, wall, replays, (gone, rows, people))
    served = len(results) + args.warmup
    print(
        f"CPU: server {server_cpu:.1f} s in all ({server_cpu / served * 1000:.1f} ms a "
        f"request, start-up included), client {cpu:.1f} s; load average before the run "
        f"{load:.1f} on {os.cpu_count()} cores"
    )


def report(
    args: argparse.Namespace,
    url: str,
    results: list[tuple[int, float]],
    wall: float,
    replays: int,
    counts: tuple[int, int, int],
) -> None:
    """Print the figures and fail loudly if anything was lost or doubled."""
    latencies = [seconds for _status, seconds in results]
    statuses = sorted({status for status, _seconds in results})
    gone, rows, people = counts
    total = args.requests + args.warmup
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(
        f"{len(results)} one-click POSTs ({args.requests} journalists, {replays} replays racing "
        f"the first post) at concurrency {args.concurrency}, {backend}, uvicorn 1 worker"
    )
    print(
        f"throughput: {len(results) / wall:,.0f} requests/s ({wall:.2f} s); latency p50 "
        f"{percentile(latencies, 50) * 1000:.1f} ms, p99 {percentile(latencies, 99) * 1000:.1f} "
        f"ms, max {max(latencies) * 1000:.1f} ms; HTTP statuses {statuses}"
    )
    print(
        f"recorded: {gone}/{total} unsubscribed ({args.warmup} of them in the untimed warm-up), "
        f"{rows} preference_change rows for {people} journalists; lost {total - gone}, "
        f"doubled {rows - people}"
    )
    if statuses != [200] or gone != total or rows != total:
        raise SystemExit("FAILED: a request failed, or an unsubscribe was lost or doubled")


if __name__ == "__main__":
    main()
