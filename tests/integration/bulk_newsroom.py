"""Synthetic journalists for the large send tests: fifty outlets, French and Russian speakers."""

from __future__ import annotations

from pathlib import Path

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
