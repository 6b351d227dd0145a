"""Synthetic journalists for the large send tests (fifty outlets, French and Russian speakers)
and the delivery states a send leaves behind."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import REPO

RELEASE = REPO / "examples" / "immunization-release.md"
HEADER = "email,name,outlet,role,beats,country,languages,regions,phone,notes\n"


def address(i: int) -> str:
    """The address of synthetic journalist `i` (reserved domain)."""
    return f"j{i}@outlet{i % 50}.example.org"


def write_contacts(path: Path, count: int) -> None:
    """A contacts CSV of `count` journalists in Kyrgyzstan, one in five French-speaking."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for i in range(count):
            lang = "fr" if i % 5 == 0 else "ru"
            fh.write(f"{address(i)},Journalist {i},Outlet {i % 50},,health,KG,{lang},,,\n")


def delivery_statuses(db_url: str) -> dict[str, int]:
    """Deliveries per status, read with a connection of its own."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT status, count(*) FROM delivery GROUP BY status")).all()
    engine.dispose()
    return {str(s): int(n) for s, n in rows}
