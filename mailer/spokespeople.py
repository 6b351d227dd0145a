"""The roster of spokespeople: import from YAML or CSV, add, find, list."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, col, select

from mailer.contacts.fields import (
    FieldError,
    mailable_email,
    normalize_language,
    normalize_phone,
    single_line,
)
from mailer.contacts.readers import split_multi
from mailer.errors import ConflictError, DataError, ImportRejected, Location, NotFoundError
from mailer.models import Spokesperson, utcnow
from mailer.yamlfile import yaml_error

__all__ = [
    "SPOKESPERSON_FIELDS",
    "SpokespersonData",
    "add_spokesperson",
    "find_spokesperson",
    "import_spokespeople",
    "list_spokespeople",
    "read_spokespeople",
    "validate_spokesperson",
]

SPOKESPERSON_FIELDS = (
    "handle",
    "name",
    "title",
    "organisation",
    "office",
    "email",
    "phones",
    "languages",
    "translations",
)
_HANDLE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62})$")


@dataclass
class SpokespersonData:
    """A validated roster entry."""

    handle: str
    name: str
    email: str
    title: str = ""
    organisation: str = ""
    office: str = ""
    phones: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


def _text_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return split_multi(str(value))


def validate_spokesperson(values: dict[str, Any], where: Location) -> SpokespersonData:
    """Check one entry's fields; raises DataError located at the entry and field."""

    def fail(field_name: str, message: str) -> DataError:
        return DataError(message, Location(where.file, where.line, field_name))

    unknown = sorted(set(values) - set(SPOKESPERSON_FIELDS))
    if unknown:
        raise fail(unknown[0], f"unknown key; expected {', '.join(SPOKESPERSON_FIELDS)}")
    handle = str(values.get("handle") or "").strip().lower()
    if not _HANDLE.match(handle):
        raise fail("handle", f"handle must be lowercase letters, digits, . _ -: {handle!r}")
    name = str(values.get("name") or "").strip()
    if not name:
        raise fail("name", "a name is required")
    try:
        email = mailable_email(str(values.get("email") or ""))
    except FieldError as exc:
        raise fail("email", str(exc)) from None
    try:
        phones = [normalize_phone(p, None) for p in _text_list(values.get("phones"))]
    except FieldError as exc:
        raise fail("phones", f"{exc} (write numbers in international form, +...)") from None
    try:
        languages = [normalize_language(v) for v in _text_list(values.get("languages"))]
        texts = {
            k: single_line(str(values.get(k) or "")) for k in ("title", "organisation", "office")
        }
        name = single_line(name)
    except FieldError as exc:
        raise fail("languages", str(exc)) from None
    translations = _translations(values.get("translations"), fail)
    return SpokespersonData(
        translations=translations,
        handle=handle,
        name=name,
        email=email,
        phones=phones,
        languages=languages,
        **texts,
    )


_LOCALIZED = ("name", "title", "organisation", "office")


def _translations(value: Any, fail: Callable[[str, str], DataError]) -> dict[str, dict[str, str]]:
    """{language: {name, title, organisation, office}} as written for that language's releases."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise fail("translations", "expected a mapping of language -> {name, title, ...}")
    out: dict[str, dict[str, str]] = {}
    for lang, fields_ in value.items():
        try:
            tag = normalize_language(str(lang))
        except FieldError as exc:
            raise fail("translations", str(exc)) from None
        if not isinstance(fields_, dict) or set(map(str, fields_)) - set(_LOCALIZED):
            raise fail("translations", f"{tag}: only {', '.join(_LOCALIZED)} can be translated")
        try:
            out[tag] = {str(k): single_line(str(v)) for k, v in fields_.items() if v}
        except FieldError as exc:
            raise fail("translations", f"{tag}: {exc}") from None
    return out


def _yaml_entries(text: str, file: str) -> Iterator[tuple[int, Any]]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError) as exc:
        raise yaml_error(exc, file) from None
    if root is None:
        return
    if not isinstance(root, yaml.SequenceNode):
        raise DataError("expected a list of spokespeople", Location(file, root.start_mark.line + 1))
    for node in root.value:
        line = node.start_mark.line + 1
        try:
            value = yaml.safe_load(yaml.serialize(node))
        except RecursionError as exc:
            raise yaml_error(exc, file, line) from None
        yield line, value


def _csv_entries(text: str) -> Iterator[tuple[int, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        return
    start = reader.line_num + 1
    for row in reader:
        yield start, {k.strip().lower(): v for k, v in row.items() if k}
        start = reader.line_num + 1


def read_spokespeople(path: Path) -> list[SpokespersonData]:
    """Every entry of a YAML list or CSV file, validated; ImportRejected if any is invalid."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read file: {exc}", Location(str(path))) from None
    is_csv = path.suffix.lower() in (".csv", ".tsv")
    entries = _csv_entries(text) if is_csv else _yaml_entries(text, str(path))
    found, errors, total = [], [], 0
    for line, values in entries:
        total += 1
        where = Location(str(path), line)
        try:
            if not isinstance(values, dict):
                raise DataError("expected a mapping of handle, name, email, ...", where)
            found.append(validate_spokesperson(values, where))
        except DataError as exc:
            errors.append(exc)
    if errors:
        raise ImportRejected(errors, total)
    return found


def import_spokespeople(session: Session, path: Path) -> tuple[int, int]:
    """Add or update every entry of the file by handle; returns (added, updated)."""
    entries = read_spokespeople(path)
    seen: set[str] = set()
    added = updated = 0
    for data in entries:
        if data.handle in seen:
            raise DataError(f"handle {data.handle!r} appears twice", Location(str(path)))
        seen.add(data.handle)
        current = session.exec(
            select(Spokesperson).where(Spokesperson.handle == data.handle)
        ).first()
        if current is None:
            session.add(Spokesperson(**vars(data)))
            added += 1
        else:
            for key, value in vars(data).items():
                # A CSV has no column for translations: keep the ones already held.
                if key != "translations" or _is_yaml(path):
                    setattr(current, key, value)
            current.updated_at = utcnow()
            updated += 1
    session.flush()
    return added, updated


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() not in (".csv", ".tsv")


def add_spokesperson(session: Session, data: SpokespersonData) -> Spokesperson:
    """Add one entry; the handle must be new."""
    if session.exec(select(Spokesperson.id).where(Spokesperson.handle == data.handle)).first():
        raise ConflictError(f"spokesperson {data.handle!r} exists already")
    person = Spokesperson(**vars(data))
    session.add(person)
    session.flush()
    return person


def find_spokesperson(session: Session, handle: str) -> Spokesperson:
    """The entry with this handle, or NotFoundError naming the known handles."""
    key = handle.strip().lower()
    person = session.exec(select(Spokesperson).where(Spokesperson.handle == key)).first()
    if person is None:
        known = session.exec(select(Spokesperson.handle).order_by(col(Spokesperson.handle))).all()
        hint = f"; known: {', '.join(known)}" if known else "; the roster is empty"
        raise NotFoundError(f"no spokesperson {handle!r}{hint}")
    return person


def list_spokespeople(session: Session) -> list[Spokesperson]:
    """The whole roster by handle."""
    return list(session.exec(select(Spokesperson).order_by(col(Spokesperson.handle))))
