"""Write contacts to CSV in the import's canonical columns, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from mailer.contacts.records import CSV_COLUMNS
from mailer.models import Contact

__all__ = ["EXPORT_COLUMNS", "contact_row", "escape_cell", "export_csv", "write_csv"]

EXPORT_COLUMNS = (*CSV_COLUMNS, "status", "source", "source_at", "created_at", "updated_at")
# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets
# (OWASP "CSV injection"); a leading apostrophe makes it text. The importer removes it again.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: str) -> str:
    """The value, made inert for spreadsheets."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def contact_row(contact: Contact) -> list[str]:
    """One exported row, in EXPORT_COLUMNS order, plain (not yet escaped)."""
    values = {
        "beats": ";".join(contact.beats),
        "languages": ";".join(contact.languages),
        "regions": ";".join(contact.regions),
        "country": contact.country or "",
        "phone": contact.phone or "",
        "status": contact.status.value,
        "source_at": contact.source_at.isoformat(),
        "created_at": contact.created_at.isoformat(),
        "updated_at": contact.updated_at.isoformat(),
    }
    return [values.get(col, getattr(contact, col, "")) for col in EXPORT_COLUMNS]


def write_csv(out: TextIO, contacts: Iterable[Contact]) -> int:
    """Write a header and one escaped row per contact; returns the row count."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for contact in contacts:
        writer.writerow([escape_cell(v) for v in contact_row(contact)])
        count += 1
    return count


def export_csv(path: Path, contacts: Iterable[Contact]) -> int:
    """Write the contacts to a UTF-8 file (with BOM, so Excel reads the accents right)."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        return write_csv(fh, contacts)
