"""Benchmark: import a generated 100,000-row CSV into SQLite and PostgreSQL; prints rows/s and RSS.

    python -m benchmarks.import_contacts [--rows 100000] [--pg postgresql+psycopg://postgres@127.0.0.1/postgres]

Each backend is measured in a child process of its own, so its peak RSS is its own. The timed part
is the whole import as `mailer contacts import` runs it: read and decode the file, validate every
row (email syntax, country, phone, languages, regions), merge duplicates, check suppressions and
existing contacts, insert, commit. Issue #2's targets: at least 20,000 rows/s and peak RSS under
300 MB on both backends.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import phonenumbers
from sqlalchemy import create_engine, text

from mailer.contacts.records import CSV_COLUMNS

COUNTRIES = ["KG", "KZ", "UZ", "TJ", "RS", "AL", "XK", "FR", "DE", "CH", "UA", "GE", "US", "SN"]
LANGS = {
    "KG": "ky;ru",
    "KZ": "kk;ru",
    "UZ": "uz;ru",
    "TJ": "tg;ru",
    "RS": "sr;en",
    "AL": "sq;en",
    "XK": "sq;sr",
    "FR": "fr",
    "DE": "de;en",
    "CH": "de;fr",
    "UA": "uk;en",
    "GE": "ka;en",
    "US": "en",
    "SN": "fr;wo",
}
BEATS = ["health", "education", "migration", "climate", "economy", "children", "human-rights"]


def _phone(country: str, i: int) -> str:
    # A distinct valid number per row (real lists rarely repeat one, so no cache may help):
    # the library's example number with its last four digits replaced by the row number.
    example = phonenumbers.example_number(country)
    if example is None:
        raise ValueError(f"phonenumbers has no example number for {country}")
    base = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    return f"{base[:-4]}{i % 10_000:04d}"


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write a canonical CSV of fictional journalists on reserved domains."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(CSV_COLUMNS)
        for i in range(rows):
            country = COUNTRIES[i % len(COUNTRIES)]
            out.writerow(
                [
                    f"journalist{i}@outlet{i % 997}.example.org",
                    f"Journalist {i}",
                    f"Outlet {i % 997}",
                    "Correspondent",
                    ";".join(rng.sample(BEATS, 2)),
                    country,
                    LANGS[country],
                    "central-asia" if i % 50 == 0 else "",
                    _phone(country, i) if i % 3 else "",
                    "met at a press briefing, 2026" if i % 10 == 0 else "",
                ]
            )


def child(url: str, path: Path) -> None:
    """Import the file into a fresh database at url; print rows, seconds, CPU seconds, peak RSS."""
    from mailer.contacts.importer import ImportOptions, import_contacts
    from mailer.contacts.regions import Taxonomy
    from mailer.db import ensure_current, make_engine, session_scope

    engine = make_engine(url)
    ensure_current(engine)
    taxonomy = Taxonomy.builtin()
    cpu0, t0 = time.process_time(), time.perf_counter()
    with session_scope(engine) as session:
        report = import_contacts(session, path, taxonomy, ImportOptions())
    wall = time.perf_counter() - t0
    # Validation of a large file runs in worker processes: count their CPU time too.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - cpu0 + children.ru_utime + children.ru_stime
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{report.created} {wall:.3f} {cpu:.3f} {rss_mb:.1f}")


def _run_child(url: str, path: Path) -> tuple[int, float, float, float]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.import_contacts", "--child", url, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return int(out[0]), float(out[1]), float(out[2]), float(out[3])


def _pg_database(admin_url: str) -> tuple[str, str]:
    name = f"mailer_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, admin_url.rsplit("/", 1)[0] + f"/{name}"


def _drop(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    """Generate the file, import it into each backend, print a table of figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "contacts.csv"
        generate(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        print(f"file: {args.rows} rows, {size_mb:.1f} MB")
        print(
            f"{'backend':<12}{'rows':>8}{'wall s':>9}{'CPU s':>8}{'rows/s':>10}{'peak RSS MB':>13}"
        )
        results = [("sqlite", _run_child(f"sqlite:///{tmp}/bench.db", path))]
        name, url = _pg_database(args.pg)
        try:
            results.append(("postgresql", _run_child(url, path)))
        finally:
            _drop(args.pg, name)
        for backend, (rows, wall, cpu, rss) in results:
            print(f"{backend:<12}{rows:>8}{wall:>9.2f}{cpu:>8.2f}{rows / wall:>10,.0f}{rss:>13.1f}")


if __name__ == "__main__":
    main()
