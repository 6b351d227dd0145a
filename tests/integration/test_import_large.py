"""A file large enough for parallel validation imports exactly like a small one, all or nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from mailer.contacts.importer import ImportOptions, import_contacts
from mailer.contacts.regions import Taxonomy
from mailer.contacts.validation import PARALLEL_MIN_BYTES
from mailer.db import session_scope
from mailer.errors import ImportRejected
from mailer.models import Contact

ROWS = 24_000  # about 2.6 MB: above the parallel threshold, several batches of 2,000


def _write(path: Path, bad_line: int | None = None) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["email", "name", "outlet", "beats", "country", "languages", "phone", "notes"])
        for i in range(ROWS):
            line = i + 2
            email = "broken" if line == bad_line else f"j{i}@outlet{i % 50}.example.org"
            phone = f"+996 312 {900000 + i % 1000}" if i % 2 else ""
            out.writerow(
                [
                    email,
                    f"Journalist {i}",
                    f"Outlet {i % 50}",
                    "health;education",
                    "KG",
                    "ky;ru",
                    phone,
                    "x" * 30,
                ]
            )
        # A later row of the first address, several batches away, adds a beat and a role.
        out.writerow(["J0@OUTLET0.example.org", "", "", "climate", "", "", "", ""])


def _count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Contact)) or 0)


def test_large_import_is_parallel_and_merges_across_batches(engine: Engine, tmp_path: Path) -> None:
    """24,000 rows go through worker processes; a duplicate 24,000 lines later still merges."""
    path = tmp_path / "big.csv"
    _write(path)
    assert path.stat().st_size > PARALLEL_MIN_BYTES
    with session_scope(engine) as session:
        report = import_contacts(session, path, Taxonomy.builtin(), ImportOptions())
    assert (report.rows, report.created, report.merged) == (ROWS + 1, ROWS, 1)
    assert _count(engine) == ROWS
    with Session(engine) as session:
        query = select(Contact).where(Contact.email_key == "j0@outlet0.example.org")
        first = session.scalars(query).one()
    assert first.beats == ["health", "education", "climate"]
    assert first.phone is None


def test_large_import_with_one_bad_row_near_the_end_writes_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    """An invalid row after 20,000 good ones (already inserted batch by batch) rolls all back."""
    path = tmp_path / "big.csv"
    _write(path, bad_line=20_500)
    with pytest.raises(ImportRejected) as info, session_scope(engine) as session:
        import_contacts(session, path, Taxonomy.builtin(), ImportOptions())
    assert [str(e).split(": ")[0] for e in info.value.errors] == [f"{path}:20500"]
    assert _count(engine) == 0
