"""Import a contacts file: validate every row, merge duplicates, then write all or nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from mailer.contacts.readers import FileFormat, open_contacts
from mailer.contacts.records import LIST_FIELDS, SCALAR_FIELDS, ContactData, merge, validate_record
from mailer.contacts.regions import Taxonomy
from mailer.errors import DataError, ImportRejected
from mailer.models import Contact, ContactStatus, utcnow
from mailer.suppressions import SuppressionSet, load_suppression_set

__all__ = ["ImportOptions", "ImportReport", "Skipped", "import_contacts"]

log = logging.getLogger("mailer.contacts")
_CHUNK = 500  # keys per IN (...) lookup: well under SQLite's and PostgreSQL's parameter limits


@dataclass(frozen=True)
class ImportOptions:
    """How an import treats tags, invalid rows, existing contacts and the database."""

    regions: Sequence[str] = ()
    update: bool = False
    skip_invalid: bool = False
    dry_run: bool = False
    encoding: str | None = None
    format: FileFormat | None = None


@dataclass(frozen=True)
class Skipped:
    """A valid row that was not imported, and why."""

    line: int
    email: str
    reason: str


@dataclass
class ImportReport:
    """What an import did (or, on a dry run, would do)."""

    file: str
    format: str
    encoding: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    invalid: list[DataError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    ignored_columns: tuple[str, ...] = ()
    dry_run: bool = False


def _read(
    path: Path, taxonomy: Taxonomy, options: ImportOptions
) -> tuple[ImportReport, dict[str, tuple[int, ContactData]]]:
    """Validate every record; merge rows of one person (first line kept for messages)."""
    source = open_contacts(path, encoding=options.encoding, format=options.format)
    report = ImportReport(
        file=str(path),
        format=source.format.value,
        encoding=source.encoding,
        ignored_columns=source.ignored_columns,
        dry_run=options.dry_run,
    )
    people: dict[str, tuple[int, ContactData]] = {}
    for raw in source.records():
        report.rows += 1
        result = validate_record(raw, str(path), taxonomy, options.regions)
        if isinstance(result, list):
            report.invalid.extend(result)
            continue
        key = result.key
        if key in people:
            line, seen = people[key]
            people[key] = (line, merge(seen, result, options.update))
            report.merged += 1
        else:
            people[key] = (raw.line, result)
    return report, people


def _existing(session: Session, keys: Sequence[str]) -> dict[str, Contact]:
    found: dict[str, Contact] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        for contact in session.exec(select(Contact).where(col(Contact.email_key).in_(chunk))):
            found[contact.email_key] = contact
    return found


def _as_data(contact: Contact) -> ContactData:
    values = {name: getattr(contact, name) for name in (*SCALAR_FIELDS, *LIST_FIELDS)}
    return ContactData(email=contact.email, **values)


def _changes(old: ContactData, new: ContactData) -> dict[str, object]:
    return {
        name: getattr(new, name)
        for name in (*SCALAR_FIELDS, *LIST_FIELDS)
        if getattr(new, name) != getattr(old, name)
    }


def _filter_blocked(
    people: dict[str, tuple[int, ContactData]], blocked: SuppressionSet, report: ImportReport
) -> None:
    for key in [k for k in people if blocked.reason(k)]:
        line, data = people.pop(key)
        report.skipped.append(Skipped(line, data.email, blocked.reason(key) or ""))


def _write(
    session: Session,
    people: Iterable[ContactData],
    existing: dict[str, Contact],
    source: str,
    options: ImportOptions,
    report: ImportReport,
) -> None:
    now = utcnow()
    new_rows: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    for data in people:
        current = existing.get(data.key)
        if current is None:
            row = data.as_row()
            row.update(
                source=source,
                source_at=now,
                created_at=now,
                updated_at=now,
                status=ContactStatus.ACTIVE,
            )
            new_rows.append(row)
            continue
        old = _as_data(current)
        changes = _changes(old, merge(old, data, options.update))
        if changes:
            updates.append({"_id": current.id, **changes, "updated_at": now})
        else:
            report.unchanged += 1
    report.created, report.updated = len(new_rows), len(updates)
    if options.dry_run:
        return
    table = Contact.__table__  # type: ignore[attr-defined]
    if new_rows:
        session.execute(insert(table), new_rows)
    for row in updates:
        # One statement per changed contact: updates touch different columns, and a re-import
        # changes few rows, so grouping them would not pay.
        values = {k: v for k, v in row.items() if k != "_id"}
        session.execute(update(table).where(table.c.id == row["_id"]).values(**values))


def import_contacts(
    session: Session, path: Path, taxonomy: Taxonomy, options: ImportOptions
) -> ImportReport:
    """Import the file; raises ImportRejected (nothing written) if a row is invalid."""
    report, people = _read(path, taxonomy, options)
    if report.invalid and not options.skip_invalid:
        raise ImportRejected(report.invalid, report.rows)
    _filter_blocked(people, load_suppression_set(session), report)
    existing = _existing(session, list(people))
    source = f"import:{path.name}"
    _write(session, (d for _, d in people.values()), existing, source, options, report)
    log.info(
        "import file=%s rows=%d created=%d updated=%d invalid=%d skipped=%d dry_run=%s",
        path,
        report.rows,
        report.created,
        report.updated,
        len(report.invalid),
        len(report.skipped),
        options.dry_run,
    )
    return report
