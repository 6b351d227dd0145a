"""Import a contacts file: validate every row, merge duplicates, write all or nothing."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from itertools import islice
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, col, select

from mailer.contacts.readers import FileFormat, open_contacts
from mailer.contacts.records import LIST_FIELDS, SCALAR_FIELDS, ContactData, merge
from mailer.contacts.regions import Taxonomy
from mailer.contacts.validation import PARALLEL_MIN_BYTES, Result, validate_records
from mailer.db import bulk_insert
from mailer.errors import DataError, ImportRejected
from mailer.models import Contact, ContactStatus, utcnow
from mailer.suppressions import SuppressionSet, load_suppression_set

__all__ = ["ImportOptions", "ImportReport", "Skipped", "import_contacts"]

log = logging.getLogger("mailer.contacts")
_BATCH = 2000  # results handled (looked up, inserted) together; well under parameter limits


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


class _Origin(Enum):
    """What the first row of an address turned out to be."""

    NEW = "new"  # inserted by this import
    EXISTING = "existing"  # already a contact; compared and updated at the end
    BLOCKED = "blocked"  # suppressed or forgotten; never written


@dataclass
class _Person:
    """Everything the file says about one address so far."""

    line: int
    data: ContactData
    origin: _Origin
    contact: Contact | None = None
    merged_later: bool = False


class _Import:
    """One import in progress: writes new contacts batch by batch while later rows validate."""

    def __init__(self, session: Session, options: ImportOptions, report: ImportReport) -> None:
        self.session, self.options, self.report = session, options, report
        self.blocked: SuppressionSet = load_suppression_set(session)
        self.people: dict[str, _Person] = {}
        # Addresses already in the database before this import: rows for them are fetched only
        # when the file names them. (Asking the database for every key of every batch makes
        # PostgreSQL scan a freshly filled, not yet analysed table: minutes for 100,000 rows.)
        self.known: set[str] = set(session.exec(select(Contact.email_key)))
        self.now = utcnow()
        self.source = f"import:{Path(report.file).name}"

    @property
    def writing(self) -> bool:
        # After the first invalid row of an all-or-nothing import, writing stops; the caller's
        # transaction is rolled back when ImportRejected is raised at the end.
        rejected = self.report.invalid and not self.options.skip_invalid
        return not (self.options.dry_run or rejected)

    def batch(self, results: list[Result]) -> None:
        fresh: dict[str, tuple[int, ContactData]] = {}
        for line, result in results:
            self.report.rows += 1
            if isinstance(result, list):
                self.report.invalid.extend(result)
            else:
                self._person(line, result, fresh)
        existing = _existing(self.session, [k for k in fresh if k in self.known])
        new: list[ContactData] = []
        for key, (line, data) in fresh.items():
            contact = existing.get(key)
            origin = _Origin.NEW if contact is None else _Origin.EXISTING
            self.people[key] = _Person(line, data, origin, contact)
            if contact is None:
                new.append(data)
        self.report.created += len(new)
        if self.writing and new:
            constants = {
                "source_at": self.now,
                "created_at": self.now,
                "updated_at": self.now,
                "source": self.source,
                "status": ContactStatus.ACTIVE,
            }
            table = Contact.__table__  # type: ignore[attr-defined]
            bulk_insert(self.session, table, (d.as_row() for d in new), constants)

    def _person(
        self, line: int, data: ContactData, fresh: dict[str, tuple[int, ContactData]]
    ) -> None:
        key = data.key
        seen = self.people.get(key)
        if seen is None and key in fresh:
            first_line, first = fresh[key]
            fresh[key] = (first_line, merge(first, data, self.options.update))
            self.report.merged += 1
        elif seen is not None:
            seen.data = merge(seen.data, data, self.options.update)
            seen.merged_later = True
            self.report.merged += 1
        elif reason := self.blocked.reason(key):
            self.people[key] = _Person(line, data, _Origin.BLOCKED)
            self.report.skipped.append(Skipped(line, data.email, reason))
        else:
            fresh[key] = (line, data)

    def finish(self) -> None:
        """Apply later duplicates of new contacts and the changes to existing ones."""
        for person in self.people.values():
            if person.origin == _Origin.NEW and person.merged_later:
                self._update(_id_of(self.session, person.data.key), person.data.as_row())
            elif person.origin == _Origin.EXISTING and person.contact is not None:
                old = _as_data(person.contact)
                changes = _changes(old, merge(old, person.data, self.options.update))
                if changes:
                    self.report.updated += 1
                    self._update(person.contact.id, changes)
                else:
                    self.report.unchanged += 1

    def _update(self, contact_id: int | None, values: dict[str, object]) -> None:
        if not self.writing or contact_id is None:
            return
        table = Contact.__table__  # type: ignore[attr-defined]
        values = {k: v for k, v in values.items() if k in (*SCALAR_FIELDS, *LIST_FIELDS)}
        stmt = update(table).where(table.c.id == contact_id)
        self.session.execute(stmt.values(**values, updated_at=self.now))


def _id_of(session: Session, key: str) -> int | None:
    return session.exec(select(Contact.id).where(Contact.email_key == key)).first()


def _existing(session: Session, keys: Sequence[str]) -> dict[str, Contact]:
    found: dict[str, Contact] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
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


@contextmanager
def _gc_paused() -> Iterator[None]:
    # An import builds hundreds of thousands of small acyclic objects; the cyclic collector would
    # rescan the growing heap again and again.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _batches(results: Iterator[Result]) -> Iterator[list[Result]]:
    while batch := list(islice(results, _BATCH)):
        yield batch


def import_contacts(
    session: Session, path: Path, taxonomy: Taxonomy, options: ImportOptions
) -> ImportReport:
    """Import the file in the session's transaction.

    Raises ImportRejected if a row is invalid (without skip_invalid); the caller then rolls the
    transaction back (mailer.db.session_scope does), so nothing is written.
    """
    source = open_contacts(path, encoding=options.encoding, format=options.format)
    report = ImportReport(
        file=str(path),
        format=source.format.value,
        encoding=source.encoding,
        ignored_columns=source.ignored_columns,
        dry_run=options.dry_run,
    )
    job = _Import(session, options, report)
    parallel = source.size >= PARALLEL_MIN_BYTES
    with _gc_paused():
        results = validate_records(source.records(), str(path), taxonomy, options.regions, parallel)
        for batch in _batches(results):
            job.batch(batch)
    if report.invalid and not options.skip_invalid:
        raise ImportRejected(
            report.invalid, report.rows, "fix them, or import the rest with --skip-invalid"
        )
    job.finish()
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
