"""Turn one raw contact record into validated contact data, or located errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace

from mailer.contacts.countries import resolve_country
from mailer.contacts.fields import (
    FieldError,
    email_key,
    mailable_email,
    normalize_beat,
    normalize_language,
    normalize_phone,
    single_line,
)
from mailer.contacts.readers import RawRecord, split_multi
from mailer.contacts.regions import Taxonomy
from mailer.errors import DataError, Location, UnknownRegionError

__all__ = ["CSV_COLUMNS", "LIST_FIELDS", "SCALAR_FIELDS", "ContactData", "merge", "validate_record"]

SCALAR_FIELDS = ("name", "outlet", "role", "country", "phone", "notes")
# The canonical CSV columns, in the order import documents and export writes them.
CSV_COLUMNS = (
    "email",
    "name",
    "outlet",
    "role",
    "beats",
    "country",
    "languages",
    "regions",
    "phone",
    "notes",
)
LIST_FIELDS = ("beats", "languages", "regions")


@dataclass(slots=True)
class ContactData:
    """A journalist's validated fields, before they become a database row."""

    email: str
    name: str = ""
    outlet: str = ""
    role: str = ""
    beats: list[str] = field(default_factory=list)
    country: str | None = None
    languages: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    phone: str | None = None
    notes: str = ""

    @property
    def key(self) -> str:
        """The case-insensitive identity of the contact."""
        return email_key(self.email)

    def as_row(self) -> dict[str, object]:
        """Column values for the contact table."""
        row = {name: getattr(self, name) for name in _FIELD_NAMES}
        row["email_key"] = self.key
        return row


_FIELD_NAMES = tuple(f.name for f in fields(ContactData))


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def merge(old: ContactData, new: ContactData, overwrite: bool) -> ContactData:
    """Combine two records of one person: lists are united; scalars filled, or replaced if asked."""
    changes: dict[str, object] = {}
    for name in SCALAR_FIELDS:
        mine, theirs = getattr(old, name), getattr(new, name)
        if theirs and (overwrite or not mine) and theirs != mine:
            changes[name] = theirs
    for name in LIST_FIELDS:
        mine, theirs = getattr(old, name), getattr(new, name)
        combined = _unique([*theirs, *mine]) if overwrite else _unique([*mine, *theirs])
        if theirs and combined != mine:
            changes[name] = theirs if overwrite else combined
    return replace(old, **changes) if changes else old  # type: ignore[arg-type]


class _RowErrors:
    """Collects field errors of one row, each located by file, line and field."""

    def __init__(self, file: str, line: int) -> None:
        self.file, self.line = file, line
        self.errors: list[DataError] = []

    def add(self, field_name: str, message: str) -> None:
        self.errors.append(DataError(message, Location(self.file, self.line, field_name)))


def _name(values: dict[str, str]) -> str:
    name = values.get("name") or " ".join(
        p for p in (values.get("first_name"), values.get("last_name")) if p
    )
    return single_line(name)


def _list(
    raw: str | None, normalise: Callable[[str], str], errs: _RowErrors, field_name: str
) -> list[str]:
    if not raw:
        return []
    out: list[str] = []
    for item in split_multi(raw):
        try:
            out.append(normalise(item))
        except (FieldError, UnknownRegionError) as exc:
            errs.add(field_name, str(exc.message if isinstance(exc, UnknownRegionError) else exc))
    return _unique(out)


def validate_record(
    raw: RawRecord, file: str, taxonomy: Taxonomy, extra_regions: Iterable[str] = ()
) -> ContactData | list[DataError]:
    """Validated data for the record, or every problem found in it (file:line: field: reason)."""
    values = raw.fields
    if any(v[:1] == "'" for v in values.values()):
        values = {k: _unescape(v) for k, v in values.items()}
    errs = _RowErrors(file, raw.line)
    if "_error" in values:
        errs.add("row", values["_error"])
    email = ""
    try:
        email = mailable_email(values.get("email", ""))
    except FieldError as exc:
        errs.add("email", str(exc))
    country = None
    if values.get("country"):
        country = resolve_country(values["country"])
        if country is None:
            errs.add("country", f"unknown country {values['country']!r}")
    phone = None
    if values.get("phone"):
        try:
            phone = normalize_phone(values["phone"], country)
        except FieldError as exc:
            errs.add("phone", str(exc))
    data = ContactData(email=email, country=country, phone=phone)
    for name in ("outlet", "role"):
        _scalar(data, name, values.get(name, ""), errs)
    try:
        data.name = _name(values)
    except FieldError as exc:
        errs.add("name", str(exc))
    data.notes = values.get("notes", "").strip()[:4000]
    data.beats = _list(values.get("beats"), normalize_beat, errs, "beats")
    data.languages = _list(values.get("languages"), normalize_language, errs, "languages")
    tags = ";".join([values.get("regions", ""), *extra_regions])
    data.regions = _list(tags, taxonomy.validate_slug, errs, "regions")
    return errs.errors or data


def _unescape(value: str) -> str:
    # Undo the export's guard against spreadsheet formulas ('=..., '+..., see contacts.export).
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        return value[1:]
    return value


def _scalar(data: ContactData, name: str, value: str, errs: _RowErrors) -> None:
    try:
        setattr(data, name, single_line(value))
    except FieldError as exc:
        errs.add(name, str(exc))
