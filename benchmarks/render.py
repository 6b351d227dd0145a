"""Benchmark: compose 20,000 personalised messages of one release; prints messages/s, CPU, RSS.

    python -m benchmarks.render [--recipients 20000] [--release examples/immunization-release.md]

Measures the path a send takes: the release rendered once per language (Markdown, templates, CSS
inlining, MIME encoding), then one message per recipient (To, Date, Message-ID, signed unsubscribe
links, greeting and footer lines re-encoded) as bytes ready for SMTP. The same run measures the
naive way for comparison: one email.message.EmailMessage built and serialized per recipient.
Issue #3's target: at least 10,000 messages/s on one core for the fast path.
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import UTC, datetime
from pathlib import Path

from mailer.config import Settings
from mailer.models import Spokesperson
from mailer.release import load_release
from mailer.render.variant import make_recipient, render_variant
from mailer.spokespeople import read_spokespeople


def _roster(release_spokespeople: set[str]) -> list[Spokesperson]:
    """The sample roster (contacts/spokespeople.yaml) as model objects: no database needed."""
    data = read_spokespeople(Path("contacts/spokespeople.yaml"))
    return [Spokesperson(**vars(d)) for d in data if d.handle in release_spokespeople]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Render once per language, then personalise N messages fast and N/10 the naive way."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--release", type=Path, default=Path("examples/immunization-release.md"))
    args = parser.parse_args()
    settings = Settings(secret_key="bench-secret-" + "x" * 20)
    release = load_release(args.release)
    t0, c0 = time.perf_counter(), time.process_time()
    prepared = {}
    for lang, variant in release.variants.items():
        people = {p.handle: p for p in _roster(set(variant.spokespeople))}
        roster = [people[h] for h in variant.spokespeople if h in people]
        prepared[lang] = render_variant(variant, roster, settings).prepared
    setup = time.perf_counter() - t0
    langs = list(prepared)
    recipients = [
        make_recipient(
            settings,
            langs[i % len(langs)],
            email=f"journalist{i}@outlet{i % 97}.example.org",
            name=f"Journalist Nº {i}",
            contact_id=i,
            campaign_id=1,
            delivery_id=i,
            regions=["Central Asia"],
        )
        for i in range(args.recipients)
    ]
    total_bytes = 0
    t1, c1 = time.perf_counter(), time.process_time()
    for i, r in enumerate(recipients):
        total_bytes += len(prepared[langs[i % len(langs)]].personalise(r))
    fast_wall, fast_cpu = time.perf_counter() - t1, time.process_time() - c1
    naive_n = max(1, args.recipients // 10)
    when = datetime.now(UTC)
    c2 = time.process_time()
    for i, r in enumerate(recipients[:naive_n]):
        prepared[langs[i % len(langs)]].reference(r, when).as_bytes()
    naive_cpu = time.process_time() - c2
    print(
        f"release: {args.release} ({len(langs)} languages), setup {setup * 1000:.0f} ms "
        f"(render, inline, encode once per language)"
    )
    values = t1 - t0 - setup
    print(
        f"recipient values (signed tokens, greeting, Message-ID) for {args.recipients}: "
        f"{values:.2f} s"
    )
    print(
        f"fast path : {args.recipients} messages, {fast_wall:.2f} s wall, {fast_cpu:.2f} s CPU, "
        f"{args.recipients / fast_cpu:,.0f} messages/s per core, "
        f"{total_bytes / args.recipients / 1000:.1f} KB average"
    )
    print(
        f"send path : values + fast path = "
        f"{args.recipients / (values + fast_cpu):,.0f} messages/s per core"
    )
    print(
        f"naive     : {naive_n} messages (EmailMessage per recipient), {naive_cpu:.2f} s CPU, "
        f"{naive_n / naive_cpu:,.0f} messages/s per core"
    )
    print(
        f"speed-up  : {(args.recipients / fast_cpu) / (naive_n / naive_cpu):.1f}x; "
        f"peak RSS {_rss_mb():.0f} MB; total CPU {time.process_time() - c0:.2f} s"
    )


if __name__ == "__main__":
    main()
